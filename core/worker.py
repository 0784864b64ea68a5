"""The outbox worker: sends the notifications that are due, each at least once.

One round (:meth:`OutboxWorker.run_once`) repeats until nothing is due:

1. claim, in a transaction of its own: rows pending or failed, due, and not leased, locked with
   ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (two workers never claim the same row; SQLite
   serialises write transactions instead); each gets ``lease_until = now + lease`` and one more
   attempt, its message is written, and the transaction commits;
2. deliver each message through the :class:`~core.notify.Notifier`, outside any transaction
   (the SMTP notifier keeps its connection open for the round). E-mail rows of the batch with
   the same recipient and kind, more than ``digest_min`` of them, go as digests: one e-mail
   listing up to ``digest_max`` notifications, whose outcome every member row gets;
3. record the batch's results in a new transaction: ``sent``; or ``failed`` with the error and
   a backoff (``lease_until`` = now + retry x 2^(attempts-1), at most the maximum), or ``dead``
   when the row is older than the maximum age.

A batch's lease and a round's sent rows are written in one statement each (the repository's
``lease`` and ``mark_sent``).

A worker that dies between 1 and 3 leaves its rows leased: they are claimed again once the
lease is over, with the same delivery id, so the receiver can drop a duplicate. The clock is
the ``clock`` the entry point gives (tests drive it).
"""

from __future__ import annotations

import itertools
import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core import delivery, metrics
from core.calendar import CalendarBook, Window
from core.logs import get_logger
from core.model import LADDER_KINDS, OutboxEvent, Ticket
from core.notices import Clock, DigestItem, compose_digest, has_digest
from core.notify import DeliveryError, Message, Notifier
from core.services.alert_calls import CALL_KIND, note_call
from core.services.callbacks import CALLBACK_KIND, note_callback
from core.services.outbox import ticket_calendar
from core.settings import OutboxSettings
from core.unit_of_work import AbstractUnitOfWork

log = logging.getLogger(__name__)
events = get_logger("frontdoor.outbox")
MIN_WAIT = 0.01  # seconds: a row due now (or overdue) is claimed at the next round
# a digest's delivery id: uuid5 of its members' sorted delivery ids in this namespace
DIGEST_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:frontdoor:outbox-digest")
_NOTED = {CALL_KIND: note_call, CALLBACK_KIND: note_callback}  # outcomes noted on the ticket


@dataclass
class Report:
    """What one round did (``claimed`` counts the rows this worker leased, ``sent`` their
    delivery ids, ``digests`` the digest e-mails handed over)."""

    claimed: int = 0
    sent: list[str] = field(default_factory=list)  # delivery ids
    failed: int = 0
    dead: int = 0
    cancelled: int = 0
    digests: int = 0


@dataclass(frozen=True)
class Delivery:
    """One message to hand over and the outbox rows it stands for (several: a digest)."""

    event_ids: tuple[int, ...]
    message: Message


def digest_id(delivery_ids: Sequence[str]) -> str:
    """The delivery id of a digest: the same for the same members, in any order."""
    return str(uuid.uuid5(DIGEST_NAMESPACE, ",".join(sorted(delivery_ids))))


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
        self._clocks: dict[tuple[object, ...], Clock] = {}  # one batch's (see _clock)
        self._channels: dict[int, str] = {}  # claimed row -> its channel, until recorded
        self._claimed: dict[int, tuple[str, str, int, str]] = {}  # row -> its log fields

    def run_once(self) -> Report:
        """Send everything due now; rows that fail wait for their backoff (a later round)."""
        report = Report()
        try:
            while True:
                batch = self.claim_batch(self.clock(), report)
                if not batch:
                    return report
                results: list[tuple[int, str | None]] = []
                for item in batch:
                    error = self._send(item.message)
                    self._log_delivery(item.event_ids, item.message, error)
                    results += [(event_id, error) for event_id in item.event_ids]
                    if len(item.event_ids) > 1 and error is None:
                        report.digests += 1
                self.record(results, report)
        finally:
            self._close_notifier()

    def run(self, stop: threading.Event) -> None:
        """Rounds until ``stop`` is set (SIGTERM): a round in progress finishes its deliveries,
        then the worker waits until the next row falls due (at most ``poll_seconds``, the
        longest a row written meanwhile waits) or until stopped."""
        while not stop.is_set():
            wait = self.settings.poll_seconds
            try:
                report = self.run_once()
                wait = self.until_next_due(wait)
            except Exception:  # the database is down: log, wait, try again
                log.exception("outbox round failed")
            else:
                if report.claimed:
                    log.info(
                        "outbox: %d sent (%d digests), %d failed, %d dead",
                        len(report.sent),
                        report.digests,
                        report.failed,
                        report.dead,
                    )
            stop.wait(wait)

    def until_next_due(self, longest: float) -> float:
        """Seconds until the next row can be claimed, at most ``longest``: an escalation goes
        out at its instant, not up to a poll later."""
        with self.uow() as uow:
            due = uow.outbox.next_due()
        metrics.outbox_lag(due, self.clock())
        if due is None:
            return longest
        return min(longest, max((due - self.clock()).total_seconds(), MIN_WAIT))

    def claim(self, now: datetime, report: Report) -> list[tuple[int, Message]]:
        """Lease the rows due at ``now`` and write one message per row, in one transaction."""
        return [(d.event_ids[0], d.message) for d in self.claim_batch(now, report, digests=False)]

    def claim_batch(self, now: datetime, report: Report, *, digests: bool = True) -> list[Delivery]:
        """Lease the rows due at ``now`` and write their messages (with ``digests``, one per
        group of e-mails to the same person of the same kind), in one transaction."""
        lease = now + timedelta(seconds=self.settings.lease_seconds)
        rows: list[tuple[OutboxEvent, Ticket]] = []
        skipped: list[tuple[OutboxEvent, str]] = []
        with self.uow() as uow:
            events = uow.outbox.claimable(now, self.settings.batch)
            tickets = uow.tickets.by_ids(e.ticket_id for e in events if e.ticket_id is not None)
            for event in events:
                ticket = tickets.get(event.ticket_id) if event.ticket_id is not None else None
                reason = self._not_to_send(event, ticket)
                if reason == "cancelled":
                    event.status, report.cancelled = "cancelled", report.cancelled + 1
                    skipped.append((event, "cancelled"))
                    continue
                if reason:
                    event.status, event.last_error = "dead", reason
                    report.dead += 1
                    skipped.append((event, "dead"))
                    continue
                assert ticket is not None
                rows.append((event, ticket))
            metrics.outbox_claimed(uow, rows, skipped, now)
            self._channels.update((e.id, delivery.channel_of(e)) for e, _ in rows if e.id)
            self._claimed.update(
                (e.id, (e.kind, e.delivery_id, e.attempts + 1, t.number or "?"))
                for e, t in rows
                if e.id
            )
            uow.outbox.lease([e.id for e, _ in rows if e.id is not None], lease)
            batch = self._deliveries(rows, now, digests)
            uow.commit()
        report.claimed += len(rows)
        return batch

    def _deliveries(
        self, rows: list[tuple[OutboxEvent, Ticket]], now: datetime, digests: bool
    ) -> list[Delivery]:
        """One delivery per row, but digests for a group of more than ``digest_min`` e-mails
        with the same recipient and kind, in the place of the group's first row."""
        self._clocks.clear()
        keys = [self._digest_key(event) if digests else None for event, _ in rows]
        groups: dict[tuple[str, str], list[tuple[OutboxEvent, Ticket]]] = {}
        for key, row in zip(keys, rows, strict=True):
            if key is not None:
                groups.setdefault(key, []).append(row)
        found: list[Delivery] = []
        for key, (event, ticket) in zip(keys, rows, strict=True):
            group = groups[key] if key is not None else []
            if len(group) <= self.settings.digest_min:
                found.append(self._single(event, ticket, now))
            elif group[0][0] is event:
                found += self._digests(group, now)
        return found

    def _digest_key(self, event: OutboxEvent) -> tuple[str, str] | None:
        """(kind, address) of an e-mail row that may join a digest, or None."""
        if self.settings.digest_min == 0 or delivery.channel_of(event) != "email":
            return None
        if not has_digest(event.kind):
            return None
        return event.kind, str(event.payload["recipient"]["email"]).strip().lower()

    def _digests(self, group: list[tuple[OutboxEvent, Ticket]], now: datetime) -> list[Delivery]:
        """The group split evenly into digests of at most ``digest_max`` rows, in order."""
        parts = -(-len(group) // self.settings.digest_max)
        bounds = [len(group) * i // parts for i in range(parts + 1)]
        found: list[Delivery] = []
        for members in (group[a:b] for a, b in itertools.pairwise(bounds)):
            if len(members) == 1:  # a maximum of 1: no digest
                found.append(self._single(*members[0], now))
                continue
            items = [
                DigestItem(e.delivery_id, e.payload, self._clock(e, t, now)) for e, t in members
            ]
            ids = digest_id([item.delivery_id for item in items])
            message = compose_digest(members[0][0].kind, items, ids, self.base_url, now)
            found.append(Delivery(tuple(e.id for e, _ in members if e.id is not None), message))
        return found

    def _single(self, event: OutboxEvent, ticket: Ticket, now: datetime) -> Delivery:
        assert event.id is not None
        return Delivery((event.id,), self._message(event, ticket, now))

    def deliver(self, event_id: int, message: Message, report: Report) -> None:
        """Send one claimed message and record the outcome in a transaction of its own."""
        try:
            error = self._send(message)
        finally:
            self._close_notifier()
        self._log_delivery((event_id,), message, error)
        self.record([(event_id, error)], report)

    def _log_delivery(self, event_ids: Sequence[int], message: Message, error: str | None) -> None:
        """One ``outbox.delivered`` or ``outbox.failed`` event per row handed over (the rows of
        a digest name it in ``digest``); never the address or the text."""
        for event_id in event_ids:
            kind, delivery_id, attempt, ticket = self._claimed.pop(event_id, ("?", "?", 0, "?"))
            (events.warning if error else events.info)(
                "outbox.failed" if error else "outbox.delivered",
                kind=kind,
                channel=message.channel,
                delivery_id=delivery_id,
                attempt=attempt,
                ticket=ticket,
                digest=message.delivery_id if len(event_ids) > 1 else None,
                error=error,
            )

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
        """The outcomes of delivered rows (error None: sent), in one transaction: the sent
        rows in one statement, the others one by one."""
        now = self.clock()
        with self.uow() as uow:
            sent = [event_id for event_id, error in results if error is None]
            results = [(event_id, error) for event_id, error in results if error is not None]
            for event_id, kind, delivery_id in uow.outbox.mark_sent(sent, now):
                report.sent.append(delivery_id)
                self._count(uow, event_id, kind, "sent")
                event = uow.outbox.get(event_id) if kind in _NOTED else None
                if event is not None:  # the on-call call's or callback's outcome, on the ticket
                    _NOTED[kind](uow, event, None, now)
            for event_id, error in results:
                event = uow.outbox.get(event_id, lock=True)
                if event is not None:  # None: its ticket was deleted meanwhile
                    self._record(event, error, now, report)
                    self._count(uow, event_id, event.kind, event.status)
                    if event.kind in _NOTED:
                        _NOTED[event.kind](uow, event, error, now)
            uow.commit()

    def _count(self, uow: AbstractUnitOfWork, event_id: int, kind: str, status: str) -> None:
        """The row's outcome in ``frontdoor_notifications_total``, once recorded."""
        channel = self._channels.pop(event_id, "unknown")
        uow.after_commit(lambda: metrics.notification(kind, channel, status))

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
        return delivery.render(event, self._clock(event, ticket, now), self.base_url, now)

    def _clock(self, event: OutboxEvent, ticket: Ticket, now: datetime) -> Clock:
        """The ticket's deadline and business time left at ``now``, in the theatre's time
        (kept for the batch: tickets opened together share it)."""
        if ticket.due_at is None or not ticket.guaranteed:
            return Clock(due=None, left=None)
        calendar = ticket_calendar(self.book, ticket, event.payload)
        pauses: tuple[Window, ...] = tuple((p.start, p.end) for p in ticket.pauses)
        zone = self.book.policy.theatres[event.payload["theatre"]].zone
        key = (id(calendar), ticket.due_at, pauses, str(zone), now)  # the book keeps calendars
        found = self._clocks.get(key)
        if found is None:
            if now < ticket.due_at:
                left = calendar.elapsed(now, ticket.due_at, pauses)
            else:
                left = -calendar.elapsed(ticket.due_at, now, pauses)
            found = self._clocks[key] = Clock(due=ticket.due_at.astimezone(zone), left=left)
        return found
