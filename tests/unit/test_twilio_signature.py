"""The one Twilio request validator: public URL, every form value, the token and the skip."""

from __future__ import annotations

from flask import Flask, request
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from ivr.twilio_signature import public_url, signed

APP = Flask(__name__)
FORM = MultiDict([("CallSid", "CA1"), ("Digits", "1"), ("Digits", "2")])
PUBLIC = "https://frontdoor.example.com"


def _context(signature: str = "") -> object:
    return APP.test_request_context(
        "/ivr/voice?retry=1",
        base_url="http://10.0.0.7:8000/app",
        method="POST",
        data=FORM,
        headers={"X-Twilio-Signature": signature},
    )


def test_the_public_url_is_the_base_url_script_root_path_and_query() -> None:
    with _context():
        assert public_url(request, PUBLIC + "/") == f"{PUBLIC}/app/ivr/voice?retry=1"
        assert public_url(request, None) == "http://10.0.0.7:8000/app/ivr/voice?retry=1"


def test_every_value_of_a_repeated_field_is_signed() -> None:
    url = f"{PUBLIC}/app/ivr/voice?retry=1"
    validator = RequestValidator("token")
    with _context(validator.compute_signature(url, FORM)):
        assert signed(request, "token", PUBLIC, skip=False)
        assert not signed(request, "another-token", PUBLIC, skip=False)
    with _context(validator.compute_signature(url, FORM.to_dict())):
        assert not signed(request, "token", PUBLIC, skip=False)


def test_no_token_refuses_unless_the_check_is_skipped() -> None:
    with _context():
        assert not signed(request, None, PUBLIC, skip=False)
        assert signed(request, None, PUBLIC, skip=True)
