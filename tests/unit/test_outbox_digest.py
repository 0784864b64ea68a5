"""Digests: many e-mails of one kind to one person in a claimed batch go as one e-mail whose
outcome every member row gets (the in-memory unit of work and notifier)."""

from __future__ import annotations

import email
import email.policy
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from core.adapters.mail import build_email, render_email
from core.calendar import CalendarBook
from core.model import Contract, OutboxEvent
from core.notices import Clock, DigestItem, compose, compose_digest
from core.notify import Message
from core.services import Case, submit_case
from core.settings import OutboxSettings, SettingsError, load_settings
from core.testing import FakeNotifier, FakeOutboxRepository, FakeTicketRepository, FakeUnitOfWork
from core.worker import DIGEST_NAMESPACE, OutboxWorker, Report, digest_id

FRIDAY_17 = datetime.fromisoformat("2026-11-20T17:00:00+01:00")
THURSDAY = datetime.fromisoformat("2026-11-26T13:00:00+01:00")  # every ladder step is due
TEAM = {"support-eu@example.com": "en", "supporto-it@example.com": "it"}


def _worker(
    book: CalendarBook, contract: Contract, tickets: int, **settings: Any
) -> tuple[FakeUnitOfWork, FakeNotifier, OutboxWorker]:
    """``tickets`` Gold P2 tickets opened on Friday 17:00, and a worker at that time."""
    uow, notifier = FakeUnitOfWork(), FakeNotifier()
    uow.contracts.add(contract)
    for n in range(tickets):
        case = Case("phone", f"CA{n}", FRIDAY_17, contract, "P2", "en", idempotency_key=f"k{n}")
        submit_case(uow, book, case)
    worker = OutboxWorker(
        lambda: uow,
        book,
        notifier,
        OutboxSettings(**{"digest_min": 3, **settings}),
        base_url="https://fd.example.com",
        clock=lambda: FRIDAY_17,
    )
    return uow, notifier, worker


def _all(uow: FakeUnitOfWork) -> list[OutboxEvent]:
    assert isinstance(uow.outbox, FakeOutboxRepository)
    return uow.outbox.items


def _rows(uow: FakeUnitOfWork, kind: str = "ticket_opened") -> list[OutboxEvent]:
    return [e for e in _all(uow) if e.kind == kind]


def _members(message: Message) -> list[str]:
    return list(message.data.get("delivery_ids") or [message.delivery_id])


def test_more_than_three_openings_for_one_person_go_as_one_digest_each(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """Four tickets opened: each of the two team addresses gets one e-mail listing the four,
    in its language; all eight rows are sent with their own delivery ids."""
    uow, notifier, worker = _worker(book, contract(), 4)
    report = worker.run_once()
    assert report.digests == 2 and len(notifier.sent) == 2
    by_address = {m.to_address: m for m in notifier.sent}
    assert {a: m.language for a, m in by_address.items()} == TEAM
    assert by_address["support-eu@example.com"].subject == "[frontdoor] 4 new tickets"
    assert by_address["supporto-it@example.com"].subject == "[frontdoor] 4 nuovi ticket"
    rows = _rows(uow)
    for address, message in by_address.items():
        mine = [e for e in rows if e.payload["recipient"]["email"] == address]
        assert _members(message) == [e.delivery_id for e in mine]
        assert message.delivery_id == digest_id([e.delivery_id for e in mine])
        for event in mine:
            assert event.delivery_id in message.text and event.delivery_id in message.html
            assert f"https://fd.example.com/console/tickets/{event.payload['number']}" in (
                message.text
            )
    assert sorted(report.sent) == sorted(e.delivery_id for e in rows)
    assert {(e.status, e.attempts, e.sent_at) for e in rows} == {("sent", 1, FRIDAY_17)}


def test_three_notifications_for_one_person_go_one_by_one_as_before(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """At the threshold (3 each) nothing is grouped: six single e-mails with their own ids."""
    uow, notifier, worker = _worker(book, contract(), 3)
    report = worker.run_once()
    assert report.digests == 0 and len(notifier.sent) == 6
    assert all("delivery_ids" not in m.data for m in notifier.sent)
    assert sorted(m.delivery_id for m in notifier.sent) == sorted(e.delivery_id for e in _rows(uow))
    assert {m.subject.split(": ")[1] for m in notifier.sent} == {
        "new ticket for ACME",
        "nuovo ticket per ACME",
    }


def test_digest_min_zero_turns_digests_off(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """``FRONTDOOR_OUTBOX_DIGEST_MIN=0``: ten tickets, twenty single e-mails."""
    _, notifier, worker = _worker(book, contract(), 10, digest_min=0)
    assert worker.run_once().digests == 0 and len(notifier.sent) == 20


def test_a_large_group_is_split_evenly_into_digests_of_at_most_the_maximum(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """Nine openings per person with at most four per digest: three digests of three each,
    every row in exactly one of them, in due order."""
    uow, notifier, worker = _worker(book, contract(), 9, digest_max=4)
    worker.run_once()
    sizes = Counter((m.to_address, len(_members(m))) for m in notifier.sent)
    assert sizes == {("support-eu@example.com", 3): 3, ("supporto-it@example.com", 3): 3}
    listed = [d for m in notifier.sent for d in _members(m)]
    assert sorted(listed) == sorted(e.delivery_id for e in _rows(uow))
    english = [d for m in notifier.sent if m.language == "en" for d in _members(m)]
    assert english == [
        e.delivery_id for e in _rows(uow) if e.payload["recipient"]["language"] == "en"
    ]


def test_different_kinds_and_recipients_are_never_merged(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """Four tickets' whole ladders due at once: each digest holds one kind for one address, and
    the regional manager's escalations and breaches are two digests, not one."""
    uow, notifier, worker = _worker(book, contract(), 4)
    worker.clock = lambda: THURSDAY
    worker.run_once()
    by_id = {e.delivery_id: e for e in _all(uow)}
    groups = Counter((e.kind, e.payload["recipient"]["email"]) for e in _all(uow))
    assert len(notifier.sent) == len(groups)
    for message in notifier.sent:
        members = [by_id[d] for d in _members(message)]
        assert len(members) == 4
        assert {(e.kind, e.payload["recipient"]["email"]) for e in members} == {
            (members[0].kind, message.to_address)
        }
    marco = [m for m in notifier.sent if m.to_address == "marco.bianchi@example.com"]
    assert sorted(m.subject for m in marco) == [
        "[frontdoor] 4 ticket con scadenza superata",
        "[frontdoor] 4 ticket scalati a Support Regional Manager",
    ]
    assert {e.status for e in _all(uow)} == {"sent"}


def test_other_channels_are_never_grouped(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """Five SMS rows to one phone: five messages, one per row."""
    uow, notifier, worker = _worker(book, contract(), 1, digest_min=0)
    worker.run_once()
    opened = _rows(uow)[0]
    recipient = {**opened.payload["recipient"], "phone": "+390584000009"}
    for n in range(5):
        event = replace(opened, id=None, delivery_id=f"sms-{n}", status="pending", attempts=0)
        event.payload = {**opened.payload, "channel": "sms", "recipient": recipient}
        uow.outbox.add(event)
    notifier.sent.clear()
    worker.settings = replace(worker.settings, digest_min=3)
    report = worker.run_once()
    assert report.digests == 0
    assert sorted(m.delivery_id for m in notifier.sent) == [f"sms-{n}" for n in range(5)]
    assert {m.channel for m in notifier.sent} == {"sms"}


def test_a_failed_digest_backs_off_every_member_then_sends_them_with_the_same_id(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """The server refuses the digests: the eight rows are failed with the error and the same
    60 s backoff; after it, the same digests (same delivery ids) go and every row is sent."""
    uow, notifier, worker = _worker(book, contract(), 4, retry_seconds=60)
    notifier.failing = "SMTPDataError: (451, 'try later')"
    report = worker.run_once()
    assert (report.failed, report.sent, report.digests) == (8, [], 0)
    rows = _rows(uow)
    assert {(e.status, e.attempts, e.lease_until, e.last_error) for e in rows} == {
        ("failed", 1, FRIDAY_17 + timedelta(seconds=60), "SMTPDataError: (451, 'try later')")
    }
    worker.clock = lambda: FRIDAY_17 + timedelta(seconds=59)
    assert worker.run_once().claimed == 0
    notifier.failing = None
    worker.clock = lambda: FRIDAY_17 + timedelta(seconds=60)
    assert len(worker.run_once().sent) == 8
    assert {(e.status, e.attempts) for e in rows} == {("sent", 2)}
    expected = {
        digest_id([e.delivery_id for e in rows if e.payload["recipient"]["email"] == a])
        for a in TEAM
    }
    assert {m.delivery_id for m in notifier.sent} == expected


def test_a_digest_failing_past_the_maximum_age_makes_every_member_dead(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """Still failing an hour after their due time (maximum age one hour): all eight dead."""
    uow, notifier, worker = _worker(book, contract(), 4, max_age_hours=1)
    notifier.failing = "ConnectionRefusedError: [Errno 111]"
    worker.run_once()
    worker.clock = lambda: FRIDAY_17 + timedelta(hours=1, minutes=1)
    report = worker.run_once()
    assert report.dead == 8
    assert {(e.status, e.attempts, e.lease_until) for e in _rows(uow)} == {("dead", 2, None)}


def test_a_member_cancelled_in_flight_stays_cancelled_when_its_digest_fails(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """One row of a claimed digest is cancelled while the e-mail is out, and the e-mail
    fails: that row stays cancelled, its companions wait for their backoff."""
    uow, _, worker = _worker(book, contract(), 4)
    report = Report()
    (first, second) = worker.claim_batch(FRIDAY_17, report)
    cancelled = next(e for e in _all(uow) if e.id == first.event_ids[0])
    cancelled.status = "cancelled"
    results: list[tuple[int, str | None]] = [
        (i, "SMTPServerDisconnected: gone") for i in first.event_ids
    ]
    worker.record(results, report)
    others = [e for e in _all(uow) if e.id in first.event_ids[1:]]
    assert (
        cancelled.status == "cancelled" and cancelled.last_error == "SMTPServerDisconnected: gone"
    )
    assert {e.status for e in others} == {"failed"} and report.failed == 3
    assert len(second.event_ids) == 4


def test_ladder_rows_of_tickets_taken_meanwhile_are_cancelled_not_digested(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """Five tickets taken outside the service, a week later: their ladders are cancelled, and
    only the openings go, as one digest per team address."""
    uow, notifier, worker = _worker(book, contract(), 5)
    assert isinstance(uow.tickets, FakeTicketRepository)
    for ticket in uow.tickets.items:
        ticket.taken_at = FRIDAY_17
    worker.clock = lambda: FRIDAY_17 + timedelta(days=7)
    report = worker.run_once()
    assert report.cancelled == 50 and report.digests == 2
    assert sorted(m.subject for m in notifier.sent) == [
        "[frontdoor] 5 new tickets",
        "[frontdoor] 5 nuovi ticket",
    ]


def test_the_digest_id_is_a_uuid5_of_the_sorted_member_ids() -> None:
    """The same members in any order give the same id (a retried digest keeps its id)."""
    assert digest_id(["b", "a", "c"]) == digest_id(["c", "b", "a"])
    assert digest_id(["a", "b", "c"]) == str(uuid.uuid5(DIGEST_NAMESPACE, "a,b,c"))
    assert digest_id(["a", "b"]) != digest_id(["a", "b", "c"])


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("en", "[frontdoor] 2 tickets escalated to Support team"),
        ("it", "[frontdoor] 2 ticket scalati a Support team"),
        ("de", "[frontdoor] 2 Tickets eskaliert an Support team"),
        ("fr", "[frontdoor] 2 tickets escaladés à Support team"),
        ("es", "[frontdoor] 2 tickets escalados a Support team"),
        ("pt", "[frontdoor] 2 tickets escalados para Support team"),
        ("ar", "[frontdoor] تصعيد تذاكر إلى Support team (العدد: 2)"),
    ],
)
def test_a_digest_is_written_in_the_recipients_language(language: str, subject: str) -> None:
    """Subject, labels and direction in the recipient's language; every ticket with its
    customer, priority, time left, link and delivery id in both parts."""
    recipient = {"name": "X", "email": "x@example.com", "language": language}
    due = FRIDAY_17 + timedelta(hours=1)
    items = [
        DigestItem(
            f"d-{n}",
            {
                "number": f"00000{n}",
                "customer": "ACME <Ltd>",
                "priority": "P1",
                "role": "Support team",
                "recipient": recipient,
            },
            Clock(due=due, left=timedelta(minutes=-5 * n)),
        )
        for n in (1, 2)
    ]
    message = compose_digest("escalation_due", items, "digest-1", "https://fd", FRIDAY_17)
    assert message.subject == subject and message.language == language
    assert message.data == {"delivery_ids": ["d-1", "d-2"]}
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in message.html
    for n in (1, 2):
        assert f"https://fd/console/tickets/00000{n}" in message.text
        assert f'href="https://fd/console/tickets/00000{n}"' in message.html
        assert f"d-{n}" in message.text and f"<td>d-{n}</td>" in message.html
        assert f"{5 * n} min" in message.text
    assert "ACME &lt;Ltd&gt;" in message.html and "digest-1" in message.text


def test_digest_settings_are_read_from_the_environment() -> None:
    """0 turns digests off; the maximum must be at least 1; the defaults are 3 and 200, the
    same for settings built in code."""
    defaults = load_settings({}).outbox
    assert (defaults.digest_min, defaults.digest_max, defaults.batch) == (3, 200, 400)
    assert (OutboxSettings().digest_min, OutboxSettings().digest_max) == (3, 200)
    outbox = load_settings(
        {"FRONTDOOR_OUTBOX_DIGEST_MIN": "0", "FRONTDOOR_OUTBOX_DIGEST_MAX": "50"}
    ).outbox
    assert (outbox.digest_min, outbox.digest_max) == (0, 50)
    for name, value in (
        ("FRONTDOOR_OUTBOX_DIGEST_MIN", "-1"),
        ("FRONTDOOR_OUTBOX_DIGEST_MAX", "0"),
    ):
        with pytest.raises(SettingsError, match=name):
            load_settings({name: value})


@pytest.mark.parametrize("language", ["en", "it", "ar"])
@pytest.mark.parametrize("members", [1, 7])
def test_the_sent_mime_reads_as_the_email_packages_does(language: str, members: int) -> None:
    """What the SMTP adapter writes by hand parses, in a mail client, to the same headers and
    parts as the standard package's message; header lines stay within 78 characters."""
    name = {"en": "A long display name " * 5, "it": "Squadra è", "ar": "فريق الدعم في الشرق الأوسط"}
    recipient = {"name": name[language], "email": "x@example.com", "language": language}
    payload = {
        "number": "0000018",
        "customer": "ACME <é> " * 6,
        "priority": "P2",
        "role": "Support team",
        "after_hours": 2,
        "recipient": recipient,
    }
    clock = Clock(due=FRIDAY_17, left=timedelta(minutes=42))
    items = [DigestItem(f"3f2a7c1e-0000-4000-8000-{n:012d}", payload, clock) for n in range(7)]
    if members == 1:
        message = compose(
            "escalation_due", payload, items[0].delivery_id, clock, "https://fd", FRIDAY_17
        )
    else:
        message = compose_digest("escalation_due", items, "digest-1", "https://fd", FRIDAY_17)
    raw = render_email(message, "frontdoor@support.example.com")
    ours = email.message_from_bytes(raw, policy=email.policy.default)
    theirs = email.message_from_bytes(
        build_email(message, "frontdoor@support.example.com").as_bytes(),
        policy=email.policy.default,
    )
    for header in (
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "X-Frontdoor-Delivery-Id",
        "X-Frontdoor-Delivery-Ids",
        "Auto-Submitted",
        "Content-Language",
    ):
        assert str(ours[header]) == str(theirs[header]), header
    for subtype in ("plain", "html"):
        mine, reference = ours.get_body((subtype,)), theirs.get_body((subtype,))
        assert mine is not None and reference is not None
        assert mine.get_content() == reference.get_content()
    head = raw.split(b"\r\n\r\n")[0].split(b"\r\n")
    assert all(len(line) <= 78 for line in head)
