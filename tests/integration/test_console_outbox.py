"""The console shows each ticket's notifications, and admins work the outbox (retry, cancel)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from core.bootstrap import Frontdoor
from core.services import Case, find_contract, submit_case

from .console import ConsoleClient, make_app

OPENED = datetime.fromisoformat("2026-06-08T10:00:00+02:00")  # a Monday, office open


def open_case(fd: Frontdoor) -> str:
    """A Gold P2 phone case for contract 2001, through the intake service."""
    case = Case(
        channel="phone",
        conversation_id="CA-outbox",
        at=OPENED,
        contract=find_contract(fd.uow(), "2001"),
        priority="P2",
        language="en",
        summary="switchboard down",
        idempotency_key="phone:CA-outbox",
    )
    ticket = submit_case(fd.uow(), fd.book, case).ticket
    assert ticket is not None and ticket.number is not None
    return ticket.number


def notification_ids(fd: Frontdoor, number: str) -> dict[str, list[int]]:
    with fd.uow() as uow:
        ticket = uow.tickets.get(number)
        assert ticket is not None and ticket.id is not None
        events = uow.outbox.for_ticket(ticket.id)
    found: dict[str, list[int]] = {}
    for event in events:
        assert event.id is not None
        found.setdefault(event.kind, []).append(event.id)
    return found


def test_the_ticket_page_lists_the_planned_notifications(
    frontdoor: Frontdoor, agent: ConsoleClient
) -> None:
    """Opening, escalations, breach warning and breach are listed with their state."""
    number = open_case(frontdoor)
    page = agent.text(f"/console/tickets/{number}")
    assert 'id="notifications"' in page
    for kind in ("ticket_opened", "escalation_due", "breach_warning", "breach"):
        assert kind in page
    assert "pending" in page


def test_an_admin_retries_a_dead_notification_and_cancels_a_pending_one(
    frontdoor: Frontdoor, admin: ConsoleClient
) -> None:
    """Retry makes a dead row pending and due; cancel stops a pending one; both show."""
    number = open_case(frontdoor)
    ids = notification_ids(frontdoor, number)
    dead, pending = ids["ticket_opened"][0], ids["breach"][0]
    with frontdoor.uow() as uow:
        event = uow.outbox.get(dead)
        assert event is not None
        event.status, event.last_error = "dead", "no escalation contact"
        uow.commit()
    page = admin.text("/console/admin/outbox?status=dead")
    assert "no escalation contact" in page and number in page
    assert admin.post(f"/console/admin/outbox/{dead}/retry").status_code == 302
    assert admin.post(f"/console/admin/outbox/{pending}/cancel").status_code == 302
    with frontdoor.uow() as uow:
        retried, cancelled = uow.outbox.get(dead), uow.outbox.get(pending)
        assert retried is not None and cancelled is not None
        assert (retried.status, retried.lease_until) == ("pending", None)
        assert cancelled.status == "cancelled"
    again = admin.post(f"/console/admin/outbox/{pending}/cancel", follow_redirects=True)
    assert "cannot be cancelled" in again.get_data(as_text=True)


def test_the_outbox_page_is_for_admins_only(agent: ConsoleClient) -> None:
    """An agent neither sees the outbox nor retries a notification."""
    assert agent.get("/console/admin/outbox").status_code == 403
    assert agent.post("/console/admin/outbox/1/retry").status_code == 403


def test_the_ticket_page_links_its_request_tracker_ticket(
    frontdoor: Frontdoor, seeded: Any, clock: Any
) -> None:
    """Not handed over yet: said so; once the sync stored RT's id, a link to RT's page."""
    rt = replace(frontdoor.settings.helpdesk, rt_url="https://rt.example.com", rt_token="t" * 40)
    fd = replace(frontdoor, settings=replace(frontdoor.settings, helpdesk=rt))
    agent = ConsoleClient(make_app(fd, clock).test_client())
    assert agent.sign_in().status_code == 302
    number = open_case(fd)
    assert "not handed over" in agent.text(f"/console/tickets/{number}")
    with fd.uow() as uow:
        ticket = uow.tickets.get(number)
        assert ticket is not None
        ticket.helpdesk_ref = "42"
        uow.commit()
    page = agent.text(f"/console/tickets/{number}")
    assert 'href="https://rt.example.com/Ticket/Display.html?id=42"' in page
    assert "Request Tracker #42" in page
