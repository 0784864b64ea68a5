"""The desk queue's callback through Twilio's REST client (its HTTP client a recorder): the
caller is called from the theatre's number, hears one sentence, and is bridged to the desk."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from typing import Any

import pytest

from core.notify import DeliveryError, Message
from core.settings import load_settings
from outbound import TwilioCallback, callback_from_settings

from .test_outbound_twilio import AUTH_TOKEN, FROM, SID, FakeTwilioHttp, client, message

CALLER = "+447700900113"
THEATRE = "+390584943232"
DESK = "+390500000000"


def callback(**data: Any) -> Message:
    facts = {"desk": DESK, "queue": None, "caller_id": THEATRE, **data}
    text = "Hello, this is the support desk calling you back."
    return replace(message("callback", text, to_address=CALLER), data=facts)


def test_a_callback_calls_the_caller_from_the_theatre_number_and_dials_the_desk() -> None:
    """calls.create: To the caller, From the row's theatre number; the TwiML says the sentence
    once in the caller's language, then <Dial>s the desk."""
    http = FakeTwilioHttp(body={"sid": "CA" + "0" * 32})
    TwilioCallback(client(http), FROM).send(callback())
    [request] = http.requests
    assert request["uri"] == f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Calls.json"
    assert (request["data"]["To"], request["data"]["From"]) == (CALLER, THEATRE)
    twiml = ET.fromstring(request["data"]["Twiml"])
    assert [(s.text, s.get("language")) for s in twiml.iter("Say")] == [
        ("Hello, this is the support desk calling you back.", "en-US")
    ]
    [dial] = twiml.iter("Dial")
    assert dial.text == DESK and dial.get("answerOnBridge") == "true"


def test_a_callback_without_a_desk_number_joins_the_queue_or_fails() -> None:
    """No desk number: <Enqueue> in the desk's queue; neither: a delivery error (retried)."""
    http = FakeTwilioHttp(body={"sid": "CA" + "0" * 32})
    adapter = TwilioCallback(client(http), FROM)
    adapter.send(callback(desk=None, queue="support-eu", caller_id=None))
    twiml = ET.fromstring(http.requests[0]["data"]["Twiml"])
    assert [e.text for e in twiml.iter("Enqueue")] == ["support-eu"]
    assert http.requests[0]["data"]["From"] == FROM  # no theatre number in the row
    with pytest.raises(DeliveryError):
        adapter.send(callback(desk=None, queue=None))
    assert len(http.requests) == 1


def test_the_callback_channel_needs_only_the_twilio_account() -> None:
    """TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN: the adapter; without them: none."""
    env = {"TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN}
    assert isinstance(callback_from_settings(load_settings(env)), TwilioCallback)
    assert callback_from_settings(load_settings({})) is None
