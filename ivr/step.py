"""One webhook delivery of a call: what Twilio sent, the call's state, and the answer built.

A :class:`Step` speaks through the theatre's voices (policy ``languages``), builds every
``<Gather>`` with an action that also receives silence (``actionOnEmptyResult``), and collects the
transcript lines of the step (prompts said, keys pressed, decisions) for the core to store.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import url_for
from twilio.twiml.voice_response import Gather, VoiceResponse

from core.bootstrap import Frontdoor
from core.model import Contract, Turn
from core.services import find_contract, mask_digits
from core.unit_of_work import AbstractUnitOfWork
from ivr import speech
from ivr.prompts import Prompts
from ivr.settings import IvrSettings

MAX_DIGITS = 32  # longer key presses are junk, not a code


@dataclass
class Step:
    fd: Frontdoor
    conf: IvrSettings
    prompts: Prompts
    sid: str
    form: Mapping[str, str]
    now: datetime
    state: dict[str, Any]
    uow: AbstractUnitOfWork  # the delivery's unit of work, joined by every service it calls
    response: VoiceResponse = field(default_factory=VoiceResponse)
    lines: list[Turn] = field(default_factory=list)
    key: str = ""  # the step's path and counter: stable across retried deliveries
    name: str = ""  # the handler that ran (the ivr.step log event)
    outcome: tuple[str, str | None] | None = None
    keep_state: bool = False  # status callbacks and the fallback only add transcript lines
    _contract: Contract | None = None

    # what the caller sent -------------------------------------------------------------------
    @property
    def digits(self) -> str | None:
        """The keys pressed: "" for silence, None for anything that is not a short digit run."""
        value = self.form.get("Digits", "").strip().rstrip("#")
        if value == "":
            return ""
        ok = value.isascii() and value.isdigit() and len(value) <= MAX_DIGITS
        return value if ok else None

    @property
    def spoken(self) -> str:
        """What Twilio heard the caller say ("" for none or noise), at most 200 characters."""
        return " ".join(self.form.get("SpeechResult", "").split())[:200]

    def answer(
        self,
        match: Callable[[str], str | None],
        *,
        secret: bool = False,
        min_confidence: float = speech.MIN_CONFIDENCE,
    ) -> str | None:
        """The caller's answer as keys, written on the transcript: the keys pressed, or the
        words said mapped by ``match`` to the keys they stand for. "" is no input (silence,
        or speech that was only noise); None is not understood, or said with a confidence
        below ``min_confidence`` (asked again; 0 where every spoken answer is read back)."""
        said = self.spoken
        if not said:
            keys = self.digits
            self.heard(keys or "", secret=secret)
            return keys
        sure = speech.confidence(self.form.get("Confidence"))
        value = match(said)
        self.heard_speech(said, sure, value, secret=secret)
        if sure < min_confidence:
            self.note(f"speech confidence {sure:.2f}: asked again", reason="speech_low_confidence")
            return None
        return value

    def choice(self, question: str) -> str | None:
        """:meth:`answer` at a question of :data:`ivr.speech.CHOICES` in the call's language."""
        return self.answer(lambda said: speech.choice(question, self.lang, said))

    @property
    def caller(self) -> str:
        return self.form.get("From", "")[:64] or "unknown"

    # state ----------------------------------------------------------------------------------
    @property
    def lang(self) -> str:
        if self.state.get("lang"):
            return str(self.state["lang"])
        return self.fd.policy.theatres[self.theatre].menu_languages[0]

    @property
    def on_call_lang(self) -> str:
        """The on-call service's language (policy ``on_call.language``)."""
        return self.fd.policy.on_call.language

    @property
    def theatre(self) -> str:
        return str(self.state.get("theatre") or self.fd.policy.default_theatre)

    def contract(self) -> Contract | None:
        code = self.state.get("contract")
        if code and (self._contract is None or self._contract.code != code):
            self._contract = find_contract(self.uow, str(code))
        return self._contract if code else None

    def url(self, endpoint: str) -> str:
        """Relative action URL of a step, with the call's step counter (a retried delivery of
        the same request carries the same counter; a new answer carries the next one)."""
        return url_for(f"ivr.{endpoint}", s=self.state.get("seq", 0))

    # speaking -------------------------------------------------------------------------------
    def say(
        self,
        key: str,
        *,
        lang: str | None = None,
        into: Gather | None = None,
        secret: tuple[str, ...] = (),
        **values: Any,
    ) -> None:
        """Say prompt ``key``; the ``secret`` values are masked on the transcript line."""
        language = lang or self.lang
        text = self.prompts.text(language, key, **values)
        voice = self.fd.policy.languages[language]
        (into or self.response).say(text, voice=voice.voice, language=voice.tts_language)
        if secret:
            hidden = {k: mask_digits(str(v)) if k in secret else v for k, v in values.items()}
            text = self.prompts.text(language, key, **hidden)
        self.lines.append(Turn(speaker="ivr", text=text, at=self.now, kind="say"))

    def gather(
        self,
        endpoint: str,
        *,
        until_hash: bool = False,
        timeout: int = 6,
        hints: str | None = None,
        lang: str | None = None,
    ) -> Gather:
        """A ``<Gather>`` posting to ``endpoint``, also on silence. With ``hints`` it takes
        speech as well as keys, recognised in ``lang`` (default: the call's language); without,
        keys only (the PIN)."""
        kwargs: dict[str, Any] = {"finish_on_key": "#"} if until_hash else {"num_digits": 1}
        if hints is not None:
            kwargs.update(
                input="speech dtmf",
                language=speech.SPEECH_LANGUAGES.get(lang or self.lang, "en-US"),
                hints=hints,
            )
            if not until_hash:
                kwargs["speech_timeout"] = "auto"
        else:
            kwargs["input"] = "dtmf"
        self.state["asking"] = endpoint  # where a hang-up now abandons the tree (ivr/abandonment)
        return self.response.gather(
            action=self.url(endpoint),
            method="POST",
            action_on_empty_result=True,
            timeout=timeout,
            **kwargs,
        )

    def hang_up(self, key: str = "goodbye", **values: Any) -> None:
        self.say(key, **values)
        self.response.hangup()

    # transcript -----------------------------------------------------------------------------
    def heard(self, text: str, *, secret: bool = False) -> None:
        shown = mask_digits(text) if secret else text
        self.lines.append(
            Turn(speaker="caller", text=shown or "(silence)", at=self.now, kind="keys")
        )

    def heard_speech(
        self, said: str, sure: float, value: str | None, *, secret: bool = False
    ) -> None:
        """A spoken answer on the transcript with its confidence; a secret one (a customer
        code) only as its masked digits, never the words."""
        if secret:
            said = mask_digits(value) if value else "(not understood)"
        text = f"{said} (speech, confidence {sure:.2f})"
        self.lines.append(Turn(speaker="caller", text=text, at=self.now, kind="speech"))

    def note(self, text: str, *, kind: str = "event", reason: str | None = None) -> None:
        self.lines.append(Turn(speaker="system", text=text, at=self.now, kind=kind, reason=reason))

    def end(self, outcome: str, reason: str | None = None) -> None:
        self.outcome = (outcome, reason)
        self.state["outcome"] = outcome
