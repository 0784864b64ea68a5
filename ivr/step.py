"""One webhook delivery of a call: what Twilio sent, the call's state, and the answer built.

A :class:`Step` speaks through the theatre's voices (policy ``languages``), builds every
``<Gather>`` with an action that also receives silence (``actionOnEmptyResult``), and collects the
transcript lines of the step (prompts said, keys pressed, decisions) for the core to store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import url_for
from twilio.twiml.voice_response import Gather, VoiceResponse

from core.bootstrap import Frontdoor
from core.model import Contract, Turn
from core.services import find_contract, mask_digits
from core.unit_of_work import AbstractUnitOfWork
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
        self, key: str, *, lang: str | None = None, into: Gather | None = None, **values: Any
    ) -> None:
        language = lang or self.lang
        text = self.prompts.text(language, key, **values)
        voice = self.fd.policy.languages[language]
        (into or self.response).say(text, voice=voice.voice, language=voice.tts_language)
        self.lines.append(Turn(speaker="ivr", text=text, at=self.now, kind="say"))

    def gather(self, endpoint: str, *, until_hash: bool = False, timeout: int = 6) -> Gather:
        kwargs: dict[str, Any] = {"finish_on_key": "#"} if until_hash else {"num_digits": 1}
        return self.response.gather(
            input="dtmf",
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

    def note(self, text: str, *, kind: str = "event", reason: str | None = None) -> None:
        self.lines.append(Turn(speaker="system", text=text, at=self.now, kind=kind, reason=reason))

    def end(self, outcome: str, reason: str | None = None) -> None:
        self.outcome = (outcome, reason)
        self.state["outcome"] = outcome
