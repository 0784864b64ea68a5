"""What callers hear, through signed webhooks and Twilio's TwiML: no "message added" without a
recording, the on-call English-only notice in the caller's language, grouped ticket numbers,
times with their city, the formal register."""

from __future__ import annotations

from ivr.prompts import load_prompts
from ivr.speakable import ticket_number

from .conftest import NUMBERS, Ivr
from .test_ivr_office_hours import stored_tickets

PROMPTS = load_prompts()
NIGHT_ROME = "2026-11-23T23:00:00+01:00"  # Monday night: closed, Platinum on-call


def test_an_empty_recording_says_nothing_was_recorded(ivr: Ivr) -> None:
    """Twilio skips the action of an empty <Record>: the redirect says no message was left."""
    ivr.clock.set(NIGHT_ROME)
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1013"))  # Gold, English
    call.start()
    recording = call.press("2")
    assert recording.record is not None and recording.redirect is not None
    goodbye = call.post(recording.redirect)  # no RecordingUrl: nothing was recorded
    number = ticket_number(stored_tickets(ivr.fd)[-1].number or "", "en")
    assert f"No message was recorded. Your ticket number is {number}." in goodbye.said
    assert not any("added to ticket" in said for said in goodbye.said)
    assert "voicemail" not in (stored_tickets(ivr.fd)[-1].notes or "")
    assert goodbye.hangs_up


def test_a_recording_is_added_to_the_ticket_and_said_so(ivr: Ivr) -> None:
    """A real recording: "your message has been added to ticket 0 0 0, 1 2 3 4"."""
    ivr.clock.set(NIGHT_ROME)
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1013"))
    call.start()
    call.press("2")
    goodbye = call.records(seconds="9")
    number = ticket_number(stored_tickets(ivr.fd)[-1].number or "", "en")
    assert f"Thank you, your message has been added to ticket {number}." in goodbye.said


def test_a_zero_second_recording_is_not_a_message(ivr: Ivr) -> None:
    """RecordingDuration 0: the caller hears that nothing was recorded."""
    ivr.clock.set(NIGHT_ROME)
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1018"))  # Platinum, Italian
    call.start()
    call.silence()  # no PIN: the closed-office path
    call.press("2")
    goodbye = call.records(seconds="0")
    assert any(said.startswith("Non è stato registrato alcun messaggio.") for said in goodbye.said)


def test_an_italian_platinum_caller_hears_in_italian_that_on_call_speaks_english(
    ivr: Ivr,
) -> None:
    """Before the English PIN prompt, an Italian sentence says the service is English only."""
    ivr.clock.set(NIGHT_ROME)
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1018"))
    answer = call.start()
    notice = PROMPTS.text("it", "on_call_english_only")
    pin = PROMPTS.text("en", "pin_prompt")
    assert notice in answer.said and pin in answer.said
    assert answer.said.index(notice) < answer.said.index(pin)
    assert answer.gather_action.startswith("/ivr/pin")
    assert ("Polly.Joanna-Neural", "en-US") in answer.voices


def test_an_english_platinum_caller_hears_no_notice(ivr: Ivr) -> None:
    """The notice is for callers of another language only."""
    ivr.clock.set("2026-11-23T23:00:00-05:00")
    call = ivr.twilio.call(NUMBERS["americas"], ivr.phone_of("1008"))  # Platinum, English
    answer = call.start()
    assert PROMPTS.text("en", "on_call_english_only") not in answer.said


def test_an_italian_caller_hears_the_ticket_grouped_and_the_deadline_with_its_city(
    ivr: Ivr,
) -> None:
    """Lei, the number in groups, "entro lunedì 23 novembre alle ore 12:00, ora di Roma"."""
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1018"))  # Platinum, Italian
    menu = call.start()
    assert any("prema 1" in said for said in menu.said)
    call.press("1")
    answer = call.press("2")
    ticket = stored_tickets(ivr.fd)[-1]
    number = ticket_number(ticket.number or "", "it")
    assert f"Abbiamo aperto la richiesta numero {number}." in answer.said
    assert (
        "Un tecnico dell'assistenza prenderà in carico il suo caso entro "
        "lunedì 23 novembre alle ore 12:00, ora di Roma." in answer.said
    )
