"""The channels of a ticket's notifications: SMS or calls for P1 people with a phone, webhooks."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from core.calendar import CalendarBook
from core.delivery import SMS_LIMIT, channel_of
from core.model import Contract, OutboxEvent
from core.notify import Router
from core.policy import Policy, PolicyError
from core.services import resolve, take_in_charge
from core.settings import OutboxSettings
from core.testing import FakeNotifier, FakeUnitOfWork
from core.worker import OutboxWorker
from tests.unit.test_outbox_planning import opened

FRIDAY_17 = datetime.fromisoformat("2026-11-20T17:00:00+01:00")  # Rome, one hour to closing
HOOK = {"name": "chatops", "url": "https://chat.example.com/hooks/fd"}


def with_phones(channels: list[str] | None = None, hooks: list[dict[str, Any]] | None = None):  # type: ignore[no-untyped-def]
    """A policy edit: Marco Bianchi (Support Regional Manager, Europe) has a phone."""

    def edit(data: dict[str, Any]) -> None:
        [marco] = data["escalation_contacts"]["europe"]["Support Regional Manager"]
        marco["phone"] = "+390584000009"
        if channels is not None:
            data["notifications"]["phone_channels"] = {"P1": channels}
        data["webhooks"] = hooks or []

    return edit


def rows(uow: FakeUnitOfWork, channel: str, status: str = "pending") -> list[OutboxEvent]:
    return [e for e in uow.outbox.items if channel_of(e) == channel and e.status == status]


def test_p1_people_with_a_phone_get_an_sms_beside_each_email(
    edited_policy: Callable[[Callable[[dict[str, Any]], None]], Policy],
    contract: Callable[..., Contract],
) -> None:
    """Gold P1: every event for the regional manager (the only one with a phone) is also an
    SMS to his phone, at the same instant; a P2 gets e-mails only."""
    book = CalendarBook(edited_policy(with_phones()))
    uow, _ = opened(book, contract(), "P1")
    sms = rows(uow, "sms")
    marco = [e for e in rows(uow, "email") if e.payload["recipient"]["name"] == "Marco Bianchi"]
    assert sms and [(e.kind, e.due_at) for e in sms] == [(e.kind, e.due_at) for e in marco]
    assert {e.payload["recipient"]["phone"] for e in sms} == {"+390584000009"}
    uow, _ = opened(book, contract(), "P2")
    assert rows(uow, "sms") == []


def test_phone_channels_can_add_a_voice_call(
    edited_policy: Callable[[Callable[[dict[str, Any]], None]], Policy],
    contract: Callable[..., Contract],
) -> None:
    """phone_channels {P1: [sms, call]}: an SMS and a call per event for those with a phone."""
    book = CalendarBook(edited_policy(with_phones(["sms", "call"])))
    uow, _ = opened(book, contract(), "P1")
    assert len(rows(uow, "call")) == len(rows(uow, "sms")) > 0


def test_a_webhook_gets_one_row_per_event_it_subscribes_to(
    edited_policy: Callable[[Callable[[dict[str, Any]], None]], Policy],
    contract: Callable[..., Contract],
) -> None:
    """Subscribed to escalation_due and breach: one row per ladder step and one for the breach,
    each naming the roles it tells; nothing for the opening or the warning."""
    hook = {**HOOK, "events": ["escalation_due", "breach"]}
    book = CalendarBook(edited_policy(with_phones(hooks=[hook])))
    uow, ticket = opened(book, contract(), "P2")
    hooks = rows(uow, "webhook")
    assert [e.kind for e in hooks] == ["escalation_due"] * len(ticket.escalations) + ["breach"]
    assert hooks[-1].payload["roles"] == ("Support team", "Support Regional Manager")
    assert all(e.payload["endpoint"] == HOOK for e in hooks)


def test_taken_in_charge_tells_people_the_way_they_were_told_and_the_webhooks(
    edited_policy: Callable[[Callable[[dict[str, Any]], None]], Policy],
    contract: Callable[..., Contract],
) -> None:
    """A P1 taken after its first escalations: the regional manager, escalated to by e-mail and
    SMS, gets both again; a webhook subscribed to taken_in_charge gets one row; no other SMS is
    left to send."""
    hook = {**HOOK, "events": ["taken_in_charge"]}
    book = CalendarBook(edited_policy(with_phones(hooks=[hook])))
    uow, ticket = opened(book, contract(), "P1")
    later = max(step.at for step in ticket.escalations[:2])
    for event in uow.outbox.items:  # the worker sent what was due
        if event.due_at <= later:
            event.status = "sent"
    take_in_charge(uow, book, ticket.number or "", by="anna@example.com", at=later)
    taken = [e for e in uow.outbox.items if e.kind == "taken_in_charge"]
    by_channel = sorted(channel_of(e) for e in taken)
    assert by_channel.count("sms") == 1 and by_channel.count("webhook") == 1
    assert all(e.payload["taken_by"] == "anna@example.com" for e in taken)
    assert [e.kind for e in rows(uow, "sms")] == ["taken_in_charge"]  # nothing else to come


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update(webhooks=[HOOK, HOOK]), "name 'chatops' used twice"),
        (lambda d: d.update(webhooks=[{**HOOK, "url": "ftp://x"}]), "url"),
        (lambda d: d.update(webhooks=[{**HOOK, "events": ["lunch"]}]), "events"),
        (lambda d: d.update(webhooks=[{**HOOK, "name": "Chat Ops"}]), "name"),
        (lambda d: d["notifications"].update(phone_channels={"P9": ["sms"]}), "'P9'"),
        (lambda d: d["notifications"].update(phone_channels={"P1": ["fax"]}), "phone_channels"),
    ],
)
def test_webhooks_and_phone_channels_are_validated_strictly(
    edited_policy: Callable[[Callable[[dict[str, Any]], None]], Policy],
    edit: Callable[[dict[str, Any]], None],
    message: str,
) -> None:
    """A duplicate or malformed endpoint, an unknown event, priority or channel fails at start."""
    with pytest.raises(PolicyError, match=message):
        edited_policy(edit)


def test_the_worker_sends_each_channel_through_its_adapter(
    edited_policy: Callable[[Callable[[dict[str, Any]], None]], Policy],
    contract: Callable[..., Contract],
) -> None:
    """At the opening of a P1: e-mails, an SMS (short, with the ticket and its link, in the
    person's language) and the webhook's JSON, each through its own adapter."""
    hook = {**HOOK, "events": ["ticket_opened"]}
    policy = edited_policy(with_phones(hooks=[hook]))
    book = CalendarBook(policy)

    def edit(data: dict[str, Any]) -> None:
        with_phones(hooks=[hook])(data)
        data["notifications"]["ticket_opened"] = ["Support Regional Manager"]

    book = CalendarBook(edited_policy(edit))
    uow, ticket = opened(book, contract(), "P1")
    email, sms, webhook = FakeNotifier(), FakeNotifier(), FakeNotifier()
    router = Router({"email": email, "sms": sms, "webhook": webhook})
    worker = OutboxWorker(
        lambda: uow,
        book,
        router,
        OutboxSettings(),
        base_url="https://fd.example.com",
        clock=lambda: FRIDAY_17,
    )
    report = worker.run_once()
    assert len(report.sent) == 3
    [text] = [m.text for m in sms.sent]
    assert sms.sent[0].to_address == "+390584000009" and len(text) <= SMS_LIMIT
    assert ticket.number in text and text.endswith(f"/console/tickets/{ticket.number}")
    assert "Ticket" in text and sms.sent[0].language == "it"
    body = json.loads(webhook.sent[0].text)
    assert (body["type"], body["ticket"]["number"]) == ("ticket.opened", ticket.number)
    assert webhook.sent[0].to_address == HOOK["url"] and webhook.sent[0].to_name == "chatops"
    assert [m.to_address for m in email.sent] == ["marco.bianchi@example.com"]


def test_resolving_closes_the_ticket_stops_its_clock_and_tells_the_webhooks(
    edited_policy: Callable[[Callable[[dict[str, Any]], None]], Policy],
    contract: Callable[..., Contract],
) -> None:
    """Resolved before anyone took it: taken in charge by the resolver, closed, nothing left to
    send but the team's taken_in_charge and one ticket.resolved; resolving again adds nothing."""
    hook = {**HOOK, "events": ["resolved"]}
    book = CalendarBook(edited_policy(with_phones(hooks=[hook])))
    uow, ticket = opened(book, contract(), "P2")
    at = datetime.fromisoformat("2026-11-20T17:20:00+01:00")
    for _ in range(2):
        resolve(uow, book, ticket.number or "", by="rt:luca", at=at)
    assert (ticket.status, ticket.taken_at, ticket.taken_by) == ("closed", at, "rt:luca")
    pending = [e for e in uow.outbox.items if e.status == "pending"]
    assert {e.kind for e in pending} == {"ticket_opened", "taken_in_charge", "resolved"}
    [resolved] = [e for e in pending if e.kind == "resolved"]
    assert channel_of(resolved) == "webhook" and resolved.due_at == at
