"""Security perimeter, data findings: each test replays the attack that was reported and shows
that it no longer works, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from sqlalchemy import select

from core.adapters.orm import calls
from core.bootstrap import Frontdoor
from core.demo import DEMO_PIN, load_demo
from ivr import IvrSettings
from tests.e2e.conftest import DEMO_TODAY, DESK, NUMBERS, ON_CALL, Ivr, make_ivr
from tests.e2e.test_ivr_office_hours import stored_tickets

NIGHT = "2026-11-23T23:00:00+01:00"


def _demo_ivr(fd: Frontdoor, at: str = "2026-11-23T10:00:00+01:00") -> Ivr:
    load_demo(fd.uow(), DEMO_TODAY)
    return make_ivr(fd, IvrSettings(desk_numbers={"*": DESK}, on_call_numbers=ON_CALL), at)


# --- 4. replay fingerprints do not give away the digits typed ----------------------------


def _unsalted_fingerprint(step: str, params: Mapping[str, str]) -> str:
    """The fingerprint as it was stored before the fix: SHA-256 over the step and the form."""
    digest = hashlib.sha256(step.encode())
    for key, value in sorted(params.items()):
        digest.update(b"\0" + key.encode() + b"=" + value.encode())
    return digest.hexdigest()


def _last_step(fd: Frontdoor, sid: str) -> tuple[str, str]:
    query = select(calls.c.last_step, calls.c.last_fingerprint).where(calls.c.call_sid == sid)
    with fd.engine.connect() as connection:
        row = connection.execute(query).one()
    return str(row.last_step), str(row.last_fingerprint)


def test_stored_fingerprint_of_a_typed_pin_cannot_be_matched_by_trying_all_10000_pins(
    frontdoor: Frontdoor,
) -> None:
    """The attack: read calls.last_fingerprint, hash the known form with each of the 10,000
    four-digit PINs; no candidate matches (the digest is keyed with the server's secret)."""
    ivr = _demo_ivr(frontdoor, NIGHT)
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1016"))
    assert call.start().gather_action.startswith("/ivr/pin")
    call.press(DEMO_PIN)
    step, stored = _last_step(frontdoor, call.sid)
    assert step.startswith("/ivr/pin")
    form = {**call.params, "Digits": DEMO_PIN, "CallStatus": "in-progress"}
    found = [
        pin
        for pin in (f"{n:04d}" for n in range(10_000))
        if _unsalted_fingerprint(step, {**form, "Digits": pin}) == stored
    ]
    assert found == []
    assert len(stored) == 64  # still fits the column: HMAC-SHA256 in hex


def test_a_retried_pin_delivery_is_still_answered_from_the_store_without_a_second_ticket(
    frontdoor: Frontdoor,
) -> None:
    """Twilio retries the PIN step: the same TwiML, and still one on-call ticket."""
    ivr = _demo_ivr(frontdoor, NIGHT)
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1016"))
    pin_step = call.start().gather_action
    assert pin_step is not None
    form = {**call.params, "Digits": DEMO_PIN, "CallStatus": "in-progress"}
    first = ivr.twilio.post(pin_step, form)
    tickets = len(stored_tickets(frontdoor))
    again = ivr.twilio.post(pin_step, form)
    assert again.status_code == first.status_code == 200
    assert again.get_data() == first.get_data()
    assert len(stored_tickets(frontdoor)) == tickets
