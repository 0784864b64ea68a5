"""The on-call call through Twilio's REST API: the worker's adapter for channel ``oncall``.

Each on-call number (one outbox row each) is called with inline TwiML that reads the ticket,
customer, product and summary in the on-call language of the policy (guide §6.1: English),
worded in ``web/alerts/prompts.yml``, and asks the engineer to press 1; the key press goes to the
acknowledgement route, signed by Twilio.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlencode

from twilio.base.exceptions import TwilioException
from twilio.http import HttpClient
from twilio.rest import Client
from twilio.twiml.voice_response import Gather, VoiceResponse

from core.alerts import OnCallPage
from core.notify import DeliveryError, Message
from core.policy import Policy
from core.prompts import Prompts, load_prompts
from core.settings import Settings

ACK_PATH = "/api/alerts/oncall/ack"
MAX_SPOKEN = 300  # characters of summary read out (Twilio takes at most 4,000 of TwiML)
PROMPTS_PATH = Path(__file__).with_name("prompts.yml")
PAGE_FIELDS = tuple(f.name for f in fields(OnCallPage))


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


class OnCallCaller:
    """The worker's adapter for channel ``oncall``: one ``calls.create`` per outbox row, from
    the caller id, with the page read from the row (``message.data``)."""

    def __init__(self, client: Client, *, caller_id: str, base_url: str, voice: Voice):
        self.client, self.caller_id, self.base_url, self.voice = client, caller_id, base_url, voice

    def send(self, message: Message) -> None:
        fields = {name: message.data.get(name) for name in PAGE_FIELDS}
        page = OnCallPage(**fields)  # type: ignore[arg-type]  # as queue_calls wrote it
        twiml = page_twiml(page, ack_url(self.base_url, page.ticket), self.voice)
        try:
            self.client.calls.create(to=message.to_address, from_=self.caller_id, twiml=twiml)
        except (TwilioException, OSError) as exc:
            raise DeliveryError(str(exc).splitlines()[0][:200]) from exc


def caller_from_settings(
    settings: Settings, voice: Voice, http_client: HttpClient | None = None
) -> OnCallCaller | None:
    """The on-call caller the settings describe, or None when one of them is missing."""
    needed = (
        settings.twilio_account_sid,
        settings.twilio_auth_token,
        settings.on_call_caller_id,
        settings.public_base_url,
    )
    if not all(needed):
        return None
    client = Client(
        settings.twilio_account_sid, settings.twilio_auth_token, http_client=http_client
    )
    return OnCallCaller(
        client,
        caller_id=settings.on_call_caller_id or "",
        base_url=settings.public_base_url or "",
        voice=voice,
    )


def on_call_voice(policy: Policy) -> Voice:
    """The on-call service's voice and wording: the policy's ``on_call.language``."""
    lang = policy.on_call.language
    spoken = policy.languages[lang]
    return Voice(voice=spoken.voice, language=spoken.tts_language, lang=lang)
