"""The outbox worker when things go wrong: the SMTP server down, two workers at once, a worker
killed between claiming and recording."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from core.adapters.mail import SmtpNotifier
from core.bootstrap import Frontdoor
from core.model import OutboxEvent
from core.notify import Message
from core.worker import Report

from .helpers import add_contract, iso
from .mailbox import Clock, Mailbox, make_worker
from .test_escalation_mail import FRIDAY_17, events, open_gold_p2


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    yield box
    box.stop()


@pytest.fixture
def fd(frontdoor: Frontdoor) -> Frontdoor:
    add_contract(frontdoor)
    return frontdoor


def _opened_rows(rows: list[OutboxEvent]) -> list[OutboxEvent]:
    return [e for e in rows if e.kind == "ticket_opened"]


def test_smtp_down_then_back_delivers_everything_once_after_backoff(
    fd: Frontdoor, mailbox: Mailbox
) -> None:
    """Server down at 17:00: attempt 1 fails, the next waits 60 s, then 120 s; nothing is
    tried in between; once the server is back each message arrives exactly once."""
    clock = Clock(iso(FRIDAY_17))
    worker = make_worker(fd, SmtpNotifier(mailbox.settings()), clock, retry_seconds=60)
    ticket = open_gold_p2(fd)
    start = iso(FRIDAY_17)
    seen: list[tuple[int, object]] = []
    for offset, claimed in ((0, 2), (30, 0), (60, 2), (179, 0)):
        clock.now = start + timedelta(seconds=offset)
        assert worker.run_once().claimed == claimed
        rows = _opened_rows(events(fd, ticket))
        seen.append((rows[0].attempts, rows[0].lease_until))
        assert {e.status for e in rows} == {"failed"}
        assert all("ConnectionRefusedError" in (e.last_error or "") for e in rows)
    assert seen == [
        (1, start + timedelta(seconds=60)),
        (1, start + timedelta(seconds=60)),
        (2, start + timedelta(seconds=180)),
        (2, start + timedelta(seconds=180)),
    ]
    mailbox.start()
    clock.now = start + timedelta(seconds=180)
    assert len(worker.run_once().sent) == 2
    rows = _opened_rows(events(fd, ticket))
    assert [(e.status, e.attempts) for e in rows] == [("sent", 3), ("sent", 3)]
    received = mailbox.take()
    assert sorted(m["X-Frontdoor-Delivery-Id"] for m in received) == sorted(
        e.delivery_id for e in rows
    )
    clock.now = start + timedelta(hours=1)
    worker.run_once()
    assert mailbox.take() == []


def test_a_message_failing_past_the_maximum_age_is_dead(fd: Frontdoor, mailbox: Mailbox) -> None:
    """Still failing more than the maximum age after its due time: dead, never tried again."""
    clock = Clock(iso(FRIDAY_17))
    worker = make_worker(fd, SmtpNotifier(mailbox.settings()), clock, max_age_hours=1)
    ticket = open_gold_p2(fd)
    worker.run_once()
    clock.now = iso(FRIDAY_17) + timedelta(hours=1, minutes=1)
    worker.run_once()
    rows = _opened_rows(events(fd, ticket))
    assert [(e.status, e.attempts, e.lease_until) for e in rows] == [("dead", 2, None)] * 2
    mailbox.start()
    clock.now = iso(FRIDAY_17) + timedelta(hours=2)
    worker.run_once()
    assert mailbox.take() == []


def test_a_worker_killed_mid_delivery_leaves_its_rows_to_another_after_the_lease(
    fd: Frontdoor, mailbox: Mailbox
) -> None:
    """Worker A claims and dies: worker B leaves the rows alone while A's lease runs, then sends
    them with the same delivery ids; a late delivery by A carries the same id, so the receiver
    can drop it."""
    mailbox.start()
    clock = Clock(iso(FRIDAY_17))
    a = make_worker(fd, SmtpNotifier(mailbox.settings()), clock, lease_seconds=300)
    b = make_worker(fd, SmtpNotifier(mailbox.settings()), clock, lease_seconds=300)
    ticket = open_gold_p2(fd)
    claimed = a.claim(clock.now, Report())
    assert len(claimed) == 2
    clock.now = iso(FRIDAY_17) + timedelta(seconds=299)
    assert b.run_once().claimed == 0
    clock.now = iso(FRIDAY_17) + timedelta(seconds=300)
    assert sorted(b.run_once().sent) == sorted(m.delivery_id for _, m in claimed)
    rows = _opened_rows(events(fd, ticket))
    assert [(e.status, e.attempts) for e in rows] == [("sent", 2), ("sent", 2)]
    first = sorted(m["X-Frontdoor-Delivery-Id"] for m in mailbox.take())
    event_id, message = claimed[0]
    a.deliver(event_id, message, Report())  # A was only slow: its late send has the same id
    (late,) = mailbox.take()
    assert late["X-Frontdoor-Delivery-Id"] in first
    assert late["Message-ID"] == f"<{message.delivery_id}@support.example.com>"


class _SlowNotifier:
    """Takes a little time per message, so that two workers' rounds overlap."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, message: Message) -> None:
        time.sleep(0.005)
        self.sent.append(message.delivery_id)


def test_two_workers_on_postgresql_claim_disjoint_rows(
    postgres_frontdoor: Frontdoor,
) -> None:
    """Two workers in parallel threads over 8 tickets' whole ladders (96 messages): every
    message is sent once, by one of them, and both did part of the work."""
    fd = postgres_frontdoor
    add_contract(fd)
    tickets = [open_gold_p2(fd, key=f"phone:CA{n}") for n in range(8)]
    all_ids = {e.delivery_id for t in tickets for e in events(fd, t)}
    assert len(all_ids) == 96
    clock = Clock(iso("2026-11-26T13:00:00+01:00"))  # Thursday: the whole ladder is due
    notifiers = [_SlowNotifier(), _SlowNotifier()]
    # one message per notification (no digests), so that counting messages counts notifications
    workers = [make_worker(fd, n, clock, batch=5, digest_min=0) for n in notifiers]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            workers[index].run_once()
        except BaseException as exc:  # pragma: no cover - shown by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    one, two = notifiers[0].sent, notifiers[1].sent
    assert one and two
    assert len(one) + len(two) == len(all_ids) and set(one) | set(two) == all_ids
    assert {e.status for t in tickets for e in events(fd, t)} == {"sent"}


def test_the_next_due_instant_is_read_from_the_database(fd: Frontdoor, mailbox: Mailbox) -> None:
    """Opened Friday 17:00: the opening is due at once; the SMTP server down, the worker next
    wakes at the end of the backoff (60 s); once sent, at the breach warning (Saturday 09:30)."""
    open_gold_p2(fd)
    with fd.uow() as uow:
        assert uow.outbox.next_due() == iso(FRIDAY_17)
    clock = Clock(iso(FRIDAY_17))
    worker = make_worker(fd, SmtpNotifier(mailbox.settings()), clock, retry_seconds=60)
    worker.run_once()
    assert worker.until_next_due(10**6) == 60
    mailbox.start()
    clock.now += timedelta(seconds=60)
    assert len(worker.run_once().sent) == 2
    warning = iso("2026-11-21T09:30:00+01:00")
    assert worker.until_next_due(10**6) == (warning - clock.now).total_seconds()
