"""SMS and voice-call delivery through Twilio's REST API (the :class:`~core.notify.Notifier` port).

:class:`TwilioSms` sends the message's text with ``messages.create``; :class:`TwilioCall` places
a call with ``calls.create`` whose inline TwiML reads the text twice, in the message's language;
:class:`TwilioCallback` calls back a caller who asked for it in the desk queue: the text once,
then ``<Dial>`` to the desk (or ``<Enqueue>`` in the desk's queue).
A refusal by Twilio or a network failure becomes :class:`~core.notify.DeliveryError` with one
line (status, Twilio error code, Twilio's message; never the account's credentials), and the
worker retries. Twilio has no idempotency key: a retried SMS or call may reach the person twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.rest import Client
from twilio.twiml.voice_response import VoiceResponse

from core.notify import DeliveryError, Message
from core.policy import Language

MAX_REASON = 200  # characters of a failure kept in the outbox row's last_error


@dataclass(frozen=True)
class Voice:
    """How a call speaks one of our languages: Twilio's ``<Say>`` language tag and voice (None:
    Twilio's default voice for that language)."""

    language: str
    voice: str | None = None


DEFAULT_VOICES: Mapping[str, Voice] = {
    "en": Voice("en-US", "Polly.Joanna-Neural"),
    "it": Voice("it-IT", "Polly.Bianca-Neural"),
    "de": Voice("de-DE", "Polly.Vicki-Neural"),
    "fr": Voice("fr-FR", "Polly.Lea-Neural"),
    "es": Voice("es-ES", "Polly.Lucia-Neural"),
    "pt": Voice("pt-PT", "Polly.Ines-Neural"),
    "ar": Voice("ar-AE", "Polly.Hala-Neural"),
}


def voices_from_policy(languages: Mapping[str, Language]) -> dict[str, Voice]:
    """The voices of the policy's ``languages`` (the IVR's), instead of :data:`DEFAULT_VOICES`."""
    return {code: Voice(lang.tts_language, lang.voice or None) for code, lang in languages.items()}


def reason(exc: BaseException, hidden: Iterable[str | None] = ()) -> str:
    """One line saying why Twilio did not take the message, without any of ``hidden``."""
    if isinstance(exc, TwilioRestException):
        said = str(exc.msg).removeprefix("Unable to create record: ")  # the client's words
        text = f"Twilio HTTP {exc.status} error {exc.code or '-'}: {said}"
    elif isinstance(exc, TwilioServiceException):
        text = f"Twilio HTTP {exc.status} error {exc.code}: {exc.title}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    for secret in hidden:
        if secret:
            text = text.replace(secret, "***")
    return (text.strip().splitlines() or [type(exc).__name__])[0][:MAX_REASON]


def call_twiml(message: Message, voices: Mapping[str, Voice] = DEFAULT_VOICES) -> str:
    """The call's TwiML: the text read twice in the message's language (English when we have
    no voice for it), a pause between."""
    voice = voices.get(message.language) or voices.get("en") or DEFAULT_VOICES["en"]
    response = VoiceResponse()
    response.say(message.text, voice=voice.voice, language=voice.language)
    response.pause(length=1)
    response.say(message.text, voice=voice.voice, language=voice.language)
    return str(response)


def callback_twiml(message: Message, voices: Mapping[str, Voice] = DEFAULT_VOICES) -> str:
    """The callback's TwiML: the text in the caller's language, then the desk."""
    voice = voices.get(message.language) or voices.get("en") or DEFAULT_VOICES["en"]
    response = VoiceResponse()
    response.say(message.text, voice=voice.voice, language=voice.language)
    desk, queue = message.data.get("desk"), message.data.get("queue")
    if desk:
        response.dial(str(desk), answer_on_bridge=True)
    elif queue:
        response.enqueue(str(queue))
    else:
        raise DeliveryError("the callback names no desk number or queue")
    return str(response)


def _check(message: Message, channel: str) -> None:
    if message.channel != channel:
        raise ValueError(f"a {message.channel} message cannot go through the {channel} adapter")


class _TwilioAdapter:
    channel = ""

    def __init__(self, client: Client, from_: str):
        self.client = client
        self.from_ = from_

    def send(self, message: Message) -> None:
        _check(message, self.channel)
        try:
            self._create(message)
        except (TwilioException, OSError) as exc:
            token = getattr(self.client, "password", None)  # the auth token, if ever echoed
            raise DeliveryError(reason(exc, [token])) from exc

    def _create(self, message: Message) -> None:
        raise NotImplementedError


class TwilioSms(_TwilioAdapter):
    """``sms`` messages: the text to the phone number, from ``from_``."""

    channel = "sms"

    def _create(self, message: Message) -> None:
        self.client.messages.create(to=message.to_address, from_=self.from_, body=message.text)


class TwilioCall(_TwilioAdapter):
    """``call`` messages: a call to the phone number, from ``from_``, reading the text."""

    channel = "call"

    def __init__(self, client: Client, from_: str, voices: Mapping[str, Voice] = DEFAULT_VOICES):
        super().__init__(client, from_)
        self.voices = voices

    def _create(self, message: Message) -> None:
        twiml = call_twiml(message, self.voices)
        self.client.calls.create(to=message.to_address, from_=self.from_, twiml=twiml)


class TwilioCallback(TwilioCall):
    """``callback`` messages: a call to the caller, from the theatre's number the row names (else
    ``from_``), that says the text and bridges them to the desk."""

    channel = "callback"

    def _create(self, message: Message) -> None:
        twiml = callback_twiml(message, self.voices)
        from_ = str(message.data.get("caller_id") or self.from_)
        self.client.calls.create(to=message.to_address, from_=from_, twiml=twiml)
