"""Planning the notifications of a ticket's clock in the outbox (docs/escalations.md).

Each function runs inside the transaction of the change that causes the notifications, so a
ticket is never stored without them, and a ticket taken in charge never keeps them:

- a ticket opens (:func:`plan_opening`, from :func:`~core.services.intake.submit_case`):
  ``ticket_opened`` now, one ``escalation_due`` per step of its ladder at the step's instant,
  a ``breach_warning`` at the policy's share of the target and a ``breach`` at the deadline;
- taken in charge (:func:`plan_taken`): the pending ladder events are cancelled and
  ``taken_in_charge`` is written to everyone told of the opening or escalated to so far;
- paused (:func:`plan_pause`): the pending ladder events after the pause are cancelled;
  resumed (:func:`plan_resume`): they are planned again from the recomputed schedule.

One event is one message to one person (the policy's ``escalation_contacts`` of the ticket's
theatre and the step's role), with a stable delivery id; a role nobody holds gets one event
without a recipient, which the worker reports as dead.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from core.calendar import BusinessCalendar, CalendarBook, Window
from core.delivery import channel_of
from core.helpdesk import helpdesk_payload
from core.model import LADDER_KINDS, OutboxEvent, Ticket
from core.policy_notify import contact_dict
from core.unit_of_work import AbstractUnitOfWork

OPEN_STATUSES = ("pending", "failed")


def plan_opening(uow: AbstractUnitOfWork, book: CalendarBook, ticket: Ticket, at: datetime) -> None:
    """The notifications of a ticket just opened; a ticket that has some already (a retried
    delivery returned the first one's ticket) gets none again."""
    assert ticket.id is not None
    if uow.outbox.for_ticket(ticket.id):
        return
    facts = _facts(uow, book, ticket)
    policy = book.policy
    _write(uow, book, ticket, facts, "ticket_opened", at, policy.notifications.ticket_opened, at)
    _plan_ladder(uow, book, ticket, facts, after=None, at=at)
    if policy.helpdesk is not None:  # one row hands the ticket to the helpdesk (core.helpdesk)
        handover = helpdesk_payload(ticket, facts, policy.helpdesk)
        add_event(uow, ticket, "ticket_opened", at, handover, at)


def plan_taken(uow: AbstractUnitOfWork, book: CalendarBook, ticket: Ticket, at: datetime) -> None:
    """Cancel what was still to come, and tell the people told of the opening and those
    already escalated to (by e-mail, and by phone for the priority's phone channels), and the
    webhooks, that the ticket is in charge."""
    assert ticket.id is not None
    events = uow.outbox.for_ticket(ticket.id)
    _cancel(events, after=None, at=at)
    told = [
        e
        for e in events
        if channel_of(e) == "email"
        and (
            e.kind == "ticket_opened"
            or (e.kind == "escalation_due" and e.status != "cancelled" and e.due_at <= at)
        )
    ]
    seen: set[str] = set()
    for event in told:
        recipient = event.payload.get("recipient")
        email = recipient["email"] if recipient else f"role:{event.payload.get('role')}"
        if email in seen:
            continue
        seen.add(email)
        facts = {k: v for k, v in event.payload.items() if k != "after_hours"}
        payload = {**facts, "taken_by": ticket.taken_by}
        _to_person(uow, book, ticket, "taken_in_charge", at, payload, at)
    facts = {**_facts(uow, book, ticket), "taken_by": ticket.taken_by, "roles": ()}
    _to_webhooks(uow, book, ticket, "taken_in_charge", at, facts, at)


def plan_resolved(
    uow: AbstractUnitOfWork, book: CalendarBook, ticket: Ticket, at: datetime
) -> None:
    """The ticket is closed: whatever is still to come is cancelled, and the webhooks that list
    ``resolved`` are told."""
    assert ticket.id is not None
    _cancel(uow.outbox.for_ticket(ticket.id), after=None, at=at)
    facts = {**_facts(uow, book, ticket), "taken_by": ticket.taken_by, "roles": ()}
    _to_webhooks(uow, book, ticket, "resolved", at, facts, at)


def plan_pause(uow: AbstractUnitOfWork, ticket: Ticket, at: datetime) -> None:
    """The clock stops at ``at``: the ladder events after it are cancelled."""
    assert ticket.id is not None
    _cancel(uow.outbox.for_ticket(ticket.id), after=at, at=at)


def plan_resume(
    uow: AbstractUnitOfWork, book: CalendarBook, ticket: Ticket, paused_at: datetime, at: datetime
) -> None:
    """The clock runs again: the ladder after the pause's start, from the recomputed schedule
    (it moved later by the business time spent waiting). A ticket in charge gets none."""
    if ticket.taken_at is not None:
        return
    _plan_ladder(uow, book, ticket, _facts(uow, book, ticket), after=paused_at, at=at)


def _plan_ladder(
    uow: AbstractUnitOfWork,
    book: CalendarBook,
    ticket: Ticket,
    facts: dict[str, Any],
    *,
    after: datetime | None,
    at: datetime,
) -> None:
    for step in ticket.escalations:
        if after is None or step.at > after:
            extra = {"after_hours": step.after_hours}
            _write(uow, book, ticket, facts, "escalation_due", step.at, [step.to], at, extra)
    if not ticket.guaranteed or ticket.due_at is None:
        return
    notify = book.policy.notifications
    warning = breach_warning_at(book, ticket, facts, notify.breach_warning_share)
    for kind, due, roles in (
        ("breach_warning", warning, notify.breach_warning),
        ("breach", ticket.due_at, notify.breach),
    ):
        if after is None or due > after:
            _write(uow, book, ticket, facts, kind, due, roles, at)


def breach_warning_at(
    book: CalendarBook, ticket: Ticket, facts: dict[str, Any], share: float
) -> datetime:
    """When ``share`` of the ticket's target has passed on its clock (business time on the
    plan's calendar, the 24x7 clock for an on-call deadline), pauses left out."""
    assert ticket.due_at is not None
    calendar = ticket_calendar(book, ticket, facts)
    pauses: list[Window] = [(p.start, p.end) for p in ticket.pauses]
    budget = calendar.elapsed(ticket.opened_at, ticket.due_at, pauses)
    return calendar.add(ticket.opened_at, budget * share, pauses)


def ticket_calendar(book: CalendarBook, ticket: Ticket, facts: dict[str, Any]) -> BusinessCalendar:
    """The calendar the ticket's clock runs on."""
    if ticket.basis == "clock" or not facts.get("plan"):
        return book.clock
    return book.for_plan(facts["theatre"], facts.get("week"), facts["plan"])


def _facts(uow: AbstractUnitOfWork, book: CalendarBook, ticket: Ticket) -> dict[str, Any]:
    """What every message of the ticket says, as of when it was planned."""
    contract = uow.contracts.get_by_id(ticket.contract_id) if ticket.contract_id else None
    return {
        "number": ticket.number,
        "priority": ticket.priority,
        "customer": contract.customer.name if contract else None,
        "contract": contract.code if contract else None,
        "theatre": contract.theatre if contract else book.policy.default_theatre,
        "week": contract.week if contract else None,
        "plan": contract.plan if contract else None,
    }


def _write(
    uow: AbstractUnitOfWork,
    book: CalendarBook,
    ticket: Ticket,
    facts: dict[str, Any],
    kind: str,
    due: datetime,
    roles: Iterable[str],
    at: datetime,
    extra: dict[str, Any] | None = None,
) -> None:
    """The rows of one event: an e-mail to each person of each role (the priority's phone
    channels too, for those with a phone), and one row per webhook subscribed to it."""
    roles = tuple(roles)
    people = book.policy.escalation_contacts.get(facts["theatre"], {})
    for role in roles:
        recipients: list[dict[str, Any] | None] = [contact_dict(c) for c in people.get(role, ())]
        for recipient in recipients or [None]:
            payload = {**facts, **(extra or {}), "role": role, "recipient": recipient}
            _to_person(uow, book, ticket, kind, due, payload, at)
    _to_webhooks(uow, book, ticket, kind, due, {**facts, **(extra or {}), "roles": roles}, at)


def _to_person(
    uow: AbstractUnitOfWork,
    book: CalendarBook,
    ticket: Ticket,
    kind: str,
    due: datetime,
    payload: dict[str, Any],
    at: datetime,
) -> None:
    add_event(uow, ticket, kind, due, payload, at)
    recipient = payload.get("recipient") or {}
    if recipient.get("phone"):
        for channel in book.policy.notifications.phone_channels.get(ticket.priority, ()):
            add_event(uow, ticket, kind, due, {**payload, "channel": channel}, at)


def _to_webhooks(
    uow: AbstractUnitOfWork,
    book: CalendarBook,
    ticket: Ticket,
    kind: str,
    due: datetime,
    facts: dict[str, Any],
    at: datetime,
) -> None:
    for hook in book.policy.webhooks:
        if kind in hook.events:
            endpoint = {"name": hook.name, "url": hook.url}
            payload = {**facts, "channel": "webhook", "endpoint": endpoint}
            add_event(uow, ticket, kind, due, payload, at)


def add_event(
    uow: AbstractUnitOfWork,
    ticket: Ticket,
    kind: str,
    due: datetime,
    payload: dict[str, Any],
    at: datetime,
) -> None:
    """One outbox row for ``ticket``, due at ``due``, with a new delivery id."""
    event = OutboxEvent(
        kind=kind,
        ticket_id=ticket.id,
        payload=payload,
        delivery_id=str(uuid.uuid4()),
        due_at=due,
        created_at=at,
    )
    uow.outbox.add(event)


def _cancel(events: Iterable[OutboxEvent], *, after: datetime | None, at: datetime) -> None:
    for event in events:
        later = after is None or event.due_at > after
        if event.kind in LADDER_KINDS and event.status in OPEN_STATUSES and later:
            event.status = "cancelled"
            event.last_error = f"cancelled at {at.isoformat()}"
