"""The outbox worker on the in-memory fakes, the notification texts and the mail settings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from core.calendar import CalendarBook
from core.model import Contract
from core.notices import Clock, compose, notices
from core.policy import Policy
from core.services import Case, submit_case
from core.settings import OutboxSettings, SettingsError, load_settings
from core.testing import FakeNotifier, FakeUnitOfWork
from core.worker import OutboxWorker

FRIDAY_17 = datetime.fromisoformat("2026-11-20T17:00:00+01:00")


def _worker(
    book: CalendarBook, contract: Contract, **settings: Any
) -> tuple[FakeUnitOfWork, FakeNotifier, OutboxWorker]:
    uow, notifier = FakeUnitOfWork(), FakeNotifier()
    uow.contracts.add(contract)
    case = Case("phone", "CA1", FRIDAY_17, contract, "P2", "en", idempotency_key="k")
    submit_case(uow, book, case)
    worker = OutboxWorker(
        lambda: uow,
        book,
        notifier,
        OutboxSettings(**settings),
        base_url="https://fd.example.com",
        clock=lambda: FRIDAY_17,
    )
    return uow, notifier, worker


def test_a_role_nobody_holds_is_reported_dead_with_the_reason(
    edited_policy: Callable[[Callable[[dict[str, Any]], None]], Policy],
    contract: Callable[..., Contract],
) -> None:
    """No Europe contacts: the opening's event is dead, naming the role and the theatre."""

    def no_contacts(data: dict[str, Any]) -> None:
        data["escalation_contacts"] = {}

    uow, notifier, worker = _worker(CalendarBook(edited_policy(no_contacts)), contract())
    report = worker.run_once()
    assert report.dead == 1 and notifier.sent == []
    (dead,) = [e for e in uow.outbox.items if e.status == "dead"]
    assert dead.last_error == (
        "no escalation contact for 'Support team' in 'europe' (policy escalation_contacts)"
    )


def test_the_backoff_doubles_up_to_its_maximum(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """60 s, 120 s, 240 s ... never more than the maximum."""
    *_, worker = _worker(book, contract(), retry_seconds=60, retry_max_seconds=300)
    waits = [worker.backoff(n).total_seconds() for n in range(1, 6)]
    assert waits == [60, 120, 240, 300, 300]


def test_an_escalation_of_a_ticket_taken_meanwhile_is_cancelled_not_sent(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """A ladder row claimed after its ticket was taken (taken outside the service) is dropped."""
    uow, notifier, worker = _worker(book, contract())
    uow.tickets.items[0].taken_at = FRIDAY_17
    worker.clock = lambda: FRIDAY_17 + timedelta(days=7)
    report = worker.run_once()
    assert report.cancelled == 10 and {m.subject.split(": ")[1] for m in notifier.sent} == {
        "new ticket for ACME",
        "nuovo ticket per ACME",
    }


@pytest.mark.parametrize("language", ["en", "it", "de", "fr", "es", "pt", "ar"])
def test_every_language_has_every_notice_text(language: str) -> None:
    """The seven languages have the same keys as English, and each kind renders in them."""
    assert set(notices().texts[language]) == set(notices().texts["en"])
    due = FRIDAY_17 + timedelta(hours=1)
    for kind in ("ticket_opened", "escalation_due", "breach_warning", "breach", "taken_in_charge"):
        payload = {
            "number": "0000018",
            "customer": "ACME <Ltd>",
            "priority": "P1",
            "role": "Support team",
            "after_hours": 2,
            "recipient": {"name": "X", "email": "x@example.com", "language": language},
        }
        clock = Clock(due=due, left=timedelta(minutes=-5))
        message = compose(kind, payload, "d-1", clock, "https://fd", FRIDAY_17)
        assert "0000018" in message.subject and "https://fd/console/tickets/0000018" in message.text
        assert "ACME &lt;Ltd&gt;" in message.html and "5 min" in message.text


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FRONTDOOR_SMTP_STARTTLS", "yes"),
        ("FRONTDOOR_SMTP_PORT", "70000"),
        ("FRONTDOOR_MAIL_FROM", "frontdoor"),
        ("FRONTDOOR_OUTBOX_LEASE_SECONDS", "0"),
    ],
)
def test_malformed_mail_settings_name_the_variable(name: str, value: str) -> None:
    """A bad SMTP or worker setting fails at start with the variable's name."""
    with pytest.raises(SettingsError, match=name):
        load_settings({name: value})


def test_mail_settings_are_read_once_from_the_environment() -> None:
    """Host, port, STARTTLS off, login and sender, and the worker's numbers."""
    settings = load_settings(
        {
            "FRONTDOOR_SMTP_HOST": "smtp.example.com",
            "FRONTDOOR_SMTP_PORT": "2525",
            "FRONTDOOR_SMTP_STARTTLS": "0",
            "FRONTDOOR_SMTP_USER": "fd",
            "FRONTDOOR_SMTP_PASSWORD": "pw",
            "FRONTDOOR_MAIL_FROM": "fd@example.com",
            "FRONTDOOR_OUTBOX_RETRY_SECONDS": "30",
        }
    )
    mail = settings.mail
    assert (mail.smtp_host, mail.smtp_port, mail.starttls) == ("smtp.example.com", 2525, False)
    assert (mail.user, mail.password, mail.sender) == ("fd", "pw", "fd@example.com")
    assert settings.outbox.retry_seconds == 30 and settings.outbox.lease_seconds == 300


def test_between_rounds_the_worker_sleeps_until_the_next_row_falls_due(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """Friday 17:00, the opening sent: the next row (the warning, Saturday 09:30) is far off,
    so the worker waits its longest; a row due in 90 s: it wakes in 90 s; one failing now
    waits for its backoff; nothing left: the longest again."""
    uow, notifier, worker = _worker(book, contract())
    worker.run_once()
    assert worker.until_next_due(300) == 300
    [soon] = [e for e in uow.outbox.items if e.kind == "breach_warning"][:1]
    soon.due_at = FRIDAY_17 + timedelta(seconds=90)
    assert worker.until_next_due(300) == 90
    notifier.failing = "SMTPServerDisconnected: down"
    soon.due_at = FRIDAY_17
    worker.run_once()  # fails: retried after 60 s
    assert worker.until_next_due(300) == 60
    for event in uow.outbox.items:
        event.status = "sent"
    assert worker.until_next_due(300) == 300
