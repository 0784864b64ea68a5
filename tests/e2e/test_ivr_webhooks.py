"""Twilio correctness of the webhooks: signatures, retried deliveries, malformed requests,
failures inside a step, the fallback URL and status callbacks."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from core.adapters.orm import calls, pin_attempts, tickets, transcripts, turns
from core.bootstrap import Frontdoor
from core.settings import SettingsError, load_settings
from ivr import IvrSettings, after_hours, flow, handlers

from .conftest import NUMBERS, Ivr
from .test_ivr_office_hours import stored_tickets
from .twilio_client import TwilioClient

PARAMS = {"CallSid": "CA" + "1" * 32, "From": "+15005550006", "To": NUMBERS["europe"]}


def rows(fd: Frontdoor) -> dict[str, int]:
    with fd.engine.connect() as connection:
        return {
            t.name: len(connection.execute(select(t)).all())
            for t in (calls, transcripts, turns, tickets, pin_attempts)
        }


@pytest.mark.parametrize("signature", ["", "bm90IGEgc2lnbmF0dXJl", None])
def test_missing_or_forged_signature_is_refused_with_403_and_nothing_written(
    ivr: Ivr, signature: str | None
) -> None:
    """No header, a wrong one, or one made with another token: 403, no row written."""
    before = rows(ivr.fd)
    if signature is None:
        forger = TwilioClient(ivr.twilio.client.application, token="not-the-token")
        signature = forger.sign("/ivr/voice", PARAMS)
    response = ivr.twilio.post("/ivr/voice", PARAMS, signature=signature)
    assert response.status_code == 403
    assert rows(ivr.fd) == before


def test_a_repeated_form_field_is_signed_with_all_of_its_values(ivr: Ivr) -> None:
    """Twilio signs every value of a repeated field: signed with all of them, the step runs;
    signed with the first one only, 403."""
    form = MultiDict([*PARAMS.items(), ("Note", "first"), ("Note", "second")])
    signer = ivr.twilio.signer
    url = signer.url("/ivr/voice")
    all_values = signer.validator.compute_signature(url, form)
    first_only = signer.validator.compute_signature(url, form.to_dict())
    assert all_values != first_only
    post = ivr.twilio.client.post
    refused = post("/ivr/voice", data=form, headers={"X-Twilio-Signature": first_only})
    assert refused.status_code == 403
    accepted = post("/ivr/voice", data=form, headers={"X-Twilio-Signature": all_values})
    assert accepted.status_code == 200


def test_signature_is_checked_against_the_public_url_not_the_internal_one(ivr: Ivr) -> None:
    """Signed for http://localhost (what the app sees behind a proxy): refused."""
    internal = TwilioClient(ivr.twilio.client.application, base_url="http://localhost")
    assert internal.post("/ivr/voice", PARAMS).status_code == 403
    assert ivr.twilio.post("/ivr/voice", PARAMS).status_code == 200


def test_a_retried_pin_step_counts_one_failure(ivr: Ivr) -> None:
    """The same /ivr/pin delivery twice: same TwiML, one audited attempt."""
    ivr.clock.set("2026-11-23T23:00:00+01:00")
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1016"))
    call.start()
    action = call.last.gather_action
    first = ivr.twilio.post(action, {**call.params, "Digits": "1111"})
    again = ivr.twilio.post(action, {**call.params, "Digits": "1111"})
    assert first.get_data() == again.get_data()
    assert rows(ivr.fd)["pin_attempts"] == 1


def test_a_retried_priority_step_opens_one_ticket(ivr: Ivr) -> None:
    """Twilio re-delivers /ivr/priority: the same answer, a single ticket."""
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1013"))
    call.start()
    call.press("1")
    action = call.last.gather_action
    first = ivr.twilio.post(action, {**call.params, "Digits": "2"})
    again = ivr.twilio.post(action, {**call.params, "Digits": "2"})
    assert first.get_data() == again.get_data()
    assert len(stored_tickets(ivr.fd)) == 1


def test_a_retried_first_webhook_keeps_one_call_and_one_transcript(ivr: Ivr) -> None:
    """/ivr/voice delivered twice: one call row, one transcript, the same TwiML."""
    first = ivr.twilio.post("/ivr/voice", PARAMS)
    again = ivr.twilio.post("/ivr/voice", PARAMS)
    assert first.get_data() == again.get_data()
    assert (rows(ivr.fd)["calls"], rows(ivr.fd)["transcripts"]) == (1, 1)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"From": "+15005550006", "To": NUMBERS["europe"]},
        {"CallSid": "CA' OR 1=1 --", "From": "+1", "To": "+2"},
    ],
)
def test_missing_or_malformed_call_sid_gets_400(ivr: Ivr, params: dict[str, str]) -> None:
    """No usable CallSid: a 4xx, never a 500."""
    assert ivr.twilio.post("/ivr/voice", params).status_code == 400


def test_missing_from_and_to_still_answer_twiml(ivr: Ivr) -> None:
    """A call without From and To: the default theatre's language menu."""
    answer = ivr.twilio.twiml("/ivr/voice", {"CallSid": "CA" + "2" * 32})
    assert answer.gather_action.startswith("/ivr/language")


@pytest.mark.parametrize("digits", ["abc", "1" * 500, "<Say>x</Say>", "½", "12*3"])
def test_non_digit_or_absurd_keys_are_asked_again(ivr: Ivr, digits: str) -> None:
    """Junk in Digits is an invalid answer: well-formed TwiML asking again."""
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1013"))
    call.start()
    answer = call.press(digits)
    assert answer.gather_action.startswith("/ivr/menu")


def test_ten_kilobytes_of_junk_get_a_4xx(ivr: Ivr) -> None:
    """A junk body, signed or not, never reaches a step."""
    client = ivr.twilio.client
    response = client.post("/ivr/voice", data=b"\xff" * 10_240, content_type="text/plain")
    assert 400 <= response.status_code < 500
    signed = ivr.twilio.post("/ivr/voice", {"junk": "x" * 10_240})
    assert signed.status_code == 400


def test_a_body_over_the_limit_gets_413(ivr: Ivr) -> None:
    """More than 16 kB is not a Twilio webhook."""
    response = ivr.twilio.post("/ivr/voice", {**PARAMS, "junk": "x" * 20_000})
    assert response.status_code == 413


def test_a_failure_inside_a_step_still_answers_twiml_and_logs_the_call_sid(
    ivr: Ivr, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The decision blows up: apology with the help center, hang up, error logged."""
    call = ivr.twilio.call(NUMBERS["europe"], "+15005550006")
    call.start()
    call.press("1")
    call.press("1013")

    def broken(*_args: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(flow, "assess_case", broken)
    ivr.twilio.client.application.config["FRONTDOOR_IVR_APOLOGISE"] = True  # as in production
    with caplog.at_level(logging.ERROR, logger="frontdoor.ivr"):
        answer = call.press("1")
    assert "https://support.example.com" in answer.text
    assert answer.hangs_up
    assert call.sid in caplog.text


@pytest.mark.parametrize(
    ("module", "handler"),
    [(handlers, "role"), (handlers, "menu"), (handlers, "priority"), (after_hours, "dial_status")],
)
def test_a_step_that_raises_fails_the_test_instead_of_apologising(
    ivr: Ivr, monkeypatch: pytest.MonkeyPatch, module: object, handler: str
) -> None:
    """Under TESTING a crashing step raises out of the webhook: no test passes on an apology."""

    def broken(_step: object) -> None:
        raise RuntimeError(f"{handler} is broken")

    monkeypatch.setattr(module, handler, broken)
    call = ivr.twilio.call(NUMBERS["europe"], "+15005550006")
    call.start()
    with pytest.raises(RuntimeError, match="is broken"):
        call.press("1")
        call.press("1013")
        call.press("1")  # role: admin
        call.press("1")  # menu: new problem
        call.press("2")  # priority
        call.dial_ends("no-answer")


def test_fallback_url_apologises_with_the_help_center(ivr: Ivr) -> None:
    """Twilio's fallback URL: a short apology, the help-center address, hang up."""
    answer = ivr.twilio.twiml("/ivr/fallback", {**PARAMS, "ErrorCode": "11200"})
    assert "https://support.example.com" in answer.text
    assert answer.hangs_up


def test_status_callbacks_are_recorded_on_the_transcript(ivr: Ivr) -> None:
    """CallStatus=completed after a call: a line and an outcome on its transcript (hung up
    at the menu: abandoned there, ivr/abandonment.py)."""
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1013"))
    call.start()
    response = ivr.twilio.post("/ivr/status", {**call.params, "CallStatus": "completed"})
    assert response.status_code == 200
    ET.fromstring(response.get_data())
    with ivr.fd.engine.connect() as connection:
        lines = [row.text for row in connection.execute(select(turns))]
        outcome = connection.execute(select(transcripts.c.outcome, transcripts.c.reason)).one()
    assert "call status: completed" in lines
    assert tuple(outcome) == ("abandoned", "menu")


def test_skipping_signatures_is_refused_in_production() -> None:
    """FRONTDOOR_IVR_SKIP_SIGNATURE=1 is for local demos only."""
    with pytest.raises(SettingsError, match="production"):
        load_settings({"FRONTDOOR_IVR_SKIP_SIGNATURE": "1", "FRONTDOOR_ENV": "production"})


def test_skipping_signatures_accepts_unsigned_requests_and_warns(
    ivr_factory: object, caplog: pytest.LogCaptureFixture
) -> None:
    """Development with the check off: unsigned requests pass, and the log says so loudly."""
    with caplog.at_level(logging.WARNING, logger="frontdoor.ivr"):
        ivr = ivr_factory(IvrSettings(skip_signature=True))  # type: ignore[operator]
    assert "UNSIGNED" in caplog.text
    response = ivr.twilio.client.post("/ivr/voice", data=PARAMS)
    assert response.status_code == 200


def test_telephony_settings_come_from_the_environment() -> None:
    """Desk per theatre, on-call numbers, dial mode and record length from variables."""
    settings = load_settings(
        {
            "FRONTDOOR_IVR_DESK_NUMBER": "europe=+390500000000,+13050000000",
            "FRONTDOOR_ONCALL_NUMBERS": "+390511111111, +390522222222",
            "FRONTDOOR_IVR_DIAL_MODE": "simultaneous",
            "FRONTDOOR_IVR_RECORD_MAX_SECONDS": "90",
        }
    ).ivr
    assert settings.desk_number("europe") == "+390500000000"
    assert settings.desk_number("americas") == "+13050000000"
    assert settings.on_call_numbers == ("+390511111111", "+390522222222")
    assert (settings.dial_mode, settings.record_max_seconds) == ("simultaneous", 90)
