"""Proactive support rules and the alert service, on the in-memory unit of work."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from core.alerts import AlertNotice, CallAttempt, priority_for
from core.calendar import CalendarBook
from core.decision import Request, decide
from core.model import OutboxEvent
from core.notify import Router
from core.services import (
    ContactSpec,
    ContractSpec,
    acknowledge_page,
    find_contract,
    open_ticket,
    receive_alert,
    upsert_contract,
)
from core.settings import OutboxSettings
from core.testing import FakeNotifier, FakeUnitOfWork
from core.worker import OutboxWorker, Report

iso = datetime.fromisoformat
WEDNESDAY_10 = iso("2026-11-18T10:00:00+01:00")  # Europe open for every plan
SATURDAY_23 = iso("2026-11-21T23:00:00+01:00")  # Europe closed, on-call for Platinum
STARTED = iso("2026-11-18T09:58:00+01:00")


def contract(uow: FakeUnitOfWork, code: str = "5001", **changes: Any) -> None:
    fields: dict[str, Any] = dict(
        code=code,
        customer=f"Customer {code}",
        plan="gold",
        licence="subscription",
        theatre="europe",
        week="mon-fri",
        starts=date(2026, 1, 1),
        ends=date(2027, 12, 31),
        timezone="Europe/Rome",
        products=("UCX Platform",),
        contacts=(ContactSpec(name="Night Admin", phone="+390584000009", available_24h=True),),
    )
    fields.update(changes)
    upsert_contract(uow, ContractSpec(**fields))


def notice(code: str | None = "5001", **changes: Any) -> AlertNotice:
    fields: dict[str, Any] = dict(
        fingerprint="fp1",
        status="firing",
        starts_at=STARTED,
        ends_at=None,
        labels={"alertname": "DiskFull", "severity": "high", "product": "UCX Platform"},
        annotations={"summary": "Disk almost full", "description": "94% used on /var"},
        contract_code=code,
    )
    fields.update(changes)
    return AlertNotice(**fields)


NUMBERS = ("+390500000001", "+390500000002")  # the on-call engineers' phones (settings)


def place_calls(
    uow: FakeUnitOfWork, book: CalendarBook, at: datetime, failing: str | None = None
) -> tuple[FakeNotifier, Report]:
    """One round of the outbox worker at ``at`` with the telephony adapter in memory."""
    phone = FakeNotifier()
    phone.failing = failing
    worker = OutboxWorker(
        lambda: uow,
        book,
        Router({"oncall": phone}),
        OutboxSettings(),
        base_url="https://fd.example.com",
        clock=lambda: at,
    )
    return phone, worker.run_once()


def call_rows(uow: FakeUnitOfWork) -> list[OutboxEvent]:
    return [e for e in uow.outbox.items if e.kind == "on_call_call"]


ELIGIBILITY = [
    # plan, licence, telemetry, outcome, reason (policy-notes "Proactive support")
    ("basic", "perpetual", True, "enhanced", "proactive_not_in_plan"),
    ("basic", "subscription", True, "enhanced", "proactive_not_in_plan"),
    ("basic", "cloud", True, "ticket", "ok"),
    ("gold", "perpetual", True, "ticket", "ok"),
    ("gold", "subscription", True, "ticket", "ok"),
    ("gold", "cloud", True, "ticket", "ok"),
    ("platinum", "perpetual", True, "ticket", "ok"),
    ("platinum", "subscription", True, "ticket", "ok"),
    ("platinum", "cloud", True, "ticket", "ok"),
    *[
        (plan, licence, False, "ignored", "telemetry_disabled")
        for plan in ("basic", "gold", "platinum")
        for licence in ("perpetual", "subscription", "cloud")
    ],
]


@pytest.mark.parametrize(("plan", "licence", "telemetry", "outcome", "reason"), ELIGIBILITY)
def test_eligibility_follows_plan_licence_and_telemetry(
    book: CalendarBook, plan: str, licence: str, telemetry: bool, outcome: str, reason: str
) -> None:
    """Gold/Platinum on-prem and every cloud licence open tickets; Basic on-prem is kept."""
    uow = FakeUnitOfWork()
    contract(uow, plan=plan, licence=licence, telemetry=telemetry)
    receipt = receive_alert(uow, book, notice(), at=WEDNESDAY_10)
    assert (receipt.outcome, receipt.reason) == (outcome, reason)
    assert len(uow.tickets.items) == (1 if outcome == "ticket" else 0)
    assert len(uow.alerts.items) == 1


@pytest.mark.parametrize("plan", ["basic", "gold", "platinum"])
@pytest.mark.parametrize("licence", ["perpetual", "subscription", "cloud"])
@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"ends": date(2026, 10, 31)}, "contract_expired"),
        ({"paid": False}, "payment_overdue"),
        ({"starts": date(2026, 12, 1)}, "contract_not_started"),
    ],
)
def test_an_invalid_contract_opens_no_ticket_whatever_the_plan(
    book: CalendarBook, plan: str, licence: str, changes: dict[str, Any], reason: str
) -> None:
    """Expired, unpaid or not yet started: recorded with the decision's reason, no ticket."""
    uow = FakeUnitOfWork()
    contract(uow, plan=plan, licence=licence, **changes)
    receipt = receive_alert(uow, book, notice(), at=WEDNESDAY_10)
    assert (receipt.outcome, receipt.reason, receipt.accepted) == ("ignored", reason, False)
    assert uow.tickets.items == []


@pytest.mark.parametrize(
    ("code", "labels", "reason"),
    [
        ("9999", None, "unknown_contract"),
        (None, None, "no_contract_label"),
        ("5001", {"alertname": "X", "severity": "disaster"}, "unknown_severity"),
        ("5001", {"alertname": "X", "severity": "high", "product": "JAWS"}, "third_party_vendor"),
    ],
)
def test_alerts_that_cannot_open_a_ticket_are_recorded_with_their_reason(
    book: CalendarBook, code: str | None, labels: dict[str, str] | None, reason: str
) -> None:
    """Unknown contract, no label, unknown severity, third-party product: stored, no ticket."""
    uow = FakeUnitOfWork()
    contract(uow)
    extra = {"labels": labels} if labels else {}
    receipt = receive_alert(uow, book, notice(code, **extra), at=WEDNESDAY_10)
    assert (receipt.action, receipt.reason) == ("ignored", reason)
    [stored] = uow.alerts.items
    assert (stored.reason, stored.contract_code) == (reason, code)
    assert uow.tickets.items == []


@pytest.mark.parametrize(
    ("severity", "priority"),
    [("critical", "P1"), ("high", "P2"), ("warning", "P3"), ("info", "P4")],
)
def test_severity_maps_to_the_ticket_priority(
    book: CalendarBook, severity: str, priority: str
) -> None:
    """The policy file's severity_priority decides the ticket priority, SLA from the core."""
    uow = FakeUnitOfWork()
    contract(uow)
    labels = {"alertname": "X", "severity": severity}
    receive_alert(uow, book, notice(labels=labels), at=WEDNESDAY_10)
    [ticket] = uow.tickets.items
    assert (ticket.priority, ticket.channel) == (priority, "proactive")
    assert priority_for(book.policy, severity.upper()) == priority
    same = decide(
        book,
        Request(find_contract(uow, "5001"), "proactive", WEDNESDAY_10, priority, "en", "admin"),
    )
    assert ticket.due_at == same.due


def test_a_repeated_firing_adds_nothing(book: CalendarBook) -> None:
    """The same fingerprint and start, delivered again, opens no second ticket or turn."""
    uow = FakeUnitOfWork()
    contract(uow)
    first = receive_alert(uow, book, notice(), at=WEDNESDAY_10)
    turns = len(uow.transcripts.items[0].turns)
    again = receive_alert(uow, book, notice(), at=WEDNESDAY_10)
    assert (first.action, again.action, again.ticket) == ("opened", "repeat", first.ticket)
    assert len(uow.tickets.items) == 1
    assert len(uow.transcripts.items[0].turns) == turns


def test_still_firing_under_a_new_start_is_a_repeat(book: CalendarBook) -> None:
    """A monitor that lost its state re-sends the firing alert with a later start: no ticket."""
    uow = FakeUnitOfWork()
    contract(uow)
    receive_alert(uow, book, notice(), at=WEDNESDAY_10)
    later = notice(starts_at=iso("2026-11-18T10:30:00+01:00"))
    assert receive_alert(uow, book, later, at=WEDNESDAY_10).action == "repeat"
    assert len(uow.tickets.items) == 1


def test_resolution_notes_the_ticket_and_a_new_firing_opens_another(book: CalendarBook) -> None:
    """Resolved adds a note and marks the alert; firing again after that is a new ticket."""
    uow = FakeUnitOfWork()
    contract(uow)
    receive_alert(uow, book, notice(), at=WEDNESDAY_10)
    ended = iso("2026-11-18T10:20:00+01:00")
    resolved = notice(status="resolved", ends_at=ended)
    receipt = receive_alert(uow, book, resolved, at=ended)
    assert receipt.action == "resolved"
    assert "alert resolved" in uow.tickets.items[0].notes
    assert uow.alerts.items[0].status == "resolved"
    assert receive_alert(uow, book, resolved, at=ended).action == "repeat"
    again = notice(starts_at=iso("2026-11-18T11:00:00+01:00"))
    assert receive_alert(uow, book, again, at=WEDNESDAY_10).action == "opened"
    assert len(uow.tickets.items) == 2


def test_a_resolution_never_seen_firing_opens_nothing(book: CalendarBook) -> None:
    """Only the resolution arrived: recorded as such, no ticket for a past problem."""
    uow = FakeUnitOfWork()
    contract(uow)
    ended = notice(status="resolved", ends_at=WEDNESDAY_10)
    receipt = receive_alert(uow, book, ended, at=WEDNESDAY_10)
    assert (receipt.action, receipt.reason) == ("ignored", "resolved_before_received")
    assert uow.tickets.items == []


def test_basic_on_prem_telemetry_is_shown_on_the_next_ticket(book: CalendarBook) -> None:
    """Enhanced support: the kept alert goes into the notes of the next ticket, once."""
    uow = FakeUnitOfWork()
    contract(uow, plan="basic", licence="perpetual")
    receive_alert(uow, book, notice(), at=WEDNESDAY_10)
    decision = decide(
        book, Request(find_contract(uow, "5001"), "phone", WEDNESDAY_10, "P2", "en", "admin")
    )
    fields: dict[str, Any] = dict(
        contract_code="5001",
        decision=decision,
        channel="phone",
        language="en",
        priority="P2",
        topic="product",
        summary="slow",
        opened_at=WEDNESDAY_10,
    )
    first = open_ticket(uow, book, idempotency_key="k1", **fields)
    second = open_ticket(uow, book, idempotency_key="k2", **fields)
    assert "telemetry" in first.notes and "Disk almost full" in first.notes
    assert second.notes == ""
    assert uow.alerts.items[0].ticket_id == first.id


def test_gold_critical_out_of_hours_waits_for_business_hours(book: CalendarBook) -> None:
    """Gold: a ticket, no call; its clock starts at the next opening."""
    uow = FakeUnitOfWork()
    contract(uow, plan="gold")
    labels = {"alertname": "Down", "severity": "critical"}
    receipt = receive_alert(
        uow, book, notice(labels=labels), at=SATURDAY_23, on_call_numbers=NUMBERS
    )
    assert (receipt.outcome, receipt.reason) == ("ticket", "closed")
    assert call_rows(uow) == []
    assert uow.tickets.items[0].due_at == iso("2026-11-23T10:00:00+01:00")


def test_platinum_critical_out_of_hours_calls_the_on_call_engineer(book: CalendarBook) -> None:
    """Platinum P1 out of hours: ticket on the 24x7 clock, one call per on-call number queued
    with the ticket, placed by the worker, each call noted."""
    uow = FakeUnitOfWork()
    contract(uow, plan="platinum", licence="cloud")
    labels = {"alertname": "Down", "severity": "critical", "product": "Call Recording"}
    receipt = receive_alert(
        uow, book, notice(labels=labels), at=SATURDAY_23, on_call_numbers=NUMBERS
    )
    assert receipt.outcome == "on_call"
    assert receipt.calls == tuple(CallAttempt(to=n) for n in NUMBERS)
    ticket = uow.tickets.items[0]
    assert ticket.due_at == iso("2026-11-22T00:00:00+01:00")
    assert [(e.payload["to"], e.due_at) for e in call_rows(uow)] == [
        (n, SATURDAY_23) for n in NUMBERS
    ]
    assert "called at" not in ticket.notes  # nothing is placed inside the alert's request
    phone, report = place_calls(uow, book, SATURDAY_23)
    assert [m.to_address for m in phone.sent] == list(NUMBERS)
    page = phone.sent[0].data
    assert (page["customer"], page["product"], page["contact_phone"]) == (
        "Customer 5001",
        "Call Recording",
        "+390584000009",
    )
    assert ticket.notes.count("on-call engineer called at") == 2
    assert len(report.sent) == 2


@pytest.mark.parametrize(
    ("contacts", "numbers", "expected"),
    [
        ((ContactSpec(name="Day", phone="+390584000001"),), NUMBERS, "no 24-hour phone contact"),
        (None, (), "on-call calling is not configured"),
    ],
)
def test_no_call_is_noted_on_the_ticket_with_its_reason(
    book: CalendarBook, contacts: Any, numbers: tuple[str, ...], expected: str
) -> None:
    """Without a 24-hour contact, or without on-call numbers, the ticket says why."""
    uow = FakeUnitOfWork()
    extra = {"contacts": contacts} if contacts else {}
    contract(uow, plan="platinum", **extra)
    labels = {"alertname": "Down", "severity": "critical"}
    receive_alert(uow, book, notice(labels=labels), at=SATURDAY_23, on_call_numbers=numbers)
    assert expected in uow.tickets.items[0].notes
    assert call_rows(uow) == []


def test_a_failing_call_is_noted_and_retried(book: CalendarBook) -> None:
    """A telephony error is noted on the ticket and the call is tried again after its backoff."""
    uow = FakeUnitOfWork()
    contract(uow, plan="platinum")
    labels = {"alertname": "Down", "severity": "critical"}
    numbers = NUMBERS[:1]
    receive_alert(uow, book, notice(labels=labels), at=SATURDAY_23, on_call_numbers=numbers)
    place_calls(uow, book, SATURDAY_23, failing="ConnectionError: network down")
    ticket = uow.tickets.items[0]
    assert "on-call call to +390500000001 not made: ConnectionError: network down" in ticket.notes
    assert call_rows(uow)[0].status == "failed"
    later = iso("2026-11-21T23:02:00+01:00")  # after the first backoff (60 s)
    phone, _ = place_calls(uow, book, later)
    assert [m.to_address for m in phone.sent] == ["+390500000001"]
    assert "on-call engineer called at +390500000001" in ticket.notes


def test_an_acknowledged_page_calls_nobody_else(book: CalendarBook) -> None:
    """The first engineer pressed 1 before the worker reached the second number: not called."""
    uow = FakeUnitOfWork()
    contract(uow, plan="platinum")
    labels = {"alertname": "Down", "severity": "critical"}
    receipt = receive_alert(
        uow, book, notice(labels=labels), at=SATURDAY_23, on_call_numbers=NUMBERS
    )
    assert receipt.ticket is not None
    acknowledge_page(uow, book, receipt.ticket, by="on-call +390500000001", at=SATURDAY_23)
    phone, report = place_calls(uow, book, SATURDAY_23)
    assert phone.sent == [] and report.cancelled == 2


def test_acknowledgement_takes_the_case_in_charge_once(book: CalendarBook) -> None:
    """Pressing 1 takes the ticket in charge; the same call's retried webhook adds nothing."""
    uow = FakeUnitOfWork()
    contract(uow, plan="platinum")
    labels = {"alertname": "Down", "severity": "critical"}
    receipt = receive_alert(
        uow, book, notice(labels=labels), at=SATURDAY_23, on_call_numbers=NUMBERS
    )
    assert receipt.ticket is not None
    at = iso("2026-11-21T23:05:00+01:00")
    for _ in range(2):
        ticket = acknowledge_page(uow, book, receipt.ticket, by="on-call +1", at=at, call_sid="CA1")
    assert (ticket.status, ticket.taken_at, ticket.taken_by) == ("taken", at, "on-call +1")
    assert ticket.notes.count("acknowledged") == 1
    turns = uow.transcripts.items[0].turns
    assert turns[-1].reason == "acknowledged"


def test_every_alert_writes_a_transcript_staff_can_read(book: CalendarBook) -> None:
    """Channel proactive, conversation fingerprint@start, turns with what happened and why."""
    uow = FakeUnitOfWork()
    receive_alert(uow, book, notice("9999"), at=WEDNESDAY_10)
    [transcript] = uow.transcripts.items
    assert transcript.channel == "proactive"
    assert transcript.conversation_id == f"fp1@{STARTED.isoformat()}"
    assert (transcript.outcome, transcript.reason) == ("ignored", "unknown_contract")
    assert [t.kind for t in transcript.turns] == ["event", "decision"]
    assert "contract 9999" in transcript.turns[0].text
