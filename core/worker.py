"""The outbox worker: sends the notifications that are due, each at least once.

One round (:meth:`OutboxWorker.run_once`) repeats until nothing is due:

1. claim, in a transaction of its own: rows pending or failed, due, and not leased, locked with
   ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (two workers never claim the same row; SQLite
   serialises write transactions instead); each gets ``lease_until = now + lease`` and one more
   attempt, its message is written, and the transaction commits;
2. deliver each message through the :class:`~core.notify.Notifier`, outside any transaction
   (the SMTP notifier keeps its connection open for the round);
3. record the batch's results in a new transaction: ``sent``; or ``failed`` with the error and
   a backoff (``lease_until`` = now + retry x 2^(attempts-1), at most the maximum), or ``dead``
   when the row is older than the maximum age.

A worker that dies between 1 and 3 leaves its rows leased: they are claimed again once the
lease is over, with the same delivery id, so the receiver can drop a duplicate. The clock is
the ``clock`` the entry point gives (tests drive it).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core import delivery
from core.calendar import CalendarBook, Window
from core.model import LADDER_KINDS, OutboxEvent, Ticket
from core.notices import Clock
from core.notify import DeliveryError, Message, Notifier
from core.services.alert_calls import CALL_KIND, note_call
from core.services.outbox import ticket_calendar
from core.settings import OutboxSettings
from core.unit_of_work import AbstractUnitOfWork

log = logging.getLogger(__name__)


@dataclass
class Report:
    """What one round did (``claimed`` counts the rows this worker leased)."""

    claimed: int = 0
    sent: list[str] = field(default_factory=list)  # delivery ids
    failed: int = 0
    dead: int = 0
    cancelled: int = 0


class OutboxWorker:
    def __init__(
        self,
        uow: Callable[[], AbstractUnitOfWork],
        book: CalendarBook,
        notifier: Notifier,
        settings: OutboxSettings,
        *,
        base_url: str,
        clock: Callable[[], datetime],
    ):
        self.uow, self.book, self.notifier = uow, book, notifier
        self.settings, self.base_url, self.clock = settings, base_url, clock

    def run_once(self) -> Report:
        """Send everything due now; rows that fail wait for their backoff (a later round)."""
        report = Report()
        try:
            while True:
                claimed = self.claim(self.clock(), report)
                if not claimed:
                    return report
                results = [(event_id, self._send(message)) for event_id, message in claimed]
                self.record(results, report)
        finally:
            self._close_notifier()

    def run(self, stop: threading.Event) -> None:
        """Rounds until ``stop`` is set (SIGTERM): a round in progress finishes its deliveries,
        then the worker waits ``poll_seconds`` or until stopped."""
        while not stop.is_set():
            try:
                report = self.run_once()
            except Exception:  # the database is down: log, wait, try again
                log.exception("outbox round failed")
            else:
                if report.claimed:
                    log.info(
                        "outbox: %d sent, %d failed, %d dead",
                        len(report.sent),
                        report.failed,
                        report.dead,
                    )
            stop.wait(self.settings.poll_seconds)

    def claim(self, now: datetime, report: Report) -> list[tuple[int, Message]]:
        """Lease the rows due at ``now`` and write their messages, in one transaction."""
        lease = now + timedelta(seconds=self.settings.lease_seconds)
        claimed: list[tuple[int, Message]] = []
        with self.uow() as uow:
            events = uow.outbox.claimable(now, self.settings.batch)
            tickets = uow.tickets.by_ids(e.ticket_id for e in events if e.ticket_id is not None)
            for event in events:
                assert event.id is not None
                ticket = tickets.get(event.ticket_id) if event.ticket_id is not None else None
                reason = self._not_to_send(event, ticket)
                if reason == "cancelled":
                    event.status, report.cancelled = "cancelled", report.cancelled + 1
                    continue
                if reason:
                    event.status, event.last_error = "dead", reason
                    report.dead += 1
                    continue
                event.lease_until, event.attempts = lease, event.attempts + 1
                assert ticket is not None
                claimed.append((event.id, self._message(event, ticket, now)))
            uow.commit()
        report.claimed += len(claimed)
        return claimed

    def deliver(self, event_id: int, message: Message, report: Report) -> None:
        """Send one claimed message and record the outcome in a transaction of its own."""
        try:
            error = self._send(message)
        finally:
            self._close_notifier()
        self.record([(event_id, error)], report)

    def _close_notifier(self) -> None:
        close = getattr(self.notifier, "close", None)  # a notifier that keeps a connection
        if close is not None:
            close()

    def _send(self, message: Message) -> str | None:
        """Hand the message over: None, or the first line of the error."""
        try:
            self.notifier.send(message)
        except DeliveryError as exc:
            return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return None

    def record(self, results: list[tuple[int, str | None]], report: Report) -> None:
        """The outcomes of delivered rows (error None: sent), in one transaction."""
        now = self.clock()
        with self.uow() as uow:
            for event_id, error in results:
                event = uow.outbox.get(event_id, lock=True)
                if event is not None:  # None: its ticket was deleted meanwhile
                    self._record(event, error, now, report)
                    if event.kind == CALL_KIND:  # the on-call call's outcome, on the ticket
                        note_call(uow, event, error, now)
            uow.commit()

    def _record(self, event: OutboxEvent, error: str | None, now: datetime, report: Report) -> None:
        if error is None:
            event.status, event.sent_at, event.lease_until = "sent", now, None
            report.sent.append(event.delivery_id)
            return
        event.last_error = error
        if event.status == "cancelled":  # cancelled while in flight: nothing to retry
            return
        if now - event.due_at >= timedelta(hours=self.settings.max_age_hours):
            event.status, event.lease_until = "dead", None
            report.dead += 1
            return
        event.status, event.lease_until = "failed", now + self.backoff(event.attempts)
        report.failed += 1

    def backoff(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed attempt: doubling, capped."""
        seconds = self.settings.retry_seconds * 2 ** max(attempts - 1, 0)
        return timedelta(seconds=min(seconds, self.settings.retry_max_seconds))

    def _not_to_send(self, event: OutboxEvent, ticket: Ticket | None) -> str | None:
        """Why the row is not sent: ``cancelled`` (its ticket is in charge already), a dead
        reason (no one to send to, no ticket), or None."""
        problem = delivery.missing(event)
        if problem:
            return problem
        if ticket is None:
            return "the ticket no longer exists"
        if event.kind in (*LADDER_KINDS, CALL_KIND) and ticket.taken_at is not None:
            return "cancelled"  # in charge: no escalation, no call to another engineer
        return None

    def _message(self, event: OutboxEvent, ticket: Ticket, now: datetime) -> Message:
        clock = Clock(due=None, left=None)
        if ticket.due_at is not None and ticket.guaranteed:
            calendar = ticket_calendar(self.book, ticket, event.payload)
            pauses: list[Window] = [(p.start, p.end) for p in ticket.pauses]
            if now < ticket.due_at:
                left = calendar.elapsed(now, ticket.due_at, pauses)
            else:
                left = -calendar.elapsed(ticket.due_at, now, pauses)
            zone = self.book.policy.theatres[event.payload["theatre"]].zone
            clock = Clock(due=ticket.due_at.astimezone(zone), left=left)
        return delivery.render(event, clock, self.base_url, now)
