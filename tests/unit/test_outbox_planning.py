"""Planning a ticket's notifications in the outbox: opening, taking in charge, pause, resume."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from core.calendar import CalendarBook
from core.model import Contract, OutboxEvent, Ticket
from core.policy import Policy, PolicyError
from core.services import Case, pause, resume, submit_case, take_in_charge
from core.testing import FakeUnitOfWork

FRIDAY_17 = datetime.fromisoformat("2026-11-20T17:00:00+01:00")  # Rome, one hour to closing


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def opened(
    book: CalendarBook, contract: Contract, priority: str = "P2", at: datetime = FRIDAY_17
) -> tuple[FakeUnitOfWork, Ticket]:
    """A phone case of ``contract`` at ``at`` through the intake service, on the fakes."""
    uow = FakeUnitOfWork()
    uow.contracts.add(contract)
    case = Case(
        channel="phone",
        conversation_id="CA1",
        at=at,
        contract=contract,
        priority=priority,
        language="en",
        summary="switchboard down",
        idempotency_key="phone:CA1",
    )
    ticket = submit_case(uow, book, case).ticket
    assert ticket is not None
    return uow, ticket


def _plan(events: list[OutboxEvent], *statuses: str) -> list[tuple[str, str, str, datetime]]:
    wanted = statuses or ("pending",)
    return [
        (e.kind, e.payload["role"], (e.payload["recipient"] or {}).get("email", "-"), e.due_at)
        for e in events
        if e.status in wanted
    ]


def test_a_gold_p2_opened_friday_evening_plans_its_ladder_on_business_time(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """Friday 17:00 Rome: opened now, warning Sat 09:30, breach and team Sat 10:00, regional
    manager Sat 12:00, manager Mon 15:00, CEO Thu 12:00, to each role's people."""
    uow, ticket = opened(book, contract())
    plan = _plan(uow.outbox.items)
    assert [(kind, role, due) for kind, role, _, due in plan] == [
        ("ticket_opened", "Support team", FRIDAY_17),
        ("ticket_opened", "Support team", FRIDAY_17),
        ("escalation_due", "Support team", _at("2026-11-21T10:00:00+01:00")),
        ("escalation_due", "Support team", _at("2026-11-21T10:00:00+01:00")),
        ("escalation_due", "Support Regional Manager", _at("2026-11-21T12:00:00+01:00")),
        ("escalation_due", "Support Manager", _at("2026-11-23T15:00:00+01:00")),
        ("escalation_due", "Co-CEO and CTO", _at("2026-11-26T12:00:00+01:00")),
        ("breach_warning", "Support team", _at("2026-11-21T09:30:00+01:00")),
        ("breach_warning", "Support team", _at("2026-11-21T09:30:00+01:00")),
        ("breach", "Support team", _at("2026-11-21T10:00:00+01:00")),
        ("breach", "Support team", _at("2026-11-21T10:00:00+01:00")),
        ("breach", "Support Regional Manager", _at("2026-11-21T10:00:00+01:00")),
    ]
    assert {e.ticket_id for e in uow.outbox.items} == {ticket.id}
    assert len({e.delivery_id for e in uow.outbox.items}) == len(uow.outbox.items)
    first = uow.outbox.items[0].payload
    assert (first["number"], first["customer"], first["priority"]) == (ticket.number, "ACME", "P2")


def test_a_retried_case_plans_nothing_twice(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """The same idempotency key again returns the ticket and adds no event."""
    gold = contract()
    uow, _ = opened(book, gold)
    before = len(uow.outbox.items)
    again = Case("phone", "CA1", FRIDAY_17, gold, "P2", "en", idempotency_key="phone:CA1")
    submit_case(uow, book, again)
    assert len(uow.outbox.items) == before


def test_taking_in_charge_cancels_the_rest_and_tells_those_already_told(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """Taken Sat 10:30: later steps and the breach events are cancelled; the team (told of the
    opening and escalated to at 10:00) gets taken_in_charge, each address once."""
    uow, ticket = opened(book, contract())
    taken_at = _at("2026-11-21T10:30:00+01:00")
    take_in_charge(uow, book, ticket.number or "", by="agent@example.com", at=taken_at)
    pending = _plan(uow.outbox.items)
    assert [k for k, *_ in pending if k != "ticket_opened"] == ["taken_in_charge"] * 2
    assert {email for k, _, email, _ in pending if k == "taken_in_charge"} == {
        "support-eu@example.com",
        "supporto-it@example.com",
    }
    cancelled = _plan(uow.outbox.items, "cancelled")
    assert {k for k, *_ in cancelled} == {"escalation_due", "breach_warning", "breach"}
    assert len(cancelled) == 10


def test_a_pause_moves_the_pending_steps_by_the_business_time_waited(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """Paused Sat 09:00-11:00 (two business hours): the 10:00 and 12:00 steps move to 12:00 and
    14:00; the ones before the pause stay; nothing is planned twice."""
    uow, ticket = opened(book, contract())
    number = ticket.number or ""
    pause(uow, number, at=_at("2026-11-21T09:00:00+01:00"))
    assert [k for k, *_ in _plan(uow.outbox.items)] == ["ticket_opened"] * 2
    resume(uow, book, number, at=_at("2026-11-21T11:00:00+01:00"))
    steps = [(r, d) for k, r, _, d in _plan(uow.outbox.items) if k == "escalation_due"]
    assert steps[::2][:2] == [
        ("Support team", _at("2026-11-21T12:00:00+01:00")),
        ("Support Regional Manager", _at("2026-11-21T14:00:00+01:00")),
    ]
    breach = [d for k, _, _, d in _plan(uow.outbox.items) if k == "breach"]
    assert set(breach) == {_at("2026-11-21T12:00:00+01:00")} and ticket.due_at == breach[0]


def test_a_role_nobody_holds_gets_one_event_without_recipient(
    edited_policy: Callable[[Callable[[dict[str, Any]], None]], Policy],
    contract: Callable[..., Contract],
) -> None:
    """No contacts in the theatre: the events are written without a recipient (reported dead
    by the worker), so the missing contact shows instead of silence."""

    def no_contacts(data: dict[str, Any]) -> None:
        data["escalation_contacts"] = {}

    uow, _ = opened(CalendarBook(edited_policy(no_contacts)), contract())
    assert uow.outbox.items and all(e.payload["recipient"] is None for e in uow.outbox.items)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda c: c["europe"].update({"Night shift": []}), "unknown role 'Night shift'"),
        (lambda c: c.update({"asia": {}}), "no theatre 'asia'"),
        (
            lambda c: c["europe"]["Support team"][0].update({"language": "xx"}),
            "unknown language 'xx'",
        ),
        (lambda c: c["europe"]["Support team"][0].update({"email": "nobody"}), "e-mail"),
        (lambda c: c["europe"]["Support team"][0].update({"pager": "1"}), "Extra inputs"),
    ],
)
def test_escalation_contacts_are_validated_strictly(
    edited_policy: Callable[[Callable[[dict[str, Any]], None]], Policy],
    edit: Callable[[dict[str, Any]], None],
    message: str,
) -> None:
    """An unknown role, theatre or language, a bad address or an unknown key fails at start."""
    with pytest.raises(PolicyError, match=message):
        edited_policy(lambda data: edit(data["escalation_contacts"]))
