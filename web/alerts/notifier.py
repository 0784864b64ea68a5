"""The on-call call through Twilio's REST API: the adapter of :class:`core.alerts.OnCallNotifier`.

Each configured on-call number is called with inline TwiML that reads the ticket, customer,
product and summary in the on-call language of the policy (guide §6.1: English), worded in
``web/alerts/prompts.yml``, and asks the engineer to press 1; the key press goes to the
acknowledgement route, signed by Twilio.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from twilio.base.exceptions import TwilioException
from twilio.http import HttpClient
from twilio.rest import Client
from twilio.twiml.voice_response import Gather, VoiceResponse

from core.alerts import CallAttempt, OnCallPage
from core.prompts import Prompts, load_prompts
from core.settings import Settings

ACK_PATH = "/api/alerts/oncall/ack"
MAX_SPOKEN = 300  # characters of summary read out (Twilio takes at most 4,000 of TwiML)
PROMPTS_PATH = Path(__file__).with_name("prompts.yml")


@dataclass(frozen=True)
class Voice:
    """How the on-call service speaks: Twilio's voice and language, and the wording in the
    policy's on-call language."""

    voice: str = "Polly.Joanna-Neural"
    language: str = "en-US"
    lang: str = "en"
    prompts: Prompts = field(default_factory=lambda: load_prompts(PROMPTS_PATH))

    def text(self, key: str, **values: object) -> str:
        return self.prompts.text(self.lang, key, **values)

    def say(self, target: Gather | VoiceResponse, key: str, **values: object) -> None:
        target.say(self.text(key, **values), voice=self.voice, language=self.language)


def spell(digits: str) -> str:
    """Digits separated by spaces, so that a voice reads them one by one."""
    return " ".join(ch for ch in digits if ch.isdigit())


def spoken_page(page: OnCallPage, voice: Voice) -> str:
    """What the engineer hears, in the on-call language."""
    return voice.text(
        "page",
        priority=page.priority[-1],
        ticket=spell(page.ticket),
        customer=page.customer,
        contract=spell(page.contract_code),
        product=page.product or voice.text("no_product"),
        summary=page.summary[:MAX_SPOKEN],
        contact_name=page.contact_name,
        contact_phone=spell(page.contact_phone),
    )


def ack_url(base_url: str, ticket: str) -> str:
    return f"{base_url.rstrip('/')}{ACK_PATH}?{urlencode({'ticket': ticket})}"


def page_twiml(page: OnCallPage, action: str, voice: Voice) -> str:
    """The call's TwiML: the page read twice inside a one-key Gather, then a goodbye."""
    response = VoiceResponse()
    for _ in range(2):
        gather = Gather(num_digits=1, action=action, method="POST", timeout=8)
        gather.say(spoken_page(page, voice), voice=voice.voice, language=voice.language)
        voice.say(gather, "press_1")
        response.append(gather)
    voice.say(response, "no_key")
    return str(response)


class TwilioOnCallNotifier:
    """Calls every on-call number from the caller id with ``calls.create``."""

    def __init__(
        self,
        client: Client,
        *,
        numbers: Sequence[str],
        caller_id: str,
        base_url: str,
        voice: Voice | None = None,
    ):
        self.client = client
        self.numbers = tuple(numbers)
        self.caller_id = caller_id
        self.base_url = base_url
        self.voice = voice or Voice()

    def call(self, page: OnCallPage) -> list[CallAttempt]:
        twiml = page_twiml(page, ack_url(self.base_url, page.ticket), self.voice)
        return [self._call_one(number, twiml) for number in self.numbers]

    def _call_one(self, number: str, twiml: str) -> CallAttempt:
        try:
            call = self.client.calls.create(to=number, from_=self.caller_id, twiml=twiml)
        except TwilioException as exc:
            return CallAttempt(to=number, error=str(exc).splitlines()[0][:200])
        return CallAttempt(to=number, sid=call.sid)


def notifier_from_settings(
    settings: Settings, voice: Voice, http_client: HttpClient | None = None
) -> TwilioOnCallNotifier | None:
    """The notifier the settings describe, or None when one of them is missing."""
    needed = (
        settings.twilio_account_sid,
        settings.twilio_auth_token,
        settings.on_call_numbers,
        settings.on_call_caller_id,
        settings.public_base_url,
    )
    if not all(needed):
        return None
    client = Client(
        settings.twilio_account_sid, settings.twilio_auth_token, http_client=http_client
    )
    return TwilioOnCallNotifier(
        client,
        numbers=settings.on_call_numbers,
        caller_id=settings.on_call_caller_id or "",
        base_url=settings.public_base_url or "",
        voice=voice,
    )
