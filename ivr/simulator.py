"""A caller simulator: plays a phone call against the IVR exactly as Twilio would.

It posts Twilio's voice webhook form fields with a valid ``X-Twilio-Signature`` (computed with
twilio's ``RequestValidator`` over the *public* URL, as Twilio signs it), reads the TwiML answer
and follows it verb by verb: ``Say``/``Play``/``Pause`` are printed, ``Gather`` and ``Record`` ask
the caller (a callback: the terminal by default, a script in tests), ``Redirect``, the ``action``
of ``Gather``/``Dial``/``Record`` and relative URLs are followed as Twilio follows them,
``Hangup``/``Reject``/``Enqueue`` and the end of the document end the call. A failed request
(non-2xx, not TwiML) goes to the fallback URL when one is configured, otherwise the caller hears
Twilio's "application error" and the call ends, as on a real number.

Twilio semantics kept here (https://www.twilio.com/docs/voice/twiml):

- ``Gather``: keys stop at ``finishOnKey`` (default ``#``, not sent) or at ``numDigits``; keys
  typed without the finish key are submitted as on timeout. No key, or the finish key alone, is
  *no input*: Twilio then continues with the verb after ``Gather``, unless
  ``actionOnEmptyResult="true"``, in which case the action is requested *without* ``Digits``.
- ``Record``: an empty recording does not request the action (the next verb follows); a
  recording posts ``RecordingUrl``, ``RecordingDuration``, ``RecordingSid`` and ``Digits`` (the
  key that ended it, or ``hangup``; the answer to a request made after a hang-up is ignored).
- ``Dial``: with an ``action``, the tester chooses the outcome, posted as ``DialCallStatus``;
  without one, the call continues with the next verb once the dialled leg ends.
- The first request carries ``CallStatus=ringing``, the next ones ``in-progress``; the status
  callback, when configured, gets ``CallStatus=completed`` once the call is over.

Simulated time: ``at`` is sent on every request as the ``X-Frontdoor-Simulated-At`` header (ISO
8601). The header is not part of Twilio's signature; the app must honour it only when its
testing/development setting allows it, and ignore it otherwise.

Transports: :class:`FlaskTransport` drives an app in-process through its test client (no Flask
import here); :class:`HttpTransport` posts to a running app with urllib.
"""

from __future__ import annotations

import urllib.error
import urllib.request
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

from twilio.request_validator import RequestValidator

SIGNATURE_HEADER = "X-Twilio-Signature"
SIMULATED_AT_HEADER = "X-Frontdoor-Simulated-At"
DEFAULT_VOICE_PATH = "/ivr/voice"
DEFAULT_FROM = "+15005550006"
DIAL_OUTCOMES = ("completed", "answered", "no-answer", "busy", "failed", "canceled")
KEYS = frozenset("0123456789*#")
TWIML_TYPES = ("text/xml", "application/xml", "text/html")
APPLICATION_ERROR = "We are sorry, an application error has occurred. Goodbye."
MAX_ATTEMPTS = 3


class SimulatorError(RuntimeError):
    """The simulation cannot go on (a scripted caller ran out of answers, a bad answer...)."""


class CallerHangup(Exception):
    """Raised by a caller callback: the caller hangs up now."""


# --------------------------------------------------------------------------------------------
# The caller: answers prompts (keys, dial outcome, message)


@dataclass(frozen=True)
class Prompt:
    """A question to the person (or script) playing the caller.

    ``kind`` is ``keys`` (a Gather: digits, ``*``, ``#``; "" is silence; with speech input, any
    phrase), ``dial`` (the dialled leg's outcome, one of ``choices``) or ``record`` (seconds of
    message, "" for none, optionally followed by the ending key or ``hangup``).
    """

    kind: str
    text: str
    choices: tuple[str, ...] = ()


Caller = Callable[[Prompt], str]


def terminal_caller(read: Callable[[str], str] = input) -> Caller:
    """A caller typing at the terminal; end of input (Ctrl-D) hangs up."""

    def answer(prompt: Prompt) -> str:
        try:
            return read(f"  ? {prompt.text} ")
        except EOFError:
            raise CallerHangup() from None

    return answer


def scripted(answers: Iterable[str]) -> Caller:
    """A caller answering from a script, in order; the answer ``"hangup"`` to a key or dial prompt
    hangs up. Running out of answers raises :class:`SimulatorError` naming the prompt."""
    pending = list(answers)

    def answer(prompt: Prompt) -> str:
        if not pending:
            raise SimulatorError(f"the script has no answer left for: {prompt.text}")
        value = pending.pop(0)
        if value == "hangup" and prompt.kind in ("keys", "dial"):
            raise CallerHangup()
        return value

    return answer


# --------------------------------------------------------------------------------------------
# Transports


@dataclass(frozen=True)
class Reply:
    status: int
    body: str
    content_type: str = "text/xml"
    headers: Mapping[str, str] = field(default_factory=dict)  # the response's headers


class Transport(Protocol):
    def send(
        self, method: str, url: str, form: Mapping[str, str], headers: Mapping[str, str]
    ) -> Reply:
        """Send a request for the public ``url`` (query included) and return the answer."""


class FlaskTransport:
    """In-process: the app's test client, with the public URL's scheme and host, so that the
    app sees ``request.url`` equal to the URL that was signed."""

    def __init__(self, app: Any) -> None:
        self.client = app.test_client()

    def send(
        self, method: str, url: str, form: Mapping[str, str], headers: Mapping[str, str]
    ) -> Reply:
        parts = urlsplit(url)
        path = urlunsplit(("", "", parts.path or "/", parts.query, ""))
        response = self.client.open(
            path,
            method=method,
            base_url=f"{parts.scheme}://{parts.netloc}",
            data=dict(form) if method == "POST" else None,
            headers=dict(headers),
        )
        return Reply(
            response.status_code,
            response.get_data(as_text=True),
            response.mimetype,
            dict(response.headers),
        )


class HttpTransport:
    """A running app: the public URL's path and query are sent to ``base_url`` with urllib."""

    def __init__(self, base_url: str, timeout: float = 15.0) -> None:
        if urlsplit(base_url).scheme not in ("http", "https"):
            raise SimulatorError(f"not an http(s) URL: {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def send(
        self, method: str, url: str, form: Mapping[str, str], headers: Mapping[str, str]
    ) -> Reply:
        parts = urlsplit(url)
        target = self.base_url + urlunsplit(("", "", parts.path or "/", parts.query, ""))
        data = urlencode(dict(form)).encode() if method == "POST" else None
        request = urllib.request.Request(target, data=data, method=method)  # noqa: S310
        for name, value in headers.items():
            request.add_header(name, value)
        if data is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read().decode("utf-8", "replace")
                headers = dict(response.headers.items())
                return Reply(response.status, body, response.headers.get_content_type(), headers)
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace")
            return Reply(exc.code, body, exc.headers.get_content_type(), dict(exc.headers.items()))
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            return Reply(0, f"cannot reach {target}: {reason}", "")


# --------------------------------------------------------------------------------------------
# What happened


@dataclass(frozen=True)
class Event:
    """One thing the caller heard or did, or one thing Twilio did (``kind`` says which)."""

    kind: str
    text: str
    detail: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WebhookRequest:
    method: str
    url: str
    params: Mapping[str, str]
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)  # the answer's headers


@dataclass
class CallResult:
    """The whole call: what was heard and done, every webhook request, and how it ended.

    ``ended`` is ``hangup`` (a ``Hangup`` verb), ``end-of-document``, ``reject``, ``enqueue``,
    ``caller-hangup``, ``application-error`` or ``step-limit``.
    """

    call_sid: str
    events: list[Event] = field(default_factory=list)
    requests: list[WebhookRequest] = field(default_factory=list)
    ended: str = ""
    error: str | None = None

    @property
    def said(self) -> list[str]:
        """The text of every ``Say``, in order."""
        return [e.text for e in self.events if e.kind == "say"]

    @property
    def paths(self) -> list[str]:
        """The path of every webhook request, in order."""
        return [urlsplit(r.url).path for r in self.requests]


# --------------------------------------------------------------------------------------------
# The interpreter


@dataclass(frozen=True)
class _Next:
    """Leave the current document: request ``url`` (``final``: the call is over, the answer is
    ignored, as Twilio ignores TwiML returned after the caller hung up)."""

    url: str
    method: str
    params: Mapping[str, str]
    final: bool = False


@dataclass(frozen=True)
class _End:
    reason: str


class _Fetched(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _sid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


def _text(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _flag(element: ET.Element, name: str) -> bool:
    return (element.get(name) or "").strip().lower() == "true"


def _method(element: ET.Element) -> str:
    method = (element.get("method") or "POST").upper()
    return method if method in ("GET", "POST") else "POST"


def _tag(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


class CallSimulator:
    """Plays calls against a voice webhook, signing every request like Twilio.

    ``public_base_url`` is the origin Twilio would call (the app's ``PUBLIC_BASE_URL``, or the
    URL the app is reached at); every URL is resolved and signed in that space, and sent through
    ``transport``. ``caller`` answers the prompts, ``output`` prints each line of the call.
    """

    def __init__(
        self,
        transport: Transport,
        *,
        auth_token: str,
        public_base_url: str = "http://localhost",
        caller: Caller | None = None,
        output: Callable[[str], None] | None = print,
        account_sid: str | None = None,
        max_requests: int = 200,
    ) -> None:
        parts = urlsplit(public_base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise SimulatorError(f"the public base URL must be http(s)://host: {public_base_url!r}")
        self.transport = transport
        self.validator = RequestValidator(auth_token)
        self.public_base_url = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
        self.origin = (parts.scheme, parts.netloc)
        self.caller = caller or terminal_caller()
        self.output = output
        self.account_sid = account_sid or _sid("AC")
        self.max_requests = max_requests

    # -- public API ------------------------------------------------------------------------

    def url(self, path: str) -> str:
        """The public URL of ``path`` (absolute URLs are returned as they are)."""
        return urljoin(self.public_base_url + "/", path)

    def sign(self, url: str, params: Mapping[str, str]) -> str:
        """``X-Twilio-Signature`` of a POST of ``params`` to ``url`` (for a GET: the full URL
        with its query and no params)."""
        return self.validator.compute_signature(url, dict(params))

    def call(
        self,
        to: str,
        from_: str = DEFAULT_FROM,
        *,
        at: datetime | str | None = None,
        voice_url: str = DEFAULT_VOICE_PATH,
        fallback_url: str | None = None,
        status_callback: str | None = None,
        call_sid: str | None = None,
    ) -> CallResult:
        """Play one inbound call from ``from_`` to ``to`` until it ends; returns the record.

        ``voice_url``, ``fallback_url`` and ``status_callback`` are the number's configuration
        in Twilio's console (paths resolve against the public base URL). ``at`` is the simulated
        instant of the call (``X-Frontdoor-Simulated-At``)."""
        run = _Call(
            self,
            CallResult(call_sid or _sid("CA")),
            to=to,
            from_=from_,
            at=at.isoformat() if isinstance(at, datetime) else at,
            fallback_url=self.url(fallback_url) if fallback_url else None,
        )
        run.play(self.url(voice_url))
        if status_callback:
            run.status_callback(self.url(status_callback))
        return run.result


class _Call:
    """One call in progress (the state Twilio keeps for a call)."""

    def __init__(
        self,
        sim: CallSimulator,
        result: CallResult,
        *,
        to: str,
        from_: str,
        at: str | None,
        fallback_url: str | None,
    ) -> None:
        self.sim = sim
        self.result = result
        self.to = to
        self.from_ = from_
        self.at = at
        self.fallback_url = fallback_url
        self.status = "ringing"
        self.seconds = 0.0

    # -- output ----------------------------------------------------------------------------

    def emit(self, kind: str, text: str, line: str | None = None, **detail: str) -> None:
        self.result.events.append(Event(kind, text, detail))
        if self.sim.output is not None:
            self.sim.output(line if line is not None else text)

    def ask(self, prompt: Prompt) -> str:
        return self.sim.caller(prompt).strip()

    # -- requests --------------------------------------------------------------------------

    def base_params(self) -> dict[str, str]:
        return {
            "AccountSid": self.sim.account_sid,
            "ApiVersion": "2010-04-01",
            "CallSid": self.result.call_sid,
            "CallStatus": self.status,
            "Called": self.to,
            "Caller": self.from_,
            "Direction": "inbound",
            "From": self.from_,
            "To": self.to,
        }

    def request(self, url: str, method: str, extra: Mapping[str, str]) -> Reply:
        """One signed webhook request, recorded in the result."""
        params = {**self.base_params(), **extra}
        if urlsplit(url)[:2] != self.sim.origin:
            raise _Fetched("11200", f"{url} is outside {self.sim.public_base_url}")
        if method == "GET":
            parts = urlsplit(url)
            query = "&".join(q for q in (parts.query, urlencode(params)) if q)
            url, form, signed = urlunsplit(parts._replace(query=query)), {}, {}
        else:
            form, signed = params, params
        headers = {
            SIGNATURE_HEADER: self.sim.sign(url, signed),
            "User-Agent": "TwilioProxy/1.1 (frontdoor call simulator)",
        }
        if self.at:
            headers[SIMULATED_AT_HEADER] = self.at
        reply = self.sim.transport.send(method, url, form, headers)
        self.result.requests.append(
            WebhookRequest(method, url, params, reply.status, reply.headers)
        )
        self.status = "in-progress"
        return reply

    def fetch(self, url: str, method: str, extra: Mapping[str, str]) -> ET.Element:
        """Request a TwiML document; failures raise :class:`_Fetched` with Twilio's code."""
        reply = self.request(url, method, extra)
        if reply.status == 0:
            raise _Fetched("11200", reply.body)
        if not 200 <= reply.status < 300:
            raise _Fetched("11200", f"{method} {url} answered HTTP {reply.status}")
        if reply.content_type not in TWIML_TYPES:
            raise _Fetched("12300", f"{method} {url} answered {reply.content_type or 'no type'}")
        try:
            root = ET.fromstring(reply.body.strip())  # noqa: S314 - our own app's answer
        except ET.ParseError as exc:
            raise _Fetched("12100", f"{method} {url} answered invalid XML: {exc}") from None
        if _tag(root) != "Response":
            raise _Fetched("12100", f"{method} {url} answered <{_tag(root)}>, not <Response>")
        return root

    def status_callback(self, url: str) -> None:
        self.status = "completed"
        extra = {"CallDuration": str(round(self.seconds)), "CallbackSource": "call-progress-events"}
        try:
            reply = self.request(url, "POST", extra)
        except _Fetched as exc:
            self.emit("warning", exc.message, f"(status callback not sent: {exc.message})")
            return
        if not 200 <= reply.status < 300:
            problem = f"status callback answered HTTP {reply.status}"
            self.emit("warning", problem, f"({problem})")

    # -- the call --------------------------------------------------------------------------

    def play(self, voice_url: str) -> None:
        sid = self.result.call_sid
        self.emit("call", f"{self.from_} calls {self.to}", f"Call {sid}: {self.from_} -> {self.to}")
        step: _Next | _End = _Next(voice_url, "POST", {})
        in_fallback = False
        while isinstance(step, _Next):
            if len(self.result.requests) >= self.sim.max_requests:
                step = _End("step-limit")
                self.emit("error", f"more than {self.sim.max_requests} requests: loop?")
                break
            if step.final:
                self.post_final(step)
                step = _End("caller-hangup")
                break
            try:
                document = self.fetch(step.url, step.method, step.params)
            except _Fetched as exc:
                self.emit("error", exc.message, f"Twilio error {exc.code}: {exc.message}")
                self.result.error = f"{exc.code}: {exc.message}"
                if self.fallback_url and not in_fallback:
                    in_fallback = True
                    extra = {"ErrorCode": exc.code, "ErrorUrl": step.url}
                    step = _Next(self.fallback_url, "POST", extra)
                    continue
                self.emit("say", APPLICATION_ERROR, f"[Twilio] {APPLICATION_ERROR}")
                step = _End("application-error")
                break
            step = self.run(document, step.url)
        assert isinstance(step, _End)
        self.result.ended = step.reason
        self.emit("end", step.reason, f"-- call ended: {step.reason}")

    def post_final(self, step: _Next) -> None:
        try:
            reply = self.request(step.url, step.method, step.params)
        except _Fetched as exc:
            self.emit("error", exc.message, f"Twilio error {exc.code}: {exc.message}")
            return
        if not 200 <= reply.status < 300:
            self.emit("error", f"{step.url} answered HTTP {reply.status}")

    def run(self, document: ET.Element, url: str) -> _Next | _End:
        """Execute a document verb by verb; the first verb that leaves it decides."""
        for verb in document:
            try:
                outcome = self.verb(verb, url)
            except CallerHangup:
                self.emit("caller", "hangup", "(the caller hangs up)")
                return _End("caller-hangup")
            if outcome is not None:
                return outcome
        return _End("end-of-document")

    def verb(self, verb: ET.Element, url: str) -> _Next | _End | None:
        name = _tag(verb)
        handler = getattr(self, f"verb_{name.lower()}", None)
        if name in ("Say", "Play", "Pause"):
            self.prompt_verb(verb)
            return None
        if handler is None:
            self.emit("warning", f"<{name}> is not simulated", f"(<{name}> is not simulated)")
            return None
        result: _Next | _End | None = handler(verb, url)
        return result

    def prompt_verb(self, verb: ET.Element) -> None:
        name = _tag(verb)
        if name == "Say":
            text = _text(verb)
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
            what = f"DTMF {digits}" if digits else _text(verb)
            self.emit("play", what, f"[plays {what}]")
        else:
            length = verb.get("length") or "1"
            self.seconds += float(length) if length.isdigit() else 1
            self.emit("pause", length, f"[pause {length} s]")

    # -- verbs that ask or leave the document ------------------------------------------------

    def verb_gather(self, verb: ET.Element, url: str) -> _Next | None:
        for nested in verb:
            if _tag(nested) in ("Say", "Play", "Pause"):
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
        digits, finished_on, phrase = self.read_keys(Prompt("keys", text), finish, limit, speech)
        if phrase:
            self.emit("speech", phrase, f"  caller says: {phrase}")
            params = {"SpeechResult": phrase, "Confidence": "0.9"}
            return _Next(action, _method(verb), params)
        if digits:
            self.emit("keys", digits, f"  caller presses: {digits}{finished_on}")
            params = {"Digits": digits}
            if finished_on:
                params["FinishedOnKey"] = finished_on
            return _Next(action, _method(verb), params)
        if _flag(verb, "actionOnEmptyResult"):
            self.emit("silence", "", "  (silence: no input, the action is requested anyway)")
            return _Next(action, _method(verb), {})
        self.emit("silence", "", "  (silence: no input, Twilio goes on with the next verb)")
        return None

    def read_keys(
        self, prompt: Prompt, finish: str, limit: int | None, speech: bool
    ) -> tuple[str, str, str]:
        """Digits, the finish key that ended them, or a phrase; all empty for silence."""
        for _ in range(MAX_ATTEMPTS):
            said = self.ask(prompt)
            answer = said.replace(" ", "")
            if answer and not set(answer) <= KEYS:
                if speech:
                    return "", "", said
                self.emit("warning", f"not keys: {answer!r}", f"  (not keys: {answer!r})")
                continue
            digits = ""
            for key in answer:
                if finish and key == finish:
                    return digits, (key if digits else ""), ""
                digits += key
                if limit and len(digits) == limit:
                    break
            if len(digits) < len(answer.rstrip(finish or "")):
                self.emit("warning", "extra keys ignored", f"  (keys after {digits!r} ignored)")
            return digits, "", ""
        raise SimulatorError(f"no valid key presses after {MAX_ATTEMPTS} answers")

    def verb_redirect(self, verb: ET.Element, url: str) -> _Next:
        target = _text(verb)
        if not target:
            raise SimulatorError("<Redirect> without a URL")
        resolved = urljoin(url, target)
        self.emit("redirect", resolved, f"  (redirect to {urlsplit(resolved).path})")
        return _Next(resolved, _method(verb), {})

    def verb_dial(self, verb: ET.Element, url: str) -> _Next | None:
        targets = [
            f"{_tag(noun).lower()} {_text(noun)}" for noun in verb if _tag(noun) != "Parameter"
        ]
        if not targets and _text(verb):
            targets = [f"number {_text(verb)}"]
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
        params = {"DialCallStatus": outcome, "DialCallSid": _sid("CA"), "DialCallDuration": talked}
        return _Next(urljoin(url, verb.get("action", "")), _method(verb), params)

    def verb_enqueue(self, verb: ET.Element, url: str) -> _End:
        queue = _text(verb) or verb.get("workflowSid", "")
        self.emit("enqueue", queue, f"[waits in queue {queue}]")
        return _End("enqueue")

    def verb_record(self, verb: ET.Element, url: str) -> _Next | _End | None:
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
        sid = _sid("RE")
        params = {
            "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{self.sim.account_sid}"
            f"/Recordings/{sid}",
            "RecordingDuration": str(duration),
            "RecordingSid": sid,
        }
        if ending:
            params["Digits"] = ending
        self.emit("message", str(duration), f"  (caller leaves a {duration} s message)")
        action = urljoin(url, verb.get("action") or url)
        return _Next(action, _method(verb), params, final=ending == "hangup")

    def verb_hangup(self, verb: ET.Element, url: str) -> _End:
        self.emit("hangup", "", "[Twilio hangs up]")
        return _End("hangup")

    def verb_reject(self, verb: ET.Element, url: str) -> _End:
        reason = verb.get("reason", "rejected")
        self.emit("reject", reason, f"[call rejected: {reason}]")
        return _End("reject")
