"""Callbacks asked for in the desk queue, through the outbox (docs/phone.md "The desk queue").

A caller waiting in the desk queue presses 1: the step's transaction writes one outbox row
(:func:`request_callback`, kind ``callback``, channel ``callback``) due now when the contract's
office is open, else at its next opening, and notes it on the ticket. The worker places the
call through Twilio's REST API (``outbound.TwilioCallback``): a sentence in the caller's
language, then the desk. The outcome is noted on the ticket (:func:`note_callback`) in the
transaction that records the attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.calendar import CalendarBook
from core.hours import office_hours
from core.model import Contract, OutboxEvent, Ticket
from core.services.outbox import add_event
from core.services.tickets import add_note
from core.unit_of_work import AbstractUnitOfWork

CALLBACK_KIND = "callback"  # the outbox rows of the callbacks (channel "callback" too)


@dataclass(frozen=True)
class Callback:
    """Whom to call back and how to bridge them: ``desk`` a number to ``<Dial>``, else
    ``queue`` a queue to ``<Enqueue>``; ``text`` what the callee hears first, in ``language``;
    ``caller_id`` the number the call comes from (the theatre's support number)."""

    to: str
    language: str
    text: str
    desk: str | None = None
    queue: str | None = None
    caller_id: str | None = None


def callback_due(book: CalendarBook, contract: Contract, at: datetime) -> datetime:
    """Now when the contract's office is open, else its next opening."""
    hours = office_hours(book, contract, at)
    return at if hours.open_now or hours.next_opening is None else hours.next_opening


def request_callback(
    uow: AbstractUnitOfWork,
    book: CalendarBook,
    ticket: Ticket,
    contract: Contract,
    callback: Callback,
    at: datetime,
) -> datetime:
    """One outbox row calling ``callback.to`` back at the next office hour (now when open),
    noted on the ticket; when it is due."""
    due = callback_due(book, contract, at)
    payload = {
        "channel": CALLBACK_KIND,
        "number": ticket.number,
        "theatre": contract.theatre,
        "to": callback.to,
        "language": callback.language,
        "text": callback.text,
        "desk": callback.desk,
        "queue": callback.queue,
        "caller_id": callback.caller_id,
    }
    add_event(uow, ticket, CALLBACK_KIND, due, payload, at)
    add_note(ticket, at, f"callback requested to {callback.to}, due {due.isoformat()}")
    return due


def note_callback(
    uow: AbstractUnitOfWork, event: OutboxEvent, error: str | None, at: datetime
) -> None:
    """The worker placed (``error`` None) or failed to place a callback: noted on the ticket."""
    if event.ticket_id is None:
        return
    ticket = uow.tickets.by_ids([event.ticket_id]).get(event.ticket_id)
    if ticket is None:
        return
    to = str(event.payload.get("to") or "?")
    text = f"callback placed to {to}" if error is None else f"callback to {to} failed: {error}"
    add_note(ticket, at, text)
