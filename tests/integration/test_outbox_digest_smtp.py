"""Digests over a real SMTP server on loopback (aiosmtpd), read as a mail client reads them:
headers, both parts, the recipient's language."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from core.adapters.mail import SmtpNotifier
from core.bootstrap import Frontdoor
from core.model import OutboxEvent
from core.services import Case, find_contract, submit_case
from core.worker import digest_id

from .helpers import add_contract, iso
from .mailbox import BASE_URL, Clock, Mailbox, make_worker

FRIDAY_17 = "2026-11-20T17:00:00+01:00"


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    yield box
    box.stop()


def _open(fd: Frontdoor, code: str, tickets: int) -> list[OutboxEvent]:
    """``tickets`` Gold P2 tickets on contract ``code`` opened on Friday 17:00: their
    ``ticket_opened`` rows."""
    rows: list[OutboxEvent] = []
    with fd.uow() as uow:
        contract = find_contract(uow, code)
        for n in range(tickets):
            key = f"phone:{code}-{n}"
            case = Case("phone", key, iso(FRIDAY_17), contract, "P2", "en", idempotency_key=key)
            ticket = submit_case(uow, fd.book, case).ticket
            assert ticket is not None and ticket.id is not None
            rows += [e for e in uow.outbox.for_ticket(ticket.id) if e.kind == "ticket_opened"]
        uow.commit()
    return rows


def _statuses(fd: Frontdoor, rows: list[OutboxEvent]) -> set[tuple[str, int]]:
    with fd.uow() as uow:
        found = [uow.outbox.get(e.id) for e in rows if e.id is not None]
        return {(e.status, e.attempts) for e in found if e is not None}


def _raw_header_lines(mailbox: Mailbox, name: str) -> list[str]:
    """The physical lines of header ``name`` in the last message received, as sent."""
    _, raw = mailbox.handler.received[-1]
    lines = raw.decode().split("\r\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{name}:"))
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith(" "))
    return lines[start:end]


def test_many_openings_arrive_as_one_digest_per_person_in_their_language(
    frontdoor: Frontdoor, mailbox: Mailbox
) -> None:
    """Six tickets opened at once: one e-mail to each team address, in English and Italian,
    with the digest's delivery id, every member's id in a folded header, and each ticket
    listed with its link and delivery id in the plain and the HTML part."""
    add_contract(frontdoor)
    rows = _open(frontdoor, "2001", 6)
    mailbox.start()
    clock = Clock(iso(FRIDAY_17))
    worker = make_worker(frontdoor, SmtpNotifier(mailbox.settings()), clock, digest_min=3)
    report = worker.run_once()
    assert (len(report.sent), report.digests) == (12, 2)
    lines = _raw_header_lines(mailbox, "X-Frontdoor-Delivery-Ids")
    assert len(lines) > 1 and all(len(line) <= 78 for line in lines)
    received: dict[str, EmailMessage] = {m["To"].addresses[0].addr_spec: m for m in mailbox.take()}
    assert sorted(received) == ["support-eu@example.com", "supporto-it@example.com"]
    expected = {
        "support-eu@example.com": ("en", "[frontdoor] 6 new tickets", "Delivery id"),
        "supporto-it@example.com": ("it", "[frontdoor] 6 nuovi ticket", "Id di consegna"),
    }
    for address, message in received.items():
        language, subject, label = expected[address]
        mine = [e for e in rows if e.payload["recipient"]["email"] == address]
        ids = [e.delivery_id for e in mine]
        assert message["Subject"] == subject and message["Content-Language"] == language
        assert message["X-Frontdoor-Delivery-Id"] == digest_id(ids)
        assert message["Message-ID"] == f"<{digest_id(ids)}@support.example.com>"
        listed = [part.strip() for part in str(message["X-Frontdoor-Delivery-Ids"]).split(",")]
        assert listed == ids
        plain, html = message.get_body(("plain",)), message.get_body(("html",))
        assert plain is not None and html is not None
        text, page = plain.get_content(), html.get_content()
        assert f'<html lang="{language}" dir="ltr">' in page and label in text
        for event in mine:
            link = f"{BASE_URL}/console/tickets/{event.payload['number']}"
            assert link in text and f'href="{link}"' in page
            assert event.delivery_id in text and event.delivery_id in page
    assert _statuses(frontdoor, rows) == {("sent", 1)}


def test_an_arabic_digest_reads_right_to_left(frontdoor: Frontdoor, mailbox: Mailbox) -> None:
    """The Middle East team (Arabic): the digest's subject and HTML part are Arabic, rtl."""
    add_contract(frontdoor, "3001", theatre="middle_east", week="sun-thu", timezone="Asia/Dubai")
    rows = _open(frontdoor, "3001", 4)
    mailbox.start()
    worker = make_worker(
        frontdoor, SmtpNotifier(mailbox.settings()), Clock(iso(FRIDAY_17)), digest_min=3
    )
    worker.run_once()
    (message,) = mailbox.take()
    assert message["To"].addresses[0].addr_spec == "support-me@example.com"
    assert message["Subject"] == "[frontdoor] تذاكر جديدة (العدد: 4)"
    html = message.get_body(("html",))
    assert html is not None
    assert '<html lang="ar" dir="rtl">' in html.get_content()
    assert message["Content-Language"] == "ar"
    assert _statuses(frontdoor, rows) == {("sent", 1)}


def test_a_digest_refused_while_the_server_is_down_arrives_once_with_the_same_id(
    frontdoor: Frontdoor, mailbox: Mailbox
) -> None:
    """Server down: every member of the digests fails and waits its backoff; server back: the
    same digests (same ids) arrive once, and every member is sent on its second attempt."""
    add_contract(frontdoor)
    rows = _open(frontdoor, "2001", 4)
    clock = Clock(iso(FRIDAY_17))
    worker = make_worker(
        frontdoor, SmtpNotifier(mailbox.settings()), clock, digest_min=3, retry_seconds=60
    )
    assert worker.run_once().failed == 8
    assert _statuses(frontdoor, rows) == {("failed", 1)}
    mailbox.start()
    clock.now = iso("2026-11-20T17:01:00+01:00")
    assert len(worker.run_once().sent) == 8
    team = {e.payload["recipient"]["email"] for e in rows}
    ids = {
        digest_id([e.delivery_id for e in rows if e.payload["recipient"]["email"] == a])
        for a in team
    }
    assert {m["X-Frontdoor-Delivery-Id"] for m in mailbox.take()} == ids
    assert _statuses(frontdoor, rows) == {("sent", 2)}
