"""Out of hours, Platinum: the on-call PIN (right, wrong, locked), the on-call <Dial> and the
voicemail onto the P1 ticket when nobody answers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.adapters.orm import pin_attempts, turns
from ivr import IvrSettings
from ivr.speakable import ticket_number

from .conftest import NUMBERS, ON_CALL, Ivr
from .test_ivr_office_hours import outcome_of, stored_tickets

NIGHT = "2026-11-23T23:00:00+01:00"


def night_call(ivr: Ivr, code: str = "1016") -> Any:
    ivr.clock.set(NIGHT)
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of(code))
    answer = call.start()
    assert answer.gather_action.startswith("/ivr/pin")
    assert ("Polly.Joanna-Neural", "en-US") in answer.voices  # English only
    return call


def test_right_pin_opens_a_p1_on_call_ticket_and_dials_the_engineer(ivr: Ivr) -> None:
    """PIN 4321: P1 on the 24x7 clock, number read back, <Dial answerOnBridge> to on-call."""
    call = night_call(ivr)
    answer = call.press("4321")
    ticket = stored_tickets(ivr.fd)[-1]
    assert (ticket.priority, ticket.basis, ticket.language) == ("P1", "clock", "en")
    assert ticket_number(ticket.number, "en") in answer.text
    assert answer.dial_numbers == [ON_CALL[0]]  # sequential by default
    assert answer.dial.get("answerOnBridge") == "true"
    assert outcome_of(ivr.fd, call.sid) == ("on_call", "ok")


def test_sequential_dial_tries_the_next_engineer_then_records_onto_the_ticket(ivr: Ivr) -> None:
    """No answer from each on-call number in turn: a voicemail on the ticket, number read."""
    call = night_call(ivr)
    call.press("4321")
    assert call.dial_ends("no-answer").dial_numbers == [ON_CALL[1]]
    assert call.dial_ends("busy").record is not None
    goodbye = call.records("https://api.twilio.com/rec/RE77")
    ticket = stored_tickets(ivr.fd)[-1]
    assert "RE77" in ticket.notes
    assert ticket_number(ticket.number, "en") in goodbye.text
    assert goodbye.hangs_up


def test_simultaneous_mode_rings_every_on_call_number_at_once(ivr_factory: Any) -> None:
    """FRONTDOOR_IVR_DIAL_MODE=simultaneous: one <Dial> with every number."""
    ivr = ivr_factory(IvrSettings(on_call_numbers=ON_CALL, dial_mode="simultaneous"))
    call = night_call(ivr)
    assert call.press("4321").dial_numbers == list(ON_CALL)
    assert call.dial_ends("no-answer").record is not None


def test_answered_on_call_dial_ends_the_call_politely(ivr: Ivr) -> None:
    """The engineer answered and the bridged call ended: goodbye and hang up."""
    call = night_call(ivr)
    call.press("4321")
    assert call.dial_ends("completed").hangs_up


def test_wrong_pin_three_times_leads_to_the_voicemail_path(ivr: Ivr) -> None:
    """Three wrong PINs per call, then hours and the voicemail; no ticket opened on-call."""
    call = night_call(ivr)
    assert call.press("1111").gather_action.startswith("/ivr/pin")
    assert call.press("2222").gather_action.startswith("/ivr/pin")
    answer = call.press("3333")
    assert "That PIN is not correct." in answer.said
    assert answer.gather_action.startswith("/ivr/voicemail")
    assert stored_tickets(ivr.fd) == []


def test_locked_pin_is_said_and_even_the_right_pin_is_refused(ivr: Ivr) -> None:
    """Five failures lock the contract's PIN: the caller hears it is locked."""
    for _ in range(2):
        call = night_call(ivr)
        for pin in ("1111", "2222", "3333")[: 3 if _ == 0 else 2]:
            call.press(pin)
    call = night_call(ivr)
    answer = call.press("4321")
    assert any("locked" in line for line in answer.said)
    assert answer.gather_action.startswith("/ivr/voicemail")
    assert stored_tickets(ivr.fd) == []


def test_silence_at_the_pin_prompt_is_a_non_critical_call(ivr: Ivr) -> None:
    """No PIN typed: hours, next opening and the voicemail priority."""
    call = night_call(ivr)
    assert call.silence().gather_action.startswith("/ivr/voicemail")


def test_critical_voicemail_without_pin_asks_for_another_priority(ivr: Ivr) -> None:
    """Out of hours, P1 by phone needs the PIN (core: on_call_pin_required)."""
    call = night_call(ivr)
    call.silence()
    answer = call.press("1")
    assert any("PIN" in line for line in answer.said)
    assert answer.gather_action.startswith("/ivr/voicemail")


def test_the_pin_is_audited_and_masked_never_stored(ivr: Ivr) -> None:
    """The attempt is audited with its result; the transcript shows bullets, not the PIN."""
    call = night_call(ivr)
    call.press("4321")
    with ivr.fd.engine.connect() as connection:
        attempts = list(connection.execute(select(pin_attempts)))
        lines = [row.text for row in connection.execute(select(turns))]
    assert [a.result for a in attempts] == ["ok"]
    assert "••••" in lines
    assert not any("4321" in line for line in lines)


def test_asia_pacific_platinum_gets_no_on_call_prompt(ivr: Ivr) -> None:
    """Contract 1032 (Australia/Sydney site): no on-call service, the voicemail path."""
    ivr.clock.set(NIGHT)
    call = ivr.twilio.call(NUMBERS["europe"], "+15005550006")
    call.start()
    call.press("1")  # English
    call.press("1032")
    assert call.press("1").gather_action.startswith("/ivr/voicemail")
