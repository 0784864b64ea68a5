"""Speech as well as keys at every question (issue 15), through signed webhooks: Italian,
English, German and Arabic callers say their language, customer code (read back), role, menu
choice, priority and ticket number; low confidence and noise are asked again; the PIN never."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from core.adapters.orm import pin_attempts, turns
from core.bootstrap import Frontdoor
from phonesim import CallResult, CallSimulator, FlaskTransport, scripted

from .conftest import NUMBERS, Ivr
from .test_ivr_office_hours import outcome_of, stored_tickets
from .test_ivr_on_call import night_call
from .twilio_client import PUBLIC_BASE_URL, TOKEN, Call, Twiml

STRANGER = "+15005550006"  # not a contact: language menu, then the customer code


def say(call: Call, phrase: str, confidence: str = "0.92") -> Twiml:
    """What Twilio posts after recognising speech at the current <Gather>."""
    assert call.last is not None and call.last.gather_action, "nothing is listening"
    return call.post(
        call.last.gather_action,
        SpeechResult=phrase,
        Confidence=confidence,
        CallStatus="in-progress",
    )


def listens(answer: Twiml, language: str) -> None:
    gather = answer.gather
    assert gather is not None
    assert gather.get("input") == "speech dtmf"
    assert gather.get("language") == language
    assert gather.get("hints")


def lines(fd: Frontdoor) -> list[Any]:
    with fd.engine.connect() as connection:
        return list(connection.execute(select(turns).order_by(turns.c.id)))


# lang, theatre, language, code, the code said, yes, role, menu, priority said, expected
CALLS = [
    ("it", "europe", "Italiano", "1012", "uno zero uno due", "sì", "amministratore",
     "nuovo problema", "alta", "P2"),
    ("en", "europe", "English", "1013", "one zero one three", "yes", "administrator",
     "new problem", "critical", "P1"),
    ("de", "europe", "Deutsch", "1010", "eins null eins null", "ja", "Administrator",
     "neues Problem", "hoch", "P2"),
    ("ar", "middle_east", "العربية", "1022", "واحد صفر اثنان اثنان", "نعم", "مسؤول النظام",
     "مشكلة جديدة", "عالية", "P2"),
]  # fmt: skip
SPEECH_CODES = {"it": "it-IT", "en": "en-US", "de": "de-DE", "ar": "ar-AE"}


@pytest.mark.parametrize(
    ("lang", "theatre", "name", "code", "code_said", "yes", "role", "menu", "level", "prio"),
    CALLS,
    ids=[c[0] for c in CALLS],
)
def test_a_whole_call_by_speech(
    ivr: Ivr,
    lang: str,
    theatre: str,
    name: str,
    code: str,
    code_said: str,
    yes: str,
    role: str,
    menu: str,
    level: str,
    prio: str,
) -> None:
    """Language, code (read back, confirmed), role, menu and priority all said: the ticket is
    opened with that priority in that language; the transcript has the words and confidence,
    the customer code masked as typed digits are."""
    call = ivr.twilio.call(NUMBERS[theatre], STRANGER)
    answer = call.start()
    first = ivr.fd.policy.theatres[theatre].menu_languages[0]
    listens(answer, SPEECH_CODES[first])
    assert name in answer.gather.get("hints", "")
    answer = say(call, name)
    assert answer.gather_action.startswith("/ivr/identify")
    listens(answer, SPEECH_CODES[lang])
    assert answer.gather.get("hints") == "$OOV_CLASS_DIGIT_SEQUENCE"
    answer = say(call, code_said)
    assert " ".join(code) in answer.text  # "I heard 1 0 1 3"
    assert answer.gather.get("numDigits") == "1"
    answer = say(call, yes)
    assert answer.gather_action.startswith("/ivr/role")
    listens(answer, SPEECH_CODES[lang])
    answer = say(call, role)
    assert answer.gather_action.startswith("/ivr/menu")
    answer = say(call, menu)
    assert answer.gather_action.startswith("/ivr/priority")
    say(call, level)
    ticket = stored_tickets(ivr.fd)[-1]
    assert (ticket.priority, ticket.language) == (prio, lang)
    said = [t for t in lines(ivr.fd) if t.kind == "speech"]
    assert [t.text for t in said][-3:] == [
        f"{role} (speech, confidence 0.92)",
        f"{menu} (speech, confidence 0.92)",
        f"{level} (speech, confidence 0.92)",
    ]
    assert "•••• (speech, confidence 0.92)" in [t.text for t in said]
    everything = " ".join(t.text for t in lines(ivr.fd))
    assert code_said not in everything and code not in everything
    assert "• • • •" in everything  # the read-back, masked


def test_keys_still_work_at_every_question(ivr: Ivr) -> None:
    call = ivr.twilio.call(NUMBERS["europe"], STRANGER)
    call.start()
    call.press("2")  # Italiano
    assert call.press("1012").gather_action.startswith("/ivr/role")  # typed: no read-back
    call.press("1")
    call.press("1")
    call.press("3")
    assert stored_tickets(ivr.fd)[-1].priority == "P3"


def test_a_spoken_code_said_wrong_is_asked_again(ivr: Ivr) -> None:
    call = ivr.twilio.call(NUMBERS["europe"], STRANGER)
    call.start()
    say(call, "English")
    say(call, "one zero one four")
    answer = say(call, "no")
    assert answer.gather_action.startswith("/ivr/identify")
    assert answer.gather.get("hints") == "$OOV_CLASS_DIGIT_SEQUENCE"
    say(call, "1013")
    assert call.press("1").gather_action.startswith("/ivr/role")  # key 1 confirms too


@pytest.mark.parametrize(
    ("code", "spoken"),
    [("1012", "{words}"), ("1022", "{indic}"), ("1010", "{words}"), ("1013", "{plain}")],
    ids=["it-words", "ar-indic-digits", "de-words", "en-plain"],
)
def test_the_ticket_number_can_be_said(ivr: Ivr, code: str, spoken: str) -> None:
    """A known caller opens a ticket by keys, calls again and says its number."""
    words = {
        "1012": "uno due tre quattro cinque sei sette otto nove zero",
        "1010": "eins zwei drei vier fünf sechs sieben acht neun null",
    }
    theatre = "middle_east" if code == "1022" else "europe"
    first = ivr.twilio.call(NUMBERS[theatre], ivr.phone_of(code))
    first.start()
    first.press("1")
    first.press("4")
    number = stored_tickets(ivr.fd)[-1].number
    if spoken == "{words}":
        table = dict(zip("1234567890", words[code].split(), strict=True))
        said = " ".join(table[d] for d in number)
    elif spoken == "{indic}":
        said = number.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    else:
        said = number
    again = ivr.twilio.call(NUMBERS[theatre], ivr.phone_of(code))
    again.start()
    answer = again.press("2")
    assert answer.gather_action.startswith("/ivr/ticket")
    answer = say(again, said)
    assert outcome_of(ivr.fd, again.sid) == ("ticket_status", "open")
    assert answer.hangs_up


def test_low_confidence_is_asked_again_then_understood(ivr: Ivr) -> None:
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1013"))
    call.start()
    say(call, "new problem")
    answer = say(call, "critical", confidence="0.31")
    assert answer.gather_action.startswith("/ivr/priority")
    assert "did not understand" in answer.text
    assert stored_tickets(ivr.fd) == []
    say(call, "critical", confidence="0.8")
    assert stored_tickets(ivr.fd)[-1].priority == "P1"
    reasons = [t.reason for t in lines(ivr.fd)]
    assert "speech_low_confidence" in reasons
    assert "critical (speech, confidence 0.31)" in [t.text for t in lines(ivr.fd)]


def test_a_low_confidence_code_is_read_back_not_taken(ivr: Ivr) -> None:
    call = ivr.twilio.call(NUMBERS["europe"], STRANGER)
    call.start()
    say(call, "Deutsch")
    answer = say(call, "eins null zwei acht", confidence="0.2")
    assert "1 0 2 8" in answer.text and answer.gather_action.startswith("/ivr/identify")
    assert say(call, "ja").gather_action.startswith("/ivr/role")


def test_noise_counts_as_no_input(ivr: Ivr) -> None:
    """An empty SpeechResult: the first language at the language menu (as silence), asked
    again at the menu, and after three the call ends politely."""
    call = ivr.twilio.call(NUMBERS["middle_east"], STRANGER)
    call.start()
    answer = say(call, "", confidence="0.0")
    assert answer.gather_action.startswith("/ivr/identify")
    listens(answer, "ar-AE")  # the theatre's first language
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1012"))
    call.start()
    answer = say(call, "", confidence="0.0")
    assert answer.gather_action.startswith("/ivr/menu")
    say(call, "")
    answer = say(call, "")
    assert answer.hangs_up
    assert outcome_of(ivr.fd, call.sid) == ("no_input", "menu")


def test_a_pin_is_never_taken_by_speech(ivr: Ivr) -> None:
    """The PIN Gather takes keys only; a SpeechResult posted anyway is refused: not verified,
    not audited, not written; keys are asked once more, then the closed-office path."""
    call = night_call(ivr)
    gather = call.last.gather
    assert gather.get("input") == "dtmf" and gather.get("hints") is None
    answer = say(call, "four three two one", confidence="0.99")
    assert answer.gather_action.startswith("/ivr/pin")
    assert "keypad" in answer.text
    answer = say(call, "4321", confidence="0.99")
    assert answer.gather_action.startswith("/ivr/voicemail")
    with ivr.fd.engine.connect() as connection:
        assert list(connection.execute(select(pin_attempts))) == []
    everything = " ".join(t.text for t in lines(ivr.fd))
    assert "4321" not in everything and "four three" not in everything
    assert "pin_speech_refused" in [t.reason for t in lines(ivr.fd)]


def test_the_right_pin_by_keys_after_a_spoken_one(ivr: Ivr) -> None:
    call = night_call(ivr)
    say(call, "four three two one")
    call.press("4321")
    assert outcome_of(ivr.fd, call.sid) == ("on_call", "ok")


def simulate(ivr: Ivr, to: str, caller: str, answers: list[str]) -> CallResult:
    """``frontdoor call``'s simulator against the app, the caller answering from a script."""
    simulator = CallSimulator(
        FlaskTransport(ivr.twilio.client.application),
        auth_token=TOKEN,
        public_base_url=PUBLIC_BASE_URL,
        caller=scripted(answers),
        output=None,
    )
    return simulator.call(to, caller)


def test_the_simulator_sends_typed_phrases_as_speech(ivr: Ivr) -> None:
    """``say:`` answers post SpeechResult and Confidence (``say@0.3:`` a low one, ``say:``
    alone noise); digits stay Digits."""
    answers = [
        "say: Italiano",
        "say: uno zero uno due",
        "1",
        "say: amministratore",
        "say: nuovo problema",
        "say@0.3: alta",
        "say:",
        "say: alta",
        "completed",
    ]
    result = simulate(ivr, NUMBERS["europe"], STRANGER, answers)
    posted = [dict(r.params) for r in result.requests]
    spoken = [(p.get("SpeechResult"), p.get("Confidence")) for p in posted if "SpeechResult" in p]
    assert spoken[0] == ("Italiano", "0.9")
    assert ("alta", "0.3") in spoken and ("", "0.0") in spoken
    assert any(p.get("Digits") == "1" for p in posted)
    ticket = stored_tickets(ivr.fd)[-1]
    assert (ticket.priority, ticket.language) == ("P2", "it")


def test_the_simulator_does_not_send_speech_to_the_pin(ivr: Ivr) -> None:
    ivr.clock.set("2026-11-23T23:00:00+01:00")
    answers = ["say: four three two one", "4321", "completed"]
    result = simulate(ivr, NUMBERS["europe"], ivr.phone_of("1016"), answers)
    assert not any("SpeechResult" in r.params for r in result.requests)
    assert any(e.kind == "warning" for e in result.events)
    assert outcome_of(ivr.fd, result.call_sid) == ("on_call", "ok")
