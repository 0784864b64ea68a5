"""Escalations and breach warnings by e-mail, end to end: a ticket opened through the intake
service, the outbox worker driven by a clock through the ladder, a real SMTP server receiving."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from core.adapters.mail import SmtpNotifier
from core.bootstrap import Frontdoor
from core.model import OutboxEvent, Ticket
from core.services import Case, find_contract, pause, resume, submit_case, take_in_charge
from core.worker import OutboxWorker
from ivr.speakable import ticket_number

from .helpers import add_contract, iso
from .mailbox import BASE_URL, SENDER, Clock, Mailbox, make_worker

FRIDAY_17 = "2026-11-20T17:00:00+01:00"  # Rome: one business hour left on Friday


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    box.start()
    yield box
    box.stop()


@pytest.fixture
def fd(frontdoor: Frontdoor) -> Frontdoor:
    add_contract(frontdoor)
    return frontdoor


def open_gold_p2(fd: Frontdoor, at: str = FRIDAY_17, key: str = "phone:CA1") -> Ticket:
    """A Gold P2 ticket in Europe, through the intake service, committed by the entry point."""
    with fd.uow() as uow:
        contract = find_contract(uow, "2001")
        case = Case("phone", key, iso(at), contract, "P2", "en", idempotency_key=key)
        ticket = submit_case(uow, fd.book, case).ticket
        uow.commit()
    assert ticket is not None
    return ticket


def events(fd: Frontdoor, ticket: Ticket) -> list[OutboxEvent]:
    with fd.uow() as uow:
        assert ticket.id is not None
        return uow.outbox.for_ticket(ticket.id)


def at(worker: OutboxWorker, clock: Clock, mailbox: Mailbox, when: str) -> list[tuple[str, str]]:
    """Run ``worker --once`` at ``when``: the (recipient, subject) of the e-mails received."""
    clock.now = iso(when)
    worker.run_once()
    return sorted((str(m["To"].addresses[0].addr_spec), str(m["Subject"])) for m in mailbox.take())


@pytest.fixture
def worker(fd: Frontdoor, mailbox: Mailbox) -> tuple[OutboxWorker, Clock]:
    clock = Clock(iso(FRIDAY_17))
    return make_worker(fd, SmtpNotifier(mailbox.settings()), clock), clock


def test_escalations_arrive_on_business_time_to_the_right_people(
    fd: Frontdoor, mailbox: Mailbox, worker: tuple[OutboxWorker, Clock]
) -> None:
    """Gold P2 opened Friday 17:00 Rome: the team hears at once, the warning comes Saturday
    09:30, the breach and the team's escalation at 10:00 (one Friday hour + one Saturday hour),
    the regional manager at 12:00, the manager Monday 15:00, the CEO Thursday 12:00."""
    runner, clock = worker
    ticket = open_gold_p2(fd)
    n = ticket.number
    team = ["support-eu@example.com", "supporto-it@example.com"]
    assert [a for a, _ in at(runner, clock, mailbox, FRIDAY_17)] == team
    assert at(runner, clock, mailbox, "2026-11-20T17:59:00+01:00") == []
    assert at(runner, clock, mailbox, "2026-11-21T09:29:00+01:00") == []
    assert at(runner, clock, mailbox, "2026-11-21T09:30:00+01:00") == [
        ("support-eu@example.com", f"[P2] Ticket {n}: deadline near"),
        ("supporto-it@example.com", f"[P2] Ticket {n}: scadenza vicina"),
    ]
    assert at(runner, clock, mailbox, "2026-11-21T10:00:00+01:00") == [
        ("marco.bianchi@example.com", f"[P2] Ticket {n}: scadenza superata"),
        ("support-eu@example.com", f"[P2] Ticket {n}: deadline missed"),
        ("support-eu@example.com", f"[P2] Ticket {n}: escalated to Support team"),
        ("supporto-it@example.com", f"[P2] Ticket {n}: escalation a Support team"),
        ("supporto-it@example.com", f"[P2] Ticket {n}: scadenza superata"),
    ]
    assert at(runner, clock, mailbox, "2026-11-21T11:59:00+01:00") == []
    assert at(runner, clock, mailbox, "2026-11-21T12:00:00+01:00") == [
        ("marco.bianchi@example.com", f"[P2] Ticket {n}: escalation a Support Regional Manager")
    ]
    assert at(runner, clock, mailbox, "2026-11-23T14:59:00+01:00") == []
    assert at(runner, clock, mailbox, "2026-11-23T15:00:00+01:00") == [
        ("anna.weber@example.com", f"[P2] Ticket {n}: eskaliert an Support Manager")
    ]
    assert at(runner, clock, mailbox, "2026-11-26T12:00:00+01:00") == [
        ("direzione@example.com", f"[P2] Ticket {n}: escalation a Co-CEO and CTO")
    ]
    assert {e.status for e in events(fd, ticket)} == {"sent"}


def test_an_escalation_email_reads_like_one_in_both_parts(
    fd: Frontdoor, mailbox: Mailbox, worker: tuple[OutboxWorker, Clock]
) -> None:
    """The Italian team's breach warning: headers with the delivery id, Italian text and HTML,
    ticket, customer, priority, 30 min left on the business clock and the console link."""
    runner, clock = worker
    ticket = open_gold_p2(fd)
    at(runner, clock, mailbox, FRIDAY_17)
    clock.now = iso("2026-11-21T09:30:00+01:00")
    runner.run_once()
    mail = next(m for m in mailbox.take() if "supporto-it" in str(m["To"]))
    warning = next(
        e
        for e in events(fd, ticket)
        if e.kind == "breach_warning" and e.payload["recipient"]["language"] == "it"
    )
    assert mail["X-Frontdoor-Delivery-Id"] == warning.delivery_id
    assert mail["Message-ID"] == f"<{warning.delivery_id}@support.example.com>"
    assert mail["From"] == SENDER and mail["Content-Language"] == "it"
    assert mail["Auto-Submitted"] == "auto-generated"
    text = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert isinstance(text, EmailMessage) and isinstance(html, EmailMessage)
    plain, page = text.get_content(), html.get_content()
    link = f"{BASE_URL}/console/tickets/{ticket.number}"
    for part in (plain, page):
        assert "Buongiorno Squadra supporto" in part and "Customer 2001" in part
        assert "30 min di orario lavorativo" in part and "2026-11-21 10:00" in part
        assert link in part and str(ticket.number) in part and "P2" in part
    assert '<html lang="it" dir="ltr">' in page


def test_a_ticket_taken_in_charge_after_the_first_escalation_gets_no_more(
    fd: Frontdoor, mailbox: Mailbox, worker: tuple[OutboxWorker, Clock]
) -> None:
    """Taken Saturday 10:30: the team is told who took it; no later escalation is ever sent."""
    runner, clock = worker
    ticket = open_gold_p2(fd)
    for when in (FRIDAY_17, "2026-11-21T09:30:00+01:00", "2026-11-21T10:00:00+01:00"):
        at(runner, clock, mailbox, when)
    take_in_charge(
        fd.uow(),
        fd.book,
        ticket.number or "",
        by="luca@example.com",
        at=iso("2026-11-21T10:30+01:00"),
    )
    told = at(runner, clock, mailbox, "2026-11-21T10:30:00+01:00")
    assert [a for a, _ in told] == ["support-eu@example.com", "supporto-it@example.com"]
    assert all(s.endswith(("taken in charge", "preso in carico")) for _, s in told)
    for when in (
        "2026-11-21T12:00:00+01:00",
        "2026-11-23T15:00:00+01:00",
        "2026-11-27T12:00+01:00",
    ):
        assert at(runner, clock, mailbox, when) == []
    cancelled = [e for e in events(fd, ticket) if e.status == "cancelled"]
    assert sorted(e.payload["role"] for e in cancelled) == [
        "Co-CEO and CTO",
        "Support Manager",
        "Support Regional Manager",
    ]


def test_a_paused_ticket_escalations_move_by_the_pause(
    fd: Frontdoor, mailbox: Mailbox, worker: tuple[OutboxWorker, Clock]
) -> None:
    """Waiting for the customer Saturday 09:00-11:00: nothing at 09:30 or 10:00; the warning at
    11:30, breach and team at 12:00, the regional manager at 14:00 (two business hours later)."""
    runner, clock = worker
    ticket = open_gold_p2(fd)
    at(runner, clock, mailbox, FRIDAY_17)
    pause(fd.uow(), ticket.number or "", at=iso("2026-11-21T09:00:00+01:00"))
    assert at(runner, clock, mailbox, "2026-11-21T10:00:00+01:00") == []
    resume(fd.uow(), fd.book, ticket.number or "", at=iso("2026-11-21T11:00:00+01:00"))
    assert len(at(runner, clock, mailbox, "2026-11-21T11:30:00+01:00")) == 2
    at_noon = at(runner, clock, mailbox, "2026-11-21T12:00:00+01:00")
    assert [s.rsplit(": ", 1)[1] for a, s in at_noon if a == "support-eu@example.com"] == [
        "deadline missed",
        "escalated to Support team",
    ]
    assert at(runner, clock, mailbox, "2026-11-21T13:59:00+01:00") == []
    assert [a for a, _ in at(runner, clock, mailbox, "2026-11-21T14:00:00+01:00")] == [
        "marco.bianchi@example.com"
    ]


def test_a_ticket_opened_twice_by_a_retried_delivery_is_notified_once(
    fd: Frontdoor, mailbox: Mailbox, worker: tuple[OutboxWorker, Clock]
) -> None:
    """The same idempotency key again: the same ticket, and its team hears of it once."""
    runner, clock = worker
    first, again = open_gold_p2(fd), open_gold_p2(fd)
    assert first.id == again.id
    assert len(at(runner, clock, mailbox, FRIDAY_17)) == 2


def test_nothing_is_sent_at_opening_time_from_the_request_itself(
    fd: Frontdoor, mailbox: Mailbox
) -> None:
    """Opening a ticket only writes rows: no e-mail leaves until a worker runs."""
    ticket = open_gold_p2(fd)
    assert mailbox.take() == []
    assert {e.status for e in events(fd, ticket)} == {"pending"}


def test_a_call_on_friday_evening_is_escalated_by_email_on_business_time(
    frontdoor: Frontdoor, mailbox: Mailbox
) -> None:
    """The whole road: an English Gold contact phones the Europe number on Friday 17:00 and
    chooses P2; the IVR reads the ticket back; the worker sends the opening at once, nothing
    overnight, the breach warning Saturday 09:30 and the team's escalation Saturday 10:00."""
    from core.demo import load_demo
    from ivr import IvrSettings
    from tests.e2e.conftest import DEMO_TODAY, DESK, NUMBERS, make_ivr

    load_demo(frontdoor.uow(), DEMO_TODAY)
    ivr = make_ivr(frontdoor, IvrSettings(desk_numbers={"*": DESK}), FRIDAY_17)
    call = ivr.twilio.call(NUMBERS["europe"], "+447700900113")  # the README's Gold contact
    call.start()
    call.press("1")  # a new problem
    answer = call.press("2")  # priority 2, high
    with frontdoor.uow() as uow:
        ticket = uow.tickets.by_key(f"phone:{call.sid}")
    assert ticket is not None and ticket.number is not None and ticket.priority == "P2"
    assert ticket_number(ticket.number, ticket.language) in answer.text
    clock = Clock(iso(FRIDAY_17))
    runner = make_worker(frontdoor, SmtpNotifier(mailbox.settings()), clock)
    n = ticket.number
    opened = at(runner, clock, mailbox, FRIDAY_17)
    assert opened and all(n in subject for _, subject in opened)
    assert at(runner, clock, mailbox, "2026-11-21T09:29:00+01:00") == []
    warned = at(runner, clock, mailbox, "2026-11-21T09:30:00+01:00")
    assert warned and all("deadline near" in s or "scadenza vicina" in s for _, s in warned)
    escalated = at(runner, clock, mailbox, "2026-11-21T10:00:00+01:00")
    assert any(s == f"[P2] Ticket {n}: escalated to Support team" for _, s in escalated)
