"""Security perimeter, data findings: each test replays the attack that was reported and shows
that it no longer works, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from core.adapters.orm import calls, sign_in_throttles
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


# --- 5. guessing customer codes on the phone ---------------------------------------------

ATTACKER, OTHER = "+15005550006", "+15005550007"
TOO_MANY = "Too many wrong customer codes have been typed"


def _identify_answers(ivr: Ivr, caller: str, codes: list[str]) -> list[Any]:
    """One call from ``caller`` that types ``codes`` at the code question while it is asked
    (a minute between tries); the answers to the codes typed."""
    call = ivr.twilio.call(NUMBERS["europe"], caller)
    call.start()
    assert call.press("1").gather_action.startswith("/ivr/identify")  # English
    answers = []
    for code in codes:
        if not (call.last and (call.last.gather_action or "").startswith("/ivr/identify")):
            break
        ivr.clock.at += timedelta(minutes=1)
        answers.append(call.press(code))
    return answers


def _failures(fd: Frontdoor, key: str) -> int:
    query = select(sign_in_throttles.c.failures).where(sign_in_throttles.c.key == key)
    with fd.engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def test_fifteen_wrong_codes_over_five_calls_check_six_then_refuse_even_the_right_code(
    frontdoor: Frontdoor,
) -> None:
    """An unknown number types 15 wrong codes, 3 per call over 5 calls: only 6 are checked
    (the policy's lock_after), then the IVR says identify_wait and hangs up, even on a right
    code; the contract's own contact, calling with that code, still gets through."""
    ivr = _demo_ivr(frontdoor)
    lock_after = frontdoor.policy.identification.lock_after
    wrong = [f"{900000 + n}" for n in range(15)]
    answers = [a for n in range(5) for a in _identify_answers(ivr, ATTACKER, wrong[3 * n :][:3])]
    refused = [a for a in answers if TOO_MANY in a.text]
    assert len(answers) - len(refused) == lock_after == 6
    assert all(a.hangs_up for a in refused)
    assert _failures(frontdoor, f"caller:{ATTACKER}") == lock_after
    right = _identify_answers(ivr, ATTACKER, ["1013"])[0]
    assert TOO_MANY in right.text and right.hangs_up
    assert _failures(frontdoor, f"caller:{ATTACKER}") == lock_after  # a refused try is not checked
    own = _identify_answers(ivr, OTHER, ["1013"])[0]
    assert own.gather_action.startswith("/ivr/role")  # another number: not locked by the attacker


def test_a_code_locked_by_wrong_tries_is_refused_to_a_different_number_too(
    frontdoor: Frontdoor,
) -> None:
    """The same code typed wrong from one number until it locks: a different number typing
    that code is refused (identify_wait, hang up) while the lock lasts, without a check."""
    ivr = _demo_ivr(frontdoor)
    code = "424242"
    for _ in range(5):
        _identify_answers(ivr, ATTACKER, [code] * 3)
    assert _failures(frontdoor, f"code:{code}") == frontdoor.policy.identification.lock_after
    answer = _identify_answers(ivr, OTHER, [code])[0]
    assert TOO_MANY in answer.text and answer.hangs_up
    assert _failures(frontdoor, f"caller:{OTHER}") == 0
