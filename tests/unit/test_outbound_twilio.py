"""SMS and calls through Twilio's REST client, with its HTTP client replaced by a recorder."""

from __future__ import annotations

import json
import logging
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from twilio.http import HttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.rest import Client

from core.notify import DeliveryError, Message, Router
from core.settings import load_settings
from outbound import TwilioCall, TwilioSms, adapters_from_settings

SID = "AC" + "1" * 32
AUTH_TOKEN = "twilio-auth-token-never-shown"
FROM = "+390584943232"
TO = "+390584000009"


class FakeTwilioHttp(HttpClient):  # type: ignore[misc]
    """Twilio's HTTP client replaced: records each request and answers ``status``/``body``, or
    raises ``error``."""

    def __init__(self, status: int = 201, body: Any = None, error: Exception | None = None):
        super().__init__(logging.getLogger("twilio.http_client"), is_async=False)
        self.requests: list[dict[str, Any]] = []
        self.status, self.body, self.error = status, body, error

    def request(self, method: str, uri: str, **kwargs: Any) -> TwilioResponse:
        self.requests.append({"method": method, "uri": uri, **kwargs})
        if self.error is not None:
            raise self.error
        body = self.body if self.body is not None else {"sid": "SM" + "0" * 32}
        return TwilioResponse(self.status, json.dumps(body))


def client(http: FakeTwilioHttp) -> Client:
    return Client(SID, AUTH_TOKEN, http_client=http)


def message(channel: str, text: str = "[P1] Ticket 0000042: escalated", **kw: Any) -> Message:
    fields: dict[str, Any] = dict(
        delivery_id="d-1",
        to_name="Marco Bianchi",
        to_address=TO,
        language="en",
        subject="[P1] Ticket 0000042: escalated",
        text=text,
        html="",
        at=datetime(2026, 11, 21, 9, 0, tzinfo=UTC),
        channel=channel,
    )
    fields.update(kw)
    return Message(**fields)


def said(twiml: str) -> list[tuple[str, str | None, str | None]]:
    """(text, language, voice) of every ``<Say>``."""
    return [(s.text or "", s.get("language"), s.get("voice")) for s in ET.fromstring(twiml)]


def test_an_sms_is_a_post_to_messages_with_to_from_and_body() -> None:
    """messages.create: one POST to the account's Messages.json with the text as Body."""
    http = FakeTwilioHttp()
    TwilioSms(client(http), FROM).send(message("sms", "Ticket 0000042 https://fd/x"))
    [request] = http.requests
    assert request["method"] == "POST"
    assert request["uri"] == f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json"
    assert request["data"] == {"To": TO, "From": FROM, "Body": "Ticket 0000042 https://fd/x"}


def test_a_call_reads_the_text_twice_in_english_by_default() -> None:
    """calls.create: a POST to Calls.json whose TwiML says the text twice, en-US."""
    http = FakeTwilioHttp(body={"sid": "CA" + "0" * 32})
    TwilioCall(client(http), FROM).send(message("call", "Ticket 42 escalated."))
    [request] = http.requests
    assert request["uri"] == f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Calls.json"
    assert (request["data"]["To"], request["data"]["From"]) == (TO, FROM)
    says = [s for s in said(request["data"]["Twiml"]) if s[0]]
    assert says == [("Ticket 42 escalated.", "en-US", "Polly.Joanna-Neural")] * 2


@pytest.mark.parametrize(
    ("language", "tag"),
    [
        ("en", "en-US"),
        ("it", "it-IT"),
        ("de", "de-DE"),
        ("fr", "fr-FR"),
        ("es", "es-ES"),
        ("pt", "pt-PT"),
        ("ar", "ar-AE"),
        ("xx", "en-US"),
    ],
)
def test_a_call_speaks_the_message_language(language: str, tag: str) -> None:
    """Each of the seven languages has its Twilio tag; an unknown one falls back to English."""
    http = FakeTwilioHttp(body={"sid": "CA" + "0" * 32})
    TwilioCall(client(http), FROM).send(message("call", "Testo", language=language))
    languages = {lang for text, lang, _ in said(http.requests[0]["data"]["Twiml"]) if text}
    assert languages == {tag}


def test_a_refusal_by_twilio_is_a_one_line_delivery_error_without_credentials() -> None:
    """A 400 from Twilio: status, error code and Twilio's message, never the auth token."""
    refusal = {"code": 21211, "message": "The 'To' number is not valid.", "status": 400}
    http = FakeTwilioHttp(status=400, body=refusal)
    with pytest.raises(DeliveryError) as raised:
        TwilioSms(client(http), FROM).send(message("sms"))
    reason = str(raised.value)
    assert reason == "Twilio HTTP 400 error 21211: The 'To' number is not valid."
    assert AUTH_TOKEN not in reason


def test_a_network_failure_is_a_one_line_delivery_error() -> None:
    """An OSError becomes its first line: the rest (here, credentials echoed) is dropped."""
    error = ConnectionError(f"proxy refused\nAuthorization for {SID}:{AUTH_TOKEN}")
    http = FakeTwilioHttp(error=error)
    with pytest.raises(DeliveryError) as raised:
        TwilioCall(client(http), FROM).send(message("call"))
    reason = str(raised.value)
    assert reason == "ConnectionError: proxy refused"


def test_an_echoed_auth_token_is_masked_in_the_reason() -> None:
    """Whatever Twilio or a proxy says back, the token is replaced by stars."""
    http = FakeTwilioHttp(status=401, body={"code": 20003, "message": f"bad {AUTH_TOKEN}"})
    with pytest.raises(DeliveryError, match=r"^Twilio HTTP 401 error 20003: bad \*\*\*$"):
        TwilioSms(client(http), FROM).send(message("sms"))


@pytest.mark.parametrize(("adapter", "channel"), [(TwilioSms, "call"), (TwilioCall, "sms")])
def test_a_message_of_another_channel_is_a_programming_error(
    adapter: type[TwilioSms], channel: str
) -> None:
    """A message routed to the wrong adapter: ValueError, and Twilio is never asked."""
    http = FakeTwilioHttp()
    with pytest.raises(ValueError, match="cannot go through"):
        adapter(client(http), FROM).send(message(channel))
    assert http.requests == []


def test_the_settings_give_sms_and_call_with_a_sender_and_an_account() -> None:
    """TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and a sender number (the on-call caller id when
    FRONTDOOR_NOTIFY_FROM_NUMBER is unset): sms and call, sent from that number."""
    env = {"TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN}
    assert adapters_from_settings(load_settings(env)) == {}
    settings = load_settings({**env, "FRONTDOOR_ONCALL_CALLER_ID": FROM})
    http = FakeTwilioHttp()
    adapters = adapters_from_settings(settings, http_client=http)
    assert sorted(adapters) == ["call", "sms"]
    Router(adapters).send(message("sms"))
    assert http.requests[0]["data"]["From"] == FROM
    no_account = replace(settings, twilio_auth_token=None)
    assert adapters_from_settings(no_account) == {}
