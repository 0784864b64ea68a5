"""The survey after the ticket is read (issue 15), through signed webhooks, in a policy where
Europe asks it: keys and speech in English and Italian, silence skips it, a retried webhook
and a later call record nothing twice, and a theatre that does not ask never asks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from core.adapters.orm import survey_answers
from core.bootstrap import Frontdoor, bootstrap
from core.demo import load_demo
from core.policy import DEFAULT_POLICY_PATH, parse_policy
from core.settings import load_settings
from ivr import IvrSettings
from ivr.prompts import load_prompts

from .conftest import DEMO_TODAY, DESK, NUMBERS, ON_CALL, Ivr, make_ivr
from .test_ivr_office_hours import stored_tickets
from .test_ivr_speech import listens, say
from .test_ivr_wording import NIGHT_ROME

PROMPTS = load_prompts()


@pytest.fixture
def asking(migrated_database_url: str) -> Iterator[Ivr]:
    """The IVR on the demo data with ``survey: true`` for Europe, Monday night in Rome."""
    data = yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
    data["theatres"]["europe"]["survey"] = True
    policy = parse_policy(data, "survey.yml")
    fd = bootstrap(load_settings({"DATABASE_URL": migrated_database_url}), policy=policy)
    load_demo(fd.uow(), DEMO_TODAY)
    settings = IvrSettings(desk_numbers={"*": DESK}, on_call_numbers=ON_CALL)
    yield make_ivr(fd, settings, NIGHT_ROME)
    fd.dispose()


def answers(fd: Frontdoor) -> list[Any]:
    with fd.engine.connect() as connection:
        return list(connection.execute(select(survey_answers).order_by(survey_answers.c.id)))


def test_an_english_caller_answers_by_keys_after_the_voicemail(asking: Ivr) -> None:
    call = asking.twilio.call(NUMBERS["europe"], asking.phone_of("1013"))  # Gold, English
    call.start()
    call.press("2")
    after = call.records(seconds="9")
    assert any("added to ticket" in said for said in after.said)  # the ticket is read first
    assert PROMPTS.text("en", "survey_understood") in after.said
    assert after.gather_action and after.gather_action.startswith("/ivr/survey/understood")
    listens(after, "en-US")
    assert not after.hangs_up
    score = call.press("1")
    assert PROMPTS.text("en", "survey_score") in score.said
    assert score.gather_action and score.gather_action.startswith("/ivr/survey/score")
    done = call.press("4")
    assert done.said == [PROMPTS.text("en", "survey_thanks"), PROMPTS.text("en", "goodbye")]
    assert done.hangs_up
    (row,) = answers(asking.fd)
    assert (row.channel, row.theatre, row.language) == ("phone", "europe", "en")
    assert (row.understood, row.score) == (True, 4)


def test_an_italian_caller_answers_by_speech(asking: Ivr) -> None:
    call = asking.twilio.call(NUMBERS["europe"], asking.phone_of("1018"))  # Platinum, Italian
    call.start()
    call.silence()  # no PIN: the closed-office path
    call.press("2")
    after = call.records(seconds="0")
    assert PROMPTS.text("it", "survey_understood") in after.said
    listens(after, "it-IT")
    score = say(call, "no")
    assert PROMPTS.text("it", "survey_score") in score.said
    listens(score, "it-IT")
    done = say(call, "direi cinque")
    assert done.said == [PROMPTS.text("it", "survey_thanks"), PROMPTS.text("it", "goodbye")]
    italian = asking.fd.policy.languages["it"]
    assert set(done.voices) == {(italian.voice, italian.tts_language)}
    (row,) = answers(asking.fd)
    assert (row.language, row.understood, row.score) == ("it", False, 5)


def test_silence_skips_the_survey_politely(asking: Ivr) -> None:
    call = asking.twilio.call(NUMBERS["europe"], asking.phone_of("1013"))
    call.start()
    call.press("2")
    call.records(seconds="9")
    done = call.silence()
    assert done.said == [PROMPTS.text("en", "goodbye")] and done.hangs_up
    assert answers(asking.fd) == []


def test_noise_then_silence_at_the_score_keeps_the_first_answer(asking: Ivr) -> None:
    """Speech that is not a score is asked once more; silence then stores "understood" alone."""
    call = asking.twilio.call(NUMBERS["europe"], asking.phone_of("1018"))
    call.start()
    call.silence()
    call.press("2")
    call.records(seconds="9")
    say(call, "sì, esatto")
    again = say(call, "non saprei")
    assert PROMPTS.text("it", "not_understood") in again.said
    assert PROMPTS.text("it", "survey_score") in again.said
    done = call.silence()
    assert done.hangs_up
    (row,) = answers(asking.fd)
    assert (row.understood, row.score) == (True, None)


def test_a_retried_webhook_and_a_later_call_record_nothing_twice(asking: Ivr) -> None:
    call = asking.twilio.call(NUMBERS["europe"], asking.phone_of("1013"))
    call.start()
    call.press("2")
    call.records(seconds="9")
    call.press("2")
    assert call.last is not None and call.last.gather_action
    action = call.last.gather_action
    first = call.post(action, Digits="3", CallStatus="in-progress")
    retried = call.post(action, Digits="3", CallStatus="in-progress")  # Twilio retries
    assert retried.said == first.said
    assert len(answers(asking.fd)) == 1
    # the next morning the caller asks for the ticket's status: no second survey
    asking.clock.set("2026-11-24T10:00:00+01:00")
    number = answers(asking.fd)[0].ticket_number
    status = asking.twilio.call(NUMBERS["europe"], asking.phone_of("1013"))
    status.start()
    status.press("2")
    read = status.press(number + "#")
    assert any(number[-1] in said for said in read.said) and read.hangs_up
    assert PROMPTS.text("en", "survey_understood") not in read.said
    assert [(r.understood, r.score) for r in answers(asking.fd)] == [(False, 3)]


def test_a_status_call_asks_for_a_ticket_not_surveyed_yet(asking: Ivr) -> None:
    call = asking.twilio.call(NUMBERS["europe"], asking.phone_of("1013"))
    call.start()
    call.press("2")
    call.records(seconds="9")
    call.silence()  # skipped: the ticket has no answer
    asking.clock.set("2026-11-24T10:00:00+01:00")
    ticket = stored_tickets(asking.fd)[-1].number
    status = asking.twilio.call(NUMBERS["europe"], asking.phone_of("1013"))
    status.start()
    status.press("2")
    read = status.press(ticket + "#")
    assert PROMPTS.text("en", "survey_understood") in read.said and not read.hangs_up


def test_a_theatre_that_does_not_ask_hangs_up_as_before(ivr: Ivr) -> None:
    """The shipped policy: no theatre asks; the call ends after the ticket as it always did."""
    ivr.clock.set(NIGHT_ROME)
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1013"))
    call.start()
    call.press("2")
    goodbye = call.records(seconds="9")
    assert goodbye.hangs_up and goodbye.gather is None
    assert answers(ivr.fd) == []
