"""Opening tickets: idempotency, numbers, deadlines, the clock with pauses."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from core.adapters.db import make_session_factory
from core.adapters.orm import tickets
from core.bootstrap import Frontdoor
from core.decision import Decision
from core.model import Ticket
from core.services import (
    ServiceError,
    UnknownContract,
    get_ticket,
    is_valid_ticket_number,
    luhn_check_digit,
    open_ticket,
    pause,
    resume,
    take_in_charge,
)
from core.unit_of_work import AbstractUnitOfWork, SqlAlchemyUnitOfWork

from .helpers import add_contract, count, decision_for, iso

MON_10 = "2026-06-08T10:00:00+02:00"  # Europe, an ordinary Monday


def _open(
    fd: Frontdoor,
    key: str = "CA-1",
    *,
    decision: Decision | None = None,
    uow: AbstractUnitOfWork | None = None,
    channel: str = "phone",
    code: str = "2001",
) -> Ticket:
    """Open a P2 ticket on Monday 10:00, as the decision for that request says."""
    return open_ticket(
        uow or fd.uow(),
        fd.book,
        contract_code=code,
        decision=decision or decision_for(fd, "2001", MON_10, channel=channel),
        channel=channel,
        language="en",
        priority="P2",
        topic="product",
        summary="Recording stopped",
        opened_at=iso(MON_10),
        idempotency_key=key,
        conversation_id=key,
    )


@pytest.fixture
def fd(frontdoor: Frontdoor) -> Frontdoor:
    add_contract(frontdoor)
    return frontdoor


def test_ticket_gets_the_deadline_and_escalations_of_the_decision(fd: Frontdoor) -> None:
    """A Gold P2 opened Monday 10:00 in Europe is due at 12:00, escalations from the matrix."""
    ticket = get_ticket(fd.uow(), _open(fd).number or "")
    assert ticket.due_at == iso("2026-06-08T12:00:00+02:00")
    assert ticket.guaranteed and ticket.basis == "business" and ticket.status == "open"
    assert [(e.after_hours, e.to) for e in ticket.escalations] == [
        (2, "Support team"),
        (4, "Support Regional Manager"),
        (16, "Support Manager"),
        (40, "Co-CEO and CTO"),
    ]
    assert ticket.escalations[0].at == iso("2026-06-08T12:00:00+02:00")


def test_retried_webhook_with_same_key_returns_the_first_ticket(fd: Frontdoor) -> None:
    """The same idempotency key twice opens one ticket and returns it both times."""
    first, again = _open(fd, key="CA-1"), _open(fd, key="CA-1")
    assert first.number == again.number
    assert count(fd, "tickets") == 1


def test_ticket_numbers_are_unique_digits_with_a_luhn_check(fd: Frontdoor) -> None:
    """Numbers are digits only, all different, and their last digit is the Luhn check."""
    numbers = [_open(fd, key=f"k{i}").number or "" for i in range(12)]
    assert len(set(numbers)) == 12
    for number in numbers:
        assert number.isdigit() and len(number) == 7
        assert luhn_check_digit(number[:-1]) == number[-1]
        assert is_valid_ticket_number(number)


def test_a_mistyped_ticket_number_is_rejected(fd: Frontdoor) -> None:
    """Changing any one digit of a ticket number makes it invalid (Luhn)."""
    number = _open(fd).number or ""
    for position in range(len(number)):
        for digit in "0123456789":
            typo = number[:position] + digit + number[position + 1 :]
            assert is_valid_ticket_number(typo) == (typo == number)


def test_a_refusal_opens_no_ticket(fd: Frontdoor) -> None:
    """Only open_ticket and on_call decisions open tickets."""
    refusal = decision_for(fd, "2001", MON_10, requester="end_user")
    with pytest.raises(ServiceError, match="refuse/end_user_not_covered"):
        _open(fd, decision=refusal)


def test_an_unknown_contract_code_is_an_error(fd: Frontdoor) -> None:
    """A ticket cannot point at a contract that does not exist."""
    with pytest.raises(UnknownContract):
        _open(fd, code="9999")


def test_pause_and_resume_move_the_deadline_by_the_time_waited(fd: Frontdoor) -> None:
    """Gold P2 due 12:00; paused 11:00-14:00 it is due 15:00, escalations move too."""
    number = _open(fd).number or ""
    paused = pause(fd.uow(), number, at=iso("2026-06-08T11:00:00+02:00"))
    assert paused.due_at is None and paused.status == "waiting"
    assert paused.escalations == []
    resumed = resume(fd.uow(), fd.book, number, at=iso("2026-06-08T14:00:00+02:00"))
    assert resumed.status == "open"
    stored = get_ticket(fd.uow(), number)
    assert stored.due_at == iso("2026-06-08T15:00:00+02:00")
    assert [e.at for e in stored.escalations][:2] == [
        iso("2026-06-08T15:00:00+02:00"),
        iso("2026-06-08T17:00:00+02:00"),
    ]
    assert [(p.start, p.end) for p in stored.pauses] == [
        (iso("2026-06-08T11:00:00+02:00"), iso("2026-06-08T14:00:00+02:00"))
    ]


def test_pausing_twice_keeps_one_open_pause(fd: Frontdoor) -> None:
    """A second pause while waiting changes nothing; resume without a pause changes nothing."""
    number = _open(fd).number or ""
    resume(fd.uow(), fd.book, number, at=iso("2026-06-08T10:30:00+02:00"))
    pause(fd.uow(), number, at=iso("2026-06-08T11:00:00+02:00"))
    pause(fd.uow(), number, at=iso("2026-06-08T11:30:00+02:00"))
    assert len(get_ticket(fd.uow(), number).pauses) == 1


def test_take_in_charge_records_who_and_when_once(fd: Frontdoor) -> None:
    """The first engineer to take the case is recorded; a second call changes nothing."""
    number = _open(fd).number or ""
    take_in_charge(fd.uow(), fd.book, number, by="anna", at=iso("2026-06-08T10:20:00+02:00"))
    take_in_charge(fd.uow(), fd.book, number, by="bruno", at=iso("2026-06-08T10:25:00+02:00"))
    stored = get_ticket(fd.uow(), number)
    assert (stored.status, stored.taken_by) == ("taken", "anna")
    assert stored.taken_at == iso("2026-06-08T10:20:00+02:00")


class _RacingUnitOfWork(SqlAlchemyUnitOfWork):
    """Both deliveries read "no ticket yet" before either inserts (a real race, forced)."""

    def __init__(self, session_factory: Any, barrier: threading.Barrier):
        super().__init__(session_factory)
        self.barrier = barrier

    def __enter__(self) -> AbstractUnitOfWork:
        uow = super().__enter__()
        real, calls = self.tickets.by_key, []

        def by_key(key: str) -> Ticket | None:
            found = real(key)
            calls.append(key)
            if len(calls) == 1:
                self.barrier.wait(timeout=10)
            return found

        self.tickets.by_key = by_key  # type: ignore[method-assign]
        return uow


@pytest.mark.postgres
def test_concurrent_deliveries_of_one_webhook_open_one_ticket(
    postgres_frontdoor: Frontdoor,
) -> None:
    """Two threads racing with the same key both get the one ticket that was stored."""
    fd = postgres_frontdoor
    add_contract(fd)
    barrier = threading.Barrier(2)
    factory = make_session_factory(fd.engine)
    results: list[str | None] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            results.append(_open(fd, key="race", uow=_RacingUnitOfWork(factory, barrier)).number)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(results) == 2 and results[0] == results[1]
    with fd.engine.connect() as connection:
        stored = connection.execute(
            select(func.count()).select_from(tickets).where(tickets.c.idempotency_key == "race")
        ).scalar_one()
    assert stored == 1


def test_email_ticket_has_no_guaranteed_deadline(fd: Frontdoor) -> None:
    """E-mail never carries an SLA: the ticket has no due time (guide §5)."""
    ticket = _open(fd, channel="email")
    assert ticket.due_at is None and not ticket.guaranteed
    assert get_ticket(fd.uow(), ticket.number or "").opened_at == iso(MON_10)
