"""A helper that plays Twilio against the IVR: signed webhook posts, TwiML parsed with XPath.

Signing and parsing are phonesim's (the caller simulator's): ``Signer`` signs over the public
URL with twilio's ``RequestValidator``, ``parse_twiml`` accepts a ``<Response>`` document only.

Like flaskr's ``AuthActions``: tests say what the caller does (``call.press("1")``) and read
what they hear (``twiml.said``). Every answer is checked for Twilio correctness on the way:
well-formed TwiML, and every ``<Gather>`` with an action that also receives silence.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from phonesim import SIGNATURE_HEADER, Signer, parse_twiml, text_of

TOKEN = "test-auth-token"
PUBLIC_BASE_URL = "https://ivr.example.com"
_sids = itertools.count(1)


@dataclass
class Twiml:
    status: int
    root: ET.Element

    @property
    def said(self) -> list[str]:
        return [text_of(say) for say in self.root.iter("Say")]

    @property
    def text(self) -> str:
        return " ".join(self.said)

    @property
    def voices(self) -> list[tuple[str | None, str | None]]:
        return [(s.get("voice"), s.get("language")) for s in self.root.iter("Say")]

    @property
    def gather(self) -> ET.Element | None:
        return self.root.find("Gather")

    @property
    def gather_action(self) -> str | None:
        return self.gather.get("action") if self.gather is not None else None

    @property
    def redirect(self) -> str | None:
        found = self.root.find("Redirect")
        return found.text if found is not None else None

    @property
    def dial(self) -> ET.Element | None:
        return self.root.find("Dial")

    @property
    def dial_numbers(self) -> list[str]:
        return [n.text or "" for n in self.root.findall("./Dial/Number")]

    @property
    def record(self) -> ET.Element | None:
        return self.root.find("Record")

    @property
    def enqueue(self) -> str | None:
        found = self.root.find("Enqueue")
        return found.text if found is not None else None

    @property
    def hangs_up(self) -> bool:
        return self.root.find("Hangup") is not None

    def check_twilio_rules(self) -> None:
        """Every Gather posts to an action, also on silence (no dead air)."""
        for gather in self.root.iter("Gather"):
            assert gather.get("action"), "a Gather without action"
            assert gather.get("actionOnEmptyResult") == "true", "a Gather without a retry path"


class TwilioClient:
    """Signs form posts as Twilio does (RequestValidator over the public URL)."""

    def __init__(self, app: Any, token: str = TOKEN, base_url: str = PUBLIC_BASE_URL):
        self.client = app.test_client()
        self.signer = Signer(token, base_url)

    def sign(self, path: str, params: Mapping[str, str]) -> str:
        return self.signer.sign(self.signer.url(path), params)

    def post(
        self, path: str, params: Mapping[str, str], *, signature: str | None = None, **kw: Any
    ) -> Any:
        headers = {SIGNATURE_HEADER: self.sign(path, params) if signature is None else signature}
        return self.client.post(path, data=dict(params), headers=headers, **kw)

    def twiml(self, path: str, params: Mapping[str, str]) -> Twiml:
        response = self.post(path, params)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == "text/xml"
        parsed = Twiml(response.status_code, parse_twiml(response.get_data()))
        parsed.check_twilio_rules()
        return parsed

    def call(self, to: str, caller: str = "+15005550006", sid: str | None = None) -> Call:
        return Call(self, to, caller, sid or f"CA{next(_sids):032x}")


class Call:
    """One phone call: follows the actions of the TwiML answers like Twilio does."""

    def __init__(self, client: TwilioClient, to: str, caller: str, sid: str):
        self.client, self.sid = client, sid
        self.params = {"CallSid": sid, "From": caller, "To": to, "AccountSid": "AC" + "0" * 32}
        self.last: Twiml | None = None

    def post(self, path: str, **extra: str) -> Twiml:
        self.last = self.client.twiml(path, {**self.params, **extra})
        return self.last

    def start(self) -> Twiml:
        return self.post("/ivr/voice", CallStatus="ringing")

    def press(self, digits: str) -> Twiml:
        assert self.last is not None and self.last.gather_action, "nothing is asking for keys"
        return self.post(self.last.gather_action, Digits=digits, CallStatus="in-progress")

    def silence(self) -> Twiml:
        assert self.last is not None and self.last.gather_action, "nothing is asking for keys"
        return self.post(self.last.gather_action, CallStatus="in-progress")

    def dial_ends(self, status: str) -> Twiml:
        assert self.last is not None and self.last.dial is not None
        action = self.last.dial.get("action")
        assert action
        return self.post(action, DialCallStatus=status, CallStatus="in-progress")

    def records(self, url: str = "https://api.twilio.com/rec/RE1", seconds: str = "12") -> Twiml:
        assert self.last is not None and self.last.record is not None
        action = self.last.record.get("action")
        assert action
        return self.post(action, RecordingUrl=url, RecordingDuration=seconds, Digits="#")
