"""Helpers for the staff console tests: seeded conversations of both channels, tickets, PIN
attempts and staff accounts, written through core.services (the IVR and chat channels write
the same way); a client helper that signs in and posts forms with their CSRF token."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from core.bootstrap import Frontdoor
from core.model import OnCallPin, PinAttempt
from core.services import (
    add_staff,
    add_turn,
    open_ticket,
    set_outcome,
    start_or_get_transcript,
)
from web import create_app

from .helpers import add_contract, decision_for, iso

NOW = iso("2026-06-10T10:00:00+02:00")  # a Wednesday, Europe open
PASSWORD = "correct horse battery"
ADMIN, AGENT = "admin@example.com", "agent@example.com"
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
SCRIPT = "<script>alert('x')</script>"


@dataclass
class Seeded:
    """What :func:`seed` stored: ticket numbers and conversation ids by role in the tests."""

    phone_ticket: str
    breached_ticket: str
    on_call_ticket: str


class Clock:
    """The injectable clock of the app (app.config["FRONTDOOR_CLOCK"])."""

    def __init__(self, at: datetime = NOW):
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


def make_app(fd: Frontdoor, clock: Clock | None = None, **config: Any) -> Flask:
    settings = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "FRONTDOOR_CLOCK": clock or Clock(),
        "FRONTDOOR_PASSWORD_HASHER": CHEAP_HASHER,
        **config,
    }
    return create_app(settings, frontdoor=fd)


def add_accounts(fd: Frontdoor) -> None:
    for email, role in ((ADMIN, "admin"), (AGENT, "agent")):
        add_staff(fd.uow(), email=email, role=role, password=PASSWORD, at=NOW, hasher=CHEAP_HASHER)


def conversation(
    fd: Frontdoor,
    channel: str,
    cid: str,
    started: datetime,
    lines: list[tuple[str, str, str]],
    outcome: str | None = None,
    reason: str | None = None,
    contract: str | None = None,
    **who: Any,
) -> None:
    """One transcript: ``lines`` are (speaker, kind, text), one second apart."""
    key = {"channel": channel, "conversation_id": cid}
    start_or_get_transcript(fd.uow(), **key, started_at=started, **who)
    for n, (speaker, kind, text) in enumerate(lines):
        at = started + timedelta(seconds=n)
        secret = kind == "keys"
        reason_here = reason if kind == "decision" else None
        add_turn(
            fd.uow(),
            **key,
            speaker=speaker,
            kind=kind,
            text=text,
            at=at,
            secret=secret,
            reason=reason_here,
        )
    if outcome:
        set_outcome(fd.uow(), **key, outcome=outcome, reason=reason, contract_code=contract)


def ticket(
    fd: Frontdoor, code: str, at: str, priority: str, cid: str, channel: str = "phone", **kw: Any
) -> str:
    decision = decision_for(fd, code, at, priority, channel=channel, **kw)
    opened = open_ticket(
        fd.uow(),
        fd.book,
        contract_code=code,
        decision=decision,
        channel=channel,
        language="en",
        priority=priority,
        topic="product",
        summary=f"{priority} problem reported by {channel}",
        opened_at=iso(at),
        idempotency_key=f"{channel}:{cid}:{priority}",
        conversation_id=cid,
    )
    assert opened.number is not None
    return opened.number


def audit_wrong_pins(fd: Frontdoor, code: str, count: int, first: datetime) -> None:
    """What the IVR leaves after ``count`` wrong PINs a second apart: the audit rows and the
    lockout (written directly: argon2 checks would cost seconds per test; core.services.pins
    has its own tests)."""
    with fd.uow() as uow:
        contract = uow.contracts.get(code)
        assert contract is not None and contract.id is not None
        last = first + timedelta(seconds=count - 1)
        pin = OnCallPin(contract.id, "not-a-hash", locked_until=last + timedelta(minutes=15))
        pin.failures = count
        uow.pins.add(pin)
        for n in range(count):
            at = first + timedelta(seconds=n)
            uow.pins.add_attempt(
                PinAttempt(contract.id, at, "+13055550199", "wrong", f"CA-bad-{n}")
            )
        uow.commit()


def seed(fd: Frontdoor) -> Seeded:
    """Two contracts, phone and chat conversations of every outcome, tickets (one breached,
    one on-call), PIN attempts with a lockout, and an admin and an agent account."""
    add_contract(fd, "2001", customer="Acme Srl")
    add_contract(
        fd,
        "2002",
        customer="Globex Inc",
        plan="platinum",
        theatre="americas",
        timezone="America/New_York",
    )
    add_accounts(fd)
    phone = "+390584000001"
    conversation(
        fd,
        "phone",
        "CA-phone-1",
        iso("2026-06-10T09:30:00+02:00"),
        [
            ("ivr", "say", "Welcome to support. For English press 1."),
            ("caller", "keys", "customer code 2001"),
            ("system", "decision", "open_ticket"),
            ("ivr", "say", "Your ticket number is ready."),
        ],
        outcome="open_ticket",
        reason="ok",
        contract="2001",
        theatre="europe",
        language="en",
        caller=phone,
    )
    phone_ticket = ticket(fd, "2001", "2026-06-10T09:31:00+02:00", "P2", "CA-phone-1")
    conversation(
        fd,
        "chat",
        "chat-it-7",
        iso("2026-06-10T09:00:00+02:00"),
        [
            ("customer", "say", "Il server è bloccato da stamattina"),
            ("bot", "say", "Passo la conversazione a un collega."),
            ("system", "decision", "handed_off"),
        ],
        outcome="handed_off",
        reason="asked_for_agent",
        contract="2001",
        theatre="europe",
        language="it",
    )
    conversation(
        fd,
        "chat",
        "chat-script",
        iso("2026-06-09T15:00:00+02:00"),
        [("customer", "say", f"my name is {SCRIPT}"), ("bot", "say", "Thank you")],
        outcome="refuse",
        reason="unknown_contract",
        theatre="europe",
        language="en",
    )
    conversation(
        fd,
        "phone",
        "CA-old",
        iso("2026-06-01T08:00:00+02:00"),
        [("ivr", "say", "Welcome"), ("caller", "say", "hello? anyone?")],
        outcome="abandoned",
        theatre="europe",
        language="en",
        caller="+390584000009",
    )
    breached = ticket(fd, "2001", "2026-06-08T10:00:00+02:00", "P1", "CA-old")
    conversation(
        fd,
        "phone",
        "CA-night",
        iso("2026-06-10T03:00:00-04:00"),
        [
            ("ivr", "say", "Enter your on-call PIN then hash"),
            ("caller", "keys", "4321"),
            ("system", "decision", "on_call"),
            ("system", "event", "dial: no-answer"),
            ("system", "recording", "https://api.twilio.example/recordings/RE1"),
            ("system", "recording", "javascript:alert(1)"),
        ],
        outcome="on_call",
        reason="ok",
        contract="2002",
        theatre="americas",
        language="en",
        caller="+13055550100",
    )
    on_call = ticket(fd, "2002", "2026-06-10T03:01:00-04:00", "P1", "CA-night", pin_verified=True)
    audit_wrong_pins(fd, "2002", 5, iso("2026-06-10T07:50:00+00:00"))
    return Seeded(phone_ticket, breached, on_call)


_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class ConsoleClient:
    """Signs in and posts forms with the page's CSRF token (flaskr's AuthActions)."""

    def __init__(self, client: FlaskClient):
        self.client = client

    def token(self, path: str = "/console/sign-in") -> str:
        found = _TOKEN.search(self.client.get(path).get_data(as_text=True))
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def sign_in(self, email: str = AGENT, password: str = PASSWORD) -> TestResponse:
        data = {"email": email, "password": password, "csrf_token": self.token()}
        return self.client.post("/console/sign-in", data=data)

    def post(self, path: str, data: dict[str, Any] | None = None, **kw: Any) -> TestResponse:
        form = {"csrf_token": self.token("/console/conversations"), **(data or {})}
        return self.client.post(path, data=form, **kw)

    def get(self, path: str, **kw: Any) -> TestResponse:
        return self.client.get(path, **kw)

    def text(self, path: str, **kw: Any) -> str:
        response = self.client.get(path, **kw)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)
