"""Complete calls by theatre, plan and time: office open (menu, ticket, desk) or closed
(hours, next opening, help center, voicemail ticket), on working days, Saturdays, holidays."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from core.adapters.orm import tickets, transcripts
from core.bootstrap import Frontdoor
from ivr import IvrSettings
from ivr.prompts import load_prompts
from ivr.speakable import ticket_number

from .conftest import DESK, NUMBERS, Ivr

PROMPTS = load_prompts()
THEATRE_OF = {
    **{c: "americas" for c in range(1001, 1010)},
    **{c: "europe" for c in range(1010, 1019)},
}
THEATRE_OF.update({c: "middle_east" for c in range(1019, 1028)})


def stored_tickets(fd: Frontdoor) -> list[Any]:
    with fd.engine.connect() as connection:
        return list(connection.execute(select(tickets).order_by(tickets.c.id)))


def outcome_of(fd: Frontdoor, sid: str) -> tuple[str | None, str | None]:
    with fd.engine.connect() as connection:
        row = connection.execute(
            select(transcripts).where(transcripts.c.conversation_id == sid)
        ).one()
    return row.outcome, row.reason


# Monday 10:00 local in each theatre (a working day for both Middle East weeks).
IN_HOURS = {
    "americas": "2026-11-23T10:00:00-05:00",
    "europe": "2026-11-23T10:00:00+01:00",
    "middle_east": "2026-11-23T10:00:00+04:00",
}
NIGHT = {
    "americas": "2026-11-23T22:00:00-05:00",
    "europe": "2026-11-23T23:00:00+01:00",
    "middle_east": "2026-11-23T23:00:00+04:00",
}


@pytest.mark.parametrize(
    "code", ["1001", "1004", "1007", "1010", "1013", "1016", "1019", "1022", "1025"]
)
def test_every_theatre_and_plan_in_office_hours_opens_a_ticket_and_dials_the_desk(
    ivr: Ivr, code: str
) -> None:
    """A registered admin in office hours: menu, priority, ticket read back, desk <Dial>."""
    theatre = THEATRE_OF[int(code)]
    ivr.clock.set(IN_HOURS[theatre])
    call = ivr.twilio.call(NUMBERS[theatre], ivr.phone_of(code))
    assert call.start().gather_action.startswith("/ivr/menu")
    assert call.press("1").gather_action.startswith("/ivr/priority")
    answer = call.press("3")
    ticket = stored_tickets(ivr.fd)[-1]
    assert ticket_number(ticket.number, ticket.language) in answer.text
    assert answer.dial_numbers == [DESK]
    assert answer.dial.get("answerOnBridge") == "true"
    assert answer.dial.get("action").startswith("/ivr/dial-status")
    assert (ticket.priority, ticket.channel, ticket.reason) == ("P3", "phone", "ok")
    assert outcome_of(ivr.fd, call.sid) == ("open_ticket", "ok")


def test_gold_p2_caller_hears_the_guaranteed_response_time_in_english(ivr: Ivr) -> None:
    """Gold, Europe, Monday 10:00, P2: due two business hours later, said in local time."""
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1013"))  # English contact
    call.start()
    call.press("1")
    answer = call.press("2")
    assert (
        "A support engineer will pick up your case by Monday 23 November at 12:00, Rome time."
        in answer.said
    )


def test_basic_caller_hears_that_no_response_time_is_guaranteed(ivr: Ivr) -> None:
    """Basic P4 has no deadline: the caller is told so instead of a time."""
    call = ivr.twilio.call(NUMBERS["americas"], ivr.phone_of("1002"))  # English contact
    ivr.clock.set(IN_HOURS["americas"])
    call.start()
    call.press("1")
    answer = call.press("4")
    assert PROMPTS.text("en", "no_guarantee") in answer.said


@pytest.mark.parametrize("code", ["1001", "1004", "1010", "1013", "1019", "1022"])
def test_basic_and_gold_out_of_hours_hear_hours_and_leave_a_voicemail_ticket(
    ivr: Ivr, code: str
) -> None:
    """Closed office: hours, next opening, help center, priority, <Record>, number read back."""
    theatre = THEATRE_OF[int(code)]
    ivr.clock.set(NIGHT[theatre])
    call = ivr.twilio.call(NUMBERS[theatre], ivr.phone_of(code))
    answer = call.start()
    assert "https://support.example.com" in answer.text
    assert answer.gather_action.startswith("/ivr/voicemail")
    recording = call.press("2")
    assert recording.record is not None
    assert recording.record.get("maxLength") == "120"
    ticket = stored_tickets(ivr.fd)[-1]
    assert (ticket.priority, ticket.reason) == ("P2", "closed")
    goodbye = call.records()
    assert ticket_number(ticket.number, ticket.language) in goodbye.text
    assert goodbye.hangs_up
    assert "voicemail https://api.twilio.com/rec/RE1" in stored_tickets(ivr.fd)[-1].notes
    assert outcome_of(ivr.fd, call.sid) == ("open_ticket", "closed")


def test_closed_message_names_hours_and_next_opening_in_the_callers_language(ivr: Ivr) -> None:
    """Europe Basic, Italian contact, Monday night: Italian hours and Tuesday 9:00 opening."""
    ivr.clock.set(NIGHT["europe"])
    answer = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1012")).start()  # it, Basic
    assert "dal lunedì al venerdì, dalle 9:00 alle 18:00, ora di Roma" in answer.text
    assert "Riapriamo martedì 24 novembre alle ore 9:00, ora di Roma." in answer.said
    assert ("Polly.Bianca-Neural", "it-IT") in answer.voices


@pytest.mark.parametrize(
    ("code", "at", "open_"),
    [
        ("1010", "2026-11-28T10:00:00+01:00", False),  # Saturday, Europe Basic
        ("1013", "2026-11-28T10:00:00+01:00", True),  # Saturday, Europe Gold
        ("1016", "2026-11-28T10:00:00+01:00", True),  # Saturday, Europe Platinum
        ("1010", "2026-12-08T10:00:00+01:00", False),  # Immaculate Conception, Basic
        ("1013", "2026-12-08T10:00:00+01:00", True),  # Immaculate Conception, Gold
        ("1001", "2026-11-26T10:00:00-05:00", False),  # Thanksgiving, Americas Basic
        ("1004", "2026-11-26T10:00:00-05:00", True),  # Thanksgiving, Americas Gold (08-12)
        ("1004", "2026-11-28T13:00:00-05:00", False),  # Saturday after 12:00, Americas Gold
        ("1022", "2026-12-02T14:00:00+04:00", True),  # UAE National Day, Gold (12-18)
        ("1019", "2026-12-02T14:00:00+04:00", False),  # UAE National Day, Basic
        ("1019", "2026-11-22T10:00:00+04:00", True),  # Sunday, Sun-Thu week, Basic
        ("1020", "2026-11-22T10:00:00+04:00", False),  # Sunday, Mon-Fri week, Basic
    ],
)
def test_saturdays_holidays_and_weeks_follow_the_plan_calendar(
    ivr: Ivr, code: str, at: str, open_: bool
) -> None:
    """Gold/Platinum open at reduced hours on Saturdays and holidays; Basic is closed."""
    ivr.clock.set(at)
    theatre = THEATRE_OF[int(code)]
    answer = ivr.twilio.call(NUMBERS[theatre], ivr.phone_of(code)).start()
    expected = "/ivr/menu" if open_ else "/ivr/voicemail"
    assert answer.gather_action.startswith(expected)


def test_a_configured_queue_enqueues_the_caller_instead_of_dialling(ivr_factory: Any) -> None:
    """With FRONTDOOR_IVR_DESK_QUEUE the caller waits in the theatre's queue."""
    ivr = ivr_factory(IvrSettings(desk_queues={"europe": "support-eu"}))
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1013"))
    call.start()
    call.press("1")
    answer = call.press("2")
    assert answer.enqueue == "support-eu"
    assert answer.dial is None


def test_desk_no_answer_takes_a_voicemail_onto_the_ticket(ivr: Ivr) -> None:
    """The desk does not answer: the caller records a message on the ticket just opened."""
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1013"))
    call.start()
    call.press("1")
    call.press("2")
    assert call.dial_ends("no-answer").record is not None
    call.records("https://api.twilio.com/rec/RE9")
    assert "RE9" in stored_tickets(ivr.fd)[-1].notes
    assert len(stored_tickets(ivr.fd)) == 1
