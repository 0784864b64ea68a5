"""Opening tickets and running their response clock (guide §4, §4.3, §5.1).

A ticket is opened from a :class:`~core.decision.Decision` (which already holds the deadline and
escalations computed by the SLA engine), once per idempotency key: a retried webhook gets the
ticket the first delivery opened. Pausing (waiting for the customer or a third party) stops the
clock; resuming recomputes the deadline and the escalations with every pause window left out;
resolving closes the ticket.
Each change plans or cancels the ticket's notifications in the outbox, in the same transaction
(:mod:`core.services.outbox`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from core import metrics
from core.calendar import CalendarBook, Window
from core.decision import Decision
from core.model import Escalation, Pause, Ticket
from core.repository import DuplicateError
from core.services.errors import ServiceError, UnknownContract, UnknownTicket
from core.services.outbox import plan_pause, plan_resolved, plan_resume, plan_taken
from core.sla import EscalationAt, due_for_target, escalation_schedule, target_for
from core.unit_of_work import AbstractUnitOfWork, transactional

NUMBER_DIGITS = 6  # zero-padded id; the Luhn check digit makes a seventh


def luhn_check_digit(payload: str) -> str:
    """The Luhn check digit of a string of digits (catches any single mistyped digit and most
    swaps of two adjacent digits)."""
    total = 0
    for position, char in enumerate(reversed(payload)):
        digit = int(char) * (2 if position % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return str((10 - total % 10) % 10)


def ticket_number(ticket_id: int) -> str:
    """Digits only, read back digit by digit: the zero-padded id and a Luhn check digit."""
    payload = f"{ticket_id:0{NUMBER_DIGITS}d}"
    return payload + luhn_check_digit(payload)


def is_valid_ticket_number(text: str) -> bool:
    """True when ``text`` could be a ticket number: digits, long enough, check digit right."""
    if not text.isascii() or not text.isdigit() or len(text) < NUMBER_DIGITS + 1:
        return False
    return luhn_check_digit(text[:-1]) == text[-1]


@transactional
def open_ticket(
    uow: AbstractUnitOfWork,
    book: CalendarBook,
    *,
    contract_code: str | None,
    decision: Decision,
    channel: str,
    language: str,
    priority: str,
    topic: str,
    summary: str,
    opened_at: datetime,
    idempotency_key: str,
    conversation_id: str | None = None,
) -> Ticket:
    """Open the ticket a decision calls for, or return the one already opened with this key."""
    if decision.outcome not in ("open_ticket", "on_call"):
        raise ServiceError(f"a {decision.outcome}/{decision.reason} decision opens no ticket")
    if priority not in book.policy.escalation:
        raise ServiceError(f"unknown priority {priority!r}")
    existing = uow.tickets.by_key(idempotency_key)
    if existing is not None:
        return existing
    ticket = Ticket(
        contract_id=_contract_id(uow, contract_code),
        channel=channel,
        language=decision.language or language,
        priority=priority,
        topic=topic,
        summary=summary,
        opened_at=opened_at,
        idempotency_key=idempotency_key,
        conversation_id=conversation_id,
        reason=decision.reason,
    )
    apply_decision(ticket, decision)
    try:
        with uow.savepoint():
            add_ticket(uow, ticket)
    except DuplicateError:
        return _winner_of_race(uow, idempotency_key)
    metrics.ticket_opened(uow, channel, priority, decision.theatre or "none")
    return ticket


def add_ticket(uow: AbstractUnitOfWork, ticket: Ticket) -> None:
    """Store a new ticket inside the caller's transaction and number it; telemetry alerts
    kept for its contract are shown on it. :class:`DuplicateError` on a known key."""
    uow.tickets.add(ticket)
    assert ticket.id is not None
    ticket.number = ticket_number(ticket.id)
    _show_telemetry(uow, ticket)


def add_note(ticket: Ticket, at: datetime, text: str) -> None:
    """Append one dated line to the ticket's notes (what staff read in the console)."""
    line = f"{at.isoformat()} {text}"
    ticket.notes = f"{ticket.notes}\n{line}" if ticket.notes else line


def _show_telemetry(uow: AbstractUnitOfWork, ticket: Ticket) -> None:
    """policy-notes "Proactive support": Basic on-prem telemetry only enriches the tickets the
    customer opens ("enhanced support"): alarms kept for the contract go on its next ticket."""
    if ticket.contract_id is None:
        return
    for alert in uow.alerts.pending_for(ticket.contract_id):
        alert.ticket_id = ticket.id
        state = alert.status if alert.status == "resolved" else "firing"
        summary = alert.annotations.get("summary") or alert.labels.get("alertname") or "alert"
        add_note(
            ticket,
            ticket.opened_at,
            f"telemetry ({state} since {alert.starts_at.isoformat()}, "
            f"{alert.labels.get('severity', 'no severity')}): {summary}",
        )


def _contract_id(uow: AbstractUnitOfWork, code: str | None) -> int | None:
    if code is None:
        return None
    contract = uow.contracts.get(code)
    if contract is None:
        raise UnknownContract(code)
    return contract.id


def apply_decision(ticket: Ticket, decision: Decision) -> None:
    """Give the ticket the deadline and escalations the decision computed (SLA from core)."""
    deadline = decision.deadline
    ticket.due_at = deadline.due if deadline else None
    ticket.guaranteed = decision.guaranteed
    ticket.basis = deadline.basis if deadline else "none"
    ticket.escalations = _escalations(decision.escalations)


def _winner_of_race(uow: AbstractUnitOfWork, idempotency_key: str) -> Ticket:
    """Another delivery of the same webhook committed first: return its ticket."""
    existing = uow.tickets.by_key(idempotency_key)
    if existing is None:
        raise ServiceError(f"ticket {idempotency_key!r} could not be stored")
    return existing


@transactional
def get_ticket(uow: AbstractUnitOfWork, number: str) -> Ticket:
    """The ticket with this number, or :class:`UnknownTicket`."""
    return _ticket(uow, number)


def _ticket(uow: AbstractUnitOfWork, number: str) -> Ticket:
    ticket = uow.tickets.get(number) if is_valid_ticket_number(number) else None
    if ticket is None:
        raise UnknownTicket(number)
    return ticket


@transactional
def take_in_charge(
    uow: AbstractUnitOfWork, book: CalendarBook, number: str, *, by: str, at: datetime
) -> Ticket:
    """Record that ``by`` took the case in charge at ``at`` (guide §4: the SLA is met then).
    Its escalations still to come are cancelled in the outbox. Taking an already taken case
    again changes nothing."""
    ticket = _ticket(uow, number)
    if ticket.status == "closed":
        raise ServiceError(f"ticket {number} is closed")
    if ticket.taken_at is None:
        ticket.taken_at, ticket.taken_by = at, by
        if ticket.status == "open":
            ticket.status = "taken"
        plan_taken(uow, book, ticket, at)
    return ticket


@transactional
def pause(
    uow: AbstractUnitOfWork,
    number: str,
    *,
    at: datetime,
    reason: str = "waiting_for_customer",
) -> Ticket:
    """Stop the response clock (policy-notes "Priorities": waiting time does not count).
    While paused the ticket has no due time and no escalation after ``at``."""
    ticket = _ticket(uow, number)
    if ticket.status == "closed":
        raise ServiceError(f"ticket {number} is closed")
    if _open_pause(ticket) is None:
        ticket.pauses = [*ticket.pauses, Pause(start=at, reason=reason)]
        ticket.status = "waiting"
        ticket.due_at = None
        ticket.escalations = [e for e in ticket.escalations if e.at <= at]
        plan_pause(uow, ticket, at)
    return ticket


@transactional
def resume(uow: AbstractUnitOfWork, book: CalendarBook, number: str, *, at: datetime) -> Ticket:
    """Restart the clock: the deadline and escalations are recomputed from the opening with
    every pause window left out, so they move later by the business time spent waiting."""
    ticket = _ticket(uow, number)
    current = _open_pause(ticket)
    if current is None:
        return ticket
    if at < current.start:
        raise ServiceError("a pause cannot end before it started")
    current.end = at
    ticket.status = "taken" if ticket.taken_at else "open"
    _reschedule(uow, book, ticket)
    plan_resume(uow, book, ticket, current.start, at)
    return ticket


@transactional
def resolve(
    uow: AbstractUnitOfWork, book: CalendarBook, number: str, *, by: str, at: datetime
) -> Ticket:
    """The case is solved: the ticket closes (a ticket nobody had taken in charge is taken by
    ``by`` first, so its escalations stop; an open pause ends). Resolving a closed ticket
    again changes nothing."""
    ticket = _ticket(uow, number)
    if ticket.status == "closed":
        return ticket
    current = _open_pause(ticket)
    if current is not None:
        current.end = at
    if ticket.taken_at is None:
        ticket.taken_at, ticket.taken_by = at, by
        plan_taken(uow, book, ticket, at)
    ticket.status = "closed"
    plan_resolved(uow, book, ticket, at)
    return ticket


def _open_pause(ticket: Ticket) -> Pause | None:
    return next((p for p in ticket.pauses if p.end is None), None)


def _reschedule(uow: AbstractUnitOfWork, book: CalendarBook, ticket: Ticket) -> None:
    contract = uow.contracts.get_by_id(ticket.contract_id) if ticket.contract_id else None
    if contract is None:
        return
    windows: list[Window] = [(p.start, p.end) for p in ticket.pauses]
    business = book.for_plan(contract.theatre, contract.week, contract.plan)
    if ticket.guaranteed:
        target = target_for(book.policy, contract.plan, ticket.priority)
        ticket.due_at, _ = due_for_target(
            target,
            ticket.opened_at,
            business,
            book.clock,
            around_the_clock=ticket.basis == "clock",
            pauses=windows,
        )
    schedule = escalation_schedule(
        book,
        theatre=contract.theatre,
        week=contract.week,
        plan=contract.plan,
        priority=ticket.priority,
        opened=ticket.opened_at,
        pauses=windows,
    )
    ticket.escalations = _escalations(schedule)


def _escalations(schedule: Iterable[EscalationAt]) -> list[Escalation]:
    return [Escalation(at=e.at, to=e.to, after_hours=e.after_hours) for e in schedule]
