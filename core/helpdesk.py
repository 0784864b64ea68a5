"""The helpdesk port: where the helpdesk engineers work on the front door's tickets.

Two directions (docs/helpdesk.md):

- **out**: each ticket opened gets one outbox row of channel ``helpdesk`` (planned by
  :func:`core.services.outbox.plan_opening` when the policy names a helpdesk). The worker hands
  its :class:`~core.notify.Message` to the helpdesk adapter, a :class:`~core.notify.Notifier`
  like the others, which creates the helpdesk ticket exactly once: it first looks for a
  ticket with our number and reuses it (a retried delivery, a worker that died after creating).
- **back**: :class:`Helpdesk` lists the helpdesk tickets changed since a point in time and the
  changes of one ticket as :class:`RemoteEvent`; :mod:`core.services.helpdesk_sync` applies
  them to our tickets (taken in charge, paused, resumed, resolved).

The built-in console needs neither: without a ``helpdesk`` policy nothing is written or read.
The adapter for Request Tracker 5 is :mod:`outbound.request_tracker`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from core.model import Ticket
from core.policy_helpdesk import HelpdeskPolicy

CHANNEL = "helpdesk"  # the outbox rows handed to the helpdesk

EventKind = Literal["take", "pause", "resume", "resolve"]
# the helpdesk's status as the front door reads it: not yet looked at, being worked on,
# waiting for the customer, done
RemoteState = Literal["new", "open", "stalled", "closed"]


class HelpdeskError(Exception):
    """The helpdesk cannot be reached or refused a request (one line, no secret)."""


@dataclass(frozen=True)
class RemoteTicket:
    """A helpdesk ticket as the sync needs it: its id, our number, its state and last change."""

    ref: str  # the helpdesk's id of the ticket
    number: str | None  # our ticket number, None when the ticket is not one of ours
    state: RemoteState
    owner: str | None  # who owns it, None when nobody does
    updated_at: datetime


@dataclass(frozen=True)
class RemoteEvent:
    """One change of a helpdesk ticket, in the helpdesk's order (``seq`` increases)."""

    seq: int
    kind: EventKind
    at: datetime
    by: str


class Helpdesk(Protocol):
    """What the sync asks the helpdesk; each method raises :class:`HelpdeskError`."""

    def changed_since(self, since: datetime | None) -> list[RemoteTicket]:
        """Tickets of the front door's queues changed at or after ``since`` (None: all),
        oldest change first. The answer may hold more than asked (an overlap): the sync is
        idempotent."""

    def events(self, ref: str) -> list[RemoteEvent]:
        """What happened to the ticket that the front door follows, in order."""


class Cursor(Protocol):
    """Where the sync keeps the latest change it has applied (a row in our database)."""

    def get(self) -> datetime | None: ...

    def set(self, value: datetime) -> None: ...


def helpdesk_payload(
    ticket: Ticket, facts: dict[str, Any], helpdesk: HelpdeskPolicy
) -> dict[str, Any]:
    """The outbox payload of the row that hands ``ticket`` to the helpdesk: the notification
    facts (number, priority, customer, contract, theatre, plan) and what the helpdesk ticket
    shows (queue, summary, channel, language, guarantee, deadline)."""
    return {
        **facts,
        "channel": CHANNEL,
        "queue": helpdesk.queue_for(facts.get("theatre")),
        "summary": ticket.summary,
        "ticket_channel": ticket.channel,
        "conversation_id": ticket.conversation_id,
        "language": ticket.language,
        "guaranteed": ticket.guaranteed,
        "opened_at": ticket.opened_at.isoformat(),
        "due_at": ticket.due_at.isoformat() if ticket.due_at else None,
    }
