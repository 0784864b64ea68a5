"""The TwiML interpreter: what the caller hears and answers, verb by verb, as Twilio plays it.

``Say``/``Play``/``Pause`` are printed, ``Gather`` and ``Record`` ask the caller (a callback:
the terminal by default, a script in tests), ``Dial`` asks the outcome of the dialled leg,
``Redirect`` and the ``action`` of ``Gather``/``Dial``/``Record`` leave the document (relative
URLs resolved as Twilio resolves them), ``Hangup``/``Reject``/``Enqueue`` and the end of the
document end the call.

Twilio semantics kept here (https://www.twilio.com/docs/voice/twiml):

- ``Gather``: keys stop at ``finishOnKey`` (default ``#``, not sent) or at ``numDigits``; keys
  typed without the finish key are submitted as on timeout. No key, or the finish key alone, is
  *no input*: Twilio then continues with the verb after ``Gather``, unless
  ``actionOnEmptyResult="true"``, in which case the action is requested *without* ``Digits``.
- Speech (``input`` with ``speech``): an answer ``say: words`` posts ``SpeechResult`` with
  ``Confidence`` 0.9, ``say@0.3: words`` with confidence 0.3, ``say:`` alone an empty
  ``SpeechResult`` (noise); with speech input any answer that is not keys is said as well. A
  ``say:`` answer where the Gather takes keys only (the PIN) is not sent, and asked again.
- ``Record``: an empty recording does not request the action (the next verb follows); a
  recording posts ``RecordingUrl``, ``RecordingDuration``, ``RecordingSid`` and ``Digits`` (the
  key that ended it, or ``hangup``; the answer to a request made after a hang-up is ignored).
- ``Dial``: with an ``action``, the tester chooses the outcome, posted as ``DialCallStatus``;
  without one, the call continues with the next verb once the dialled leg ends.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from phonesim.callers import Caller, Prompt
from phonesim.errors import CallerHangup, SimulatorError
from phonesim.results import Event
from phonesim.twiml import flag, method_of, tag_of, text_of

DIAL_OUTCOMES = ("completed", "answered", "no-answer", "busy", "failed", "canceled")
KEYS = frozenset("0123456789*#")
MAX_ATTEMPTS = 3
SPOKEN_CONFIDENCE = "0.9"
_SAY = re.compile(r"^say(?:@(?P<confidence>[01](?:\.\d+)?))?:\s*(?P<phrase>.*)$", re.IGNORECASE)


def speech_answer(answer: str) -> tuple[str, str] | None:
    """``say: words`` or ``say@0.3: words`` as (phrase, confidence); None for other answers."""
    found = _SAY.match(answer.strip())
    if found is None:
        return None
    return found["phrase"].strip(), found["confidence"] or SPOKEN_CONFIDENCE


def new_sid(prefix: str) -> str:
    """A fresh Twilio-like identifier (``CA…``, ``RE…``)."""
    return prefix + uuid.uuid4().hex


@dataclass(frozen=True)
class Next:
    """Leave the current document: request ``url`` (``final``: the call is over, the answer is
    ignored, as Twilio ignores TwiML returned after the caller hung up)."""

    url: str
    method: str
    params: Mapping[str, str]
    final: bool = False


@dataclass(frozen=True)
class End:
    reason: str


class Interpreter:
    """Plays TwiML documents to ``caller``: every line of the call goes to ``events`` and to
    ``output``; ``seconds`` adds up how long the call has lasted (speech, pauses, talk)."""

    def __init__(
        self,
        caller: Caller,
        output: Callable[[str], None] | None,
        events: list[Event],
        account_sid: str,
    ) -> None:
        self.caller = caller
        self.output = output
        self.events = events
        self.account_sid = account_sid
        self.seconds = 0.0

    def emit(self, kind: str, text: str, line: str | None = None, **detail: str) -> None:
        self.events.append(Event(kind, text, detail))
        if self.output is not None:
            self.output(line if line is not None else text)

    def ask(self, prompt: Prompt) -> str:
        return self.caller(prompt).strip()

    def run(self, document: ET.Element, url: str) -> Next | End:
        """Execute a document verb by verb; the first verb that leaves it decides."""
        for verb in document:
            try:
                outcome = self.verb(verb, url)
            except CallerHangup:
                self.emit("caller", "hangup", "(the caller hangs up)")
                return End("caller-hangup")
            if outcome is not None:
                return outcome
        return End("end-of-document")

    def verb(self, verb: ET.Element, url: str) -> Next | End | None:
        name = tag_of(verb)
        handler = getattr(self, f"verb_{name.lower()}", None)
        if name in ("Say", "Play", "Pause"):
            self.prompt_verb(verb)
            return None
        if handler is None:
            self.emit("warning", f"<{name}> is not simulated", f"(<{name}> is not simulated)")
            return None
        result: Next | End | None = handler(verb, url)
        return result

    def prompt_verb(self, verb: ET.Element) -> None:
        name = tag_of(verb)
        if name == "Say":
            text = text_of(verb)
            language = verb.get("language") or "en-US"
            voice = verb.get("voice")
            label = f"{language}, {voice}" if voice else language
            loop = verb.get("loop")
            again = " (repeated until a key)" if loop == "0" else ""
            again = f" (x{loop})" if loop and loop not in ("0", "1") else again
            self.seconds += len(text.split()) / 2.5
            self.emit("say", text, f"[{label}] {text}{again}", language=language, voice=voice or "")
        elif name == "Play":
            digits = verb.get("digits")
            what = f"DTMF {digits}" if digits else text_of(verb)
            self.emit("play", what, f"[plays {what}]")
        else:
            length = verb.get("length") or "1"
            self.seconds += float(length) if length.isdigit() else 1
            self.emit("pause", length, f"[pause {length} s]")

    # -- verbs that ask or leave the document ----------------------------------------------

    def verb_gather(self, verb: ET.Element, url: str) -> Next | None:
        for nested in verb:
            if tag_of(nested) in ("Say", "Play", "Pause"):
                self.prompt_verb(nested)
        finish = verb.get("finishOnKey", "#")
        num = verb.get("numDigits")
        limit = int(num) if num and num.isdigit() and int(num) > 0 else None
        speech = "speech" in (verb.get("input") or "dtmf")
        rules = [f"{limit} key(s)" if limit else "keys"]
        if finish:
            rules.append(f"then {finish}")
        if speech:
            rules.append("or words")
        text = f"{' '.join(rules)} (Enter alone = silence):"
        action = urljoin(url, verb.get("action") or url)
        digits, finished_on, said = self.read_keys(Prompt("keys", text), finish, limit, speech)
        if said is not None:
            phrase, confidence = said
            shown = f"{phrase} (confidence {confidence})" if phrase else "(noise: nothing heard)"
            self.emit("speech", phrase, f"  caller says: {shown}", confidence=confidence)
            params = {"SpeechResult": phrase, "Confidence": confidence if phrase else "0.0"}
            return Next(action, method_of(verb), params)
        if digits:
            self.emit("keys", digits, f"  caller presses: {digits}{finished_on}")
            params = {"Digits": digits}
            if finished_on:
                params["FinishedOnKey"] = finished_on
            return Next(action, method_of(verb), params)
        if flag(verb, "actionOnEmptyResult"):
            self.emit("silence", "", "  (silence: no input, the action is requested anyway)")
            return Next(action, method_of(verb), {})
        self.emit("silence", "", "  (silence: no input, Twilio goes on with the next verb)")
        return None

    def read_keys(
        self, prompt: Prompt, finish: str, limit: int | None, speech: bool
    ) -> tuple[str, str, tuple[str, str] | None]:
        """Digits and the finish key that ended them, or a phrase and its confidence; empty
        digits and no phrase for silence."""
        for _ in range(MAX_ATTEMPTS):
            said = self.ask(prompt)
            answer = said.replace(" ", "")
            spoken = speech_answer(said)
            if spoken is None and answer and not set(answer) <= KEYS:
                spoken = (said, SPOKEN_CONFIDENCE)
            if spoken is not None:
                if speech:
                    return "", "", spoken
                self.emit("warning", f"not keys: {said!r}", f"  (keys only here, not: {said!r})")
                continue
            digits = ""
            for key in answer:
                if finish and key == finish:
                    return digits, (key if digits else ""), None
                digits += key
                if limit and len(digits) == limit:
                    break
            if len(digits) < len(answer.rstrip(finish or "")):
                self.emit("warning", "extra keys ignored", f"  (keys after {digits!r} ignored)")
            return digits, "", None
        raise SimulatorError(f"no valid key presses after {MAX_ATTEMPTS} answers")

    def verb_redirect(self, verb: ET.Element, url: str) -> Next:
        target = text_of(verb)
        if not target:
            raise SimulatorError("<Redirect> without a URL")
        resolved = urljoin(url, target)
        self.emit("redirect", resolved, f"  (redirect to {urlsplit(resolved).path})")
        return Next(resolved, method_of(verb), {})

    def verb_dial(self, verb: ET.Element, url: str) -> Next | None:
        targets = [
            f"{tag_of(noun).lower()} {text_of(noun)}"
            for noun in verb
            if tag_of(noun) != "Parameter"
        ]
        if not targets and text_of(verb):
            targets = [f"number {text_of(verb)}"]
        options = {k: v for k, v in verb.attrib.items() if k not in ("action", "method")}
        shown = " ".join(f"{k}={v}" for k, v in sorted(options.items()))
        joined = ", ".join(targets) or "nobody"
        self.emit("dial", joined, f"[dials {joined}]" + (f" ({shown})" if shown else ""), **options)
        if not verb.get("action"):
            self.emit("dial-outcome", "", "  (connected; when that leg ends, the next verb runs)")
            return None
        choices = DIAL_OUTCOMES
        prompt = Prompt(
            "dial", f"outcome of the dialled leg ({'/'.join(choices)}; Enter = completed):", choices
        )
        for _ in range(MAX_ATTEMPTS):
            outcome, _, seconds = self.ask(prompt).partition(" ")
            outcome = outcome or "completed"
            if outcome in choices:
                break
            self.emit("warning", f"not an outcome: {outcome!r}", f"  (not an outcome: {outcome!r})")
        else:
            raise SimulatorError(f"no valid dial outcome after {MAX_ATTEMPTS} answers")
        talked = seconds.strip() if seconds.strip().isdigit() else "60"
        talked = talked if outcome in ("completed", "answered") else "0"
        self.seconds += int(talked)
        self.emit("dial-outcome", outcome, f"  (dial: {outcome})")
        params = {
            "DialCallStatus": outcome,
            "DialCallSid": new_sid("CA"),
            "DialCallDuration": talked,
        }
        return Next(urljoin(url, verb.get("action", "")), method_of(verb), params)

    def verb_enqueue(self, verb: ET.Element, url: str) -> End:
        queue = text_of(verb) or verb.get("workflowSid", "")
        self.emit("enqueue", queue, f"[waits in queue {queue}]")
        return End("enqueue")

    def verb_record(self, verb: ET.Element, url: str) -> Next | End | None:
        finish = verb.get("finishOnKey", "1234567890*#")
        max_length = verb.get("maxLength", "3600")
        limit = int(max_length) if max_length.isdigit() and int(max_length) > 0 else 3600
        text = (
            f"leave a message? seconds of speech (max {limit}, Enter = none), then optionally "
            f"the ending key ({finish or 'none'}) or 'hangup':"
        )
        self.emit("record", str(limit), f"[beep: recording, at most {limit} s]")
        for _ in range(MAX_ATTEMPTS):
            words = self.ask(Prompt("record", text)).split()
            if words == ["hangup"]:
                raise CallerHangup()
            if not words:
                self.emit("silence", "", "  (empty recording: no request, the next verb runs)")
                return None
            seconds, ending = words[0], words[1] if len(words) > 1 else ""
            if seconds.isdigit() and (
                ending in ("", "hangup") or (ending in finish and len(ending) == 1)
            ):
                break
            self.emit("warning", "bad message answer", f"  (not a message answer: {words!r})")
        else:
            raise SimulatorError(f"no valid message answer after {MAX_ATTEMPTS} answers")
        duration = min(int(seconds), limit)
        if duration == 0:
            self.emit("silence", "", "  (empty recording: no request, the next verb runs)")
            return None
        self.seconds += duration
        sid = new_sid("RE")
        params = {
            "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{self.account_sid}"
            f"/Recordings/{sid}",
            "RecordingDuration": str(duration),
            "RecordingSid": sid,
        }
        if ending:
            params["Digits"] = ending
        self.emit("message", str(duration), f"  (caller leaves a {duration} s message)")
        action = urljoin(url, verb.get("action") or url)
        return Next(action, method_of(verb), params, final=ending == "hangup")

    def verb_hangup(self, verb: ET.Element, url: str) -> End:
        self.emit("hangup", "", "[Twilio hangs up]")
        return End("hangup")

    def verb_reject(self, verb: ET.Element, url: str) -> End:
        reason = verb.get("reason", "rejected")
        self.emit("reject", reason, f"[call rejected: {reason}]")
        return End("reject")
