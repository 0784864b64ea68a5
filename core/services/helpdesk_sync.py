"""Bringing the helpdesk's changes back to our tickets (docs/helpdesk.md).

One round (:func:`sync_once`) asks the :class:`~core.helpdesk.Helpdesk` for the tickets of the
front door's queues changed since the cursor (with an overlap), and for each one of ours:

1. stores the helpdesk's id on our ticket (``helpdesk_ref``) the first time it sees it;
2. when the ticket changed since the cursor, or its state and ours disagree, reads the ticket's
   events (outside any transaction) and applies those not applied yet, in order, in one
   transaction: taken in charge (:func:`~core.services.tickets.take_in_charge`), waiting for
   the customer (:func:`~core.services.tickets.pause`), back from waiting
   (:func:`~core.services.tickets.resume`), resolved (:func:`~core.services.tickets.resolve`),
   each at the instant the helpdesk recorded.

Applying is idempotent: every event is checked against our ticket first (a ticket already in
charge is not taken again; a pause is applied only when it starts after our latest pause; a
resume only ends a pause that started before it), so a round repeated after a crash, an
overlap or a helpdesk that was down changes nothing twice. The cursor moves to the latest
change applied, and never past a ticket whose events could not be read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core import metrics
from core.calendar import CalendarBook
from core.helpdesk import Cursor, Helpdesk, HelpdeskError, RemoteEvent, RemoteTicket
from core.model import Pause, Ticket
from core.services.errors import ServiceError
from core.services.tickets import is_valid_ticket_number, pause, resolve, resume, take_in_charge
from core.unit_of_work import AbstractUnitOfWork, transactional

log = logging.getLogger(__name__)
# asked again every round: the helpdesk may read our instant in another time zone (RT reads
# the dates of a search in its user's zone), and applying a change twice changes nothing
OVERLAP = timedelta(days=1)


@dataclass
class SyncReport:
    seen: int = 0  # tickets of ours the helpdesk listed
    linked: int = 0  # helpdesk ids stored on our tickets
    applied: list[str] = field(default_factory=list)  # "<number> <kind>"
    unknown: int = 0  # helpdesk tickets that are not ours
    errors: list[str] = field(default_factory=list)
    cursor: datetime | None = None


def sync_once(
    uow: Callable[[], AbstractUnitOfWork],
    book: CalendarBook,
    helpdesk: Helpdesk,
    cursor: Cursor,
) -> SyncReport:
    """One round; :class:`~core.helpdesk.HelpdeskError` when the list cannot be read."""
    since = cursor.get()
    report = SyncReport(cursor=since)
    try:
        remote = helpdesk.changed_since(since - OVERLAP if since else None)
    except HelpdeskError:
        metrics.HELPDESK_SYNC_ERRORS.labels("list").inc()
        raise
    for item in sorted(remote, key=lambda r: r.updated_at):
        if item.number is None or not is_valid_ticket_number(item.number):
            report.unknown += 1
            continue
        try:
            _follow(uow, book, helpdesk, item, since, report)
        except HelpdeskError as exc:  # try again next round, from here
            report.errors.append(f"{item.number}: {exc}")
            metrics.HELPDESK_SYNC_ERRORS.labels("events").inc()
            break
        if report.cursor is None or item.updated_at > report.cursor:
            report.cursor = item.updated_at
    if report.cursor is not None and report.cursor != since:
        cursor.set(report.cursor)
    return report


def _follow(
    uow: Callable[[], AbstractUnitOfWork],
    book: CalendarBook,
    helpdesk: Helpdesk,
    item: RemoteTicket,
    since: datetime | None,
    report: SyncReport,
) -> None:
    with uow() as unit:
        ticket = unit.tickets.get(item.number or "")
        if ticket is None:
            report.unknown += 1
            return
        report.seen += 1
        look = since is None or item.updated_at >= since or disagree(ticket, item)
        linked = ticket.helpdesk_ref != item.ref
    events = helpdesk.events(item.ref) if look else []
    if not (events or linked):
        return
    with uow() as unit:
        ticket = unit.tickets.get(item.number or "")
        assert ticket is not None
        if ticket.helpdesk_ref != item.ref:
            ticket.helpdesk_ref = item.ref
            report.linked += 1
        try:
            done = apply_events(unit, book, ticket.number or "", events)
        except ServiceError as exc:  # our ticket refuses it: say so, do not retry forever
            report.errors.append(f"{ticket.number}: {exc}")
            metrics.HELPDESK_SYNC_ERRORS.labels("apply").inc()
            unit.rollback()
            return
        unit.commit()
    report.applied += [f"{ticket.number} {kind}" for kind in done]


def disagree(ticket: Ticket, item: RemoteTicket) -> bool:
    """True when the helpdesk's state says something our ticket does not show yet."""
    if ticket.status == "closed":
        return False
    taken = item.owner is not None or item.state != "new"
    return (
        (taken and ticket.taken_at is None)
        or (item.state == "stalled") != (ticket.status == "waiting")
        or item.state == "closed"
    )


@transactional
def apply_events(
    uow: AbstractUnitOfWork, book: CalendarBook, number: str, events: Iterable[RemoteEvent]
) -> list[str]:
    """Apply the events our ticket does not show yet, in order; the kinds applied."""
    done: list[str] = []
    for event in sorted(events, key=lambda e: e.seq):
        ticket = uow.tickets.get(number)
        if ticket is None or not _applies(ticket, event):
            continue
        if event.kind == "take":
            take_in_charge(uow, book, number, by=event.by, at=event.at)
        elif event.kind == "pause":
            pause(uow, number, at=event.at)
        elif event.kind == "resume":
            resume(uow, book, number, at=event.at)
        else:
            resolve(uow, book, number, by=event.by, at=event.at)
        done.append(event.kind)
    return done


def _applies(ticket: Ticket, event: RemoteEvent) -> bool:
    if ticket.status == "closed":
        return False
    current = _open_pause(ticket)
    if event.kind == "take":
        return ticket.taken_at is None
    if event.kind == "pause":
        return current is None and all(p.start < event.at for p in ticket.pauses)
    if event.kind == "resume":
        return current is not None and current.start <= event.at
    return True  # resolve


def _open_pause(ticket: Ticket) -> Pause | None:
    return next((p for p in ticket.pauses if p.end is None), None)


@transactional
def transcript_text(uow: AbstractUnitOfWork, channel: str, conversation_id: str | None) -> str:
    """The conversation's lines as stored (secrets masked), one per line with their time."""
    if not conversation_id:
        return ""
    transcript = uow.transcripts.get(channel, conversation_id)
    if transcript is None:
        return ""
    return "\n".join(
        f"{turn.at.isoformat(timespec='seconds')} {turn.speaker}: {turn.text}"
        for turn in transcript.turns
    )
