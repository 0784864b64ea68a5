"""A caller simulator: plays a phone call against the IVR exactly as Twilio would.

It posts Twilio's voice webhook form fields with a valid ``X-Twilio-Signature`` (computed with
twilio's ``RequestValidator`` over the *public* URL, as Twilio signs it: :mod:`phonesim.transport`),
reads the TwiML answer and follows it verb by verb (:mod:`phonesim.interpreter`). A failed request
(non-2xx, not TwiML) goes to the fallback URL when one is configured, otherwise the caller hears
Twilio's "application error" and the call ends, as on a real number.

The first request carries ``CallStatus=ringing``, the next ones ``in-progress``; the status
callback, when configured, gets ``CallStatus=completed`` once the call is over.

Simulated time: ``at`` is sent on every request as the ``X-Frontdoor-Simulated-At`` header (ISO
8601). The header is not part of Twilio's signature; the app must honour it only when its
testing/development setting allows it, and ignore it otherwise.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from datetime import datetime
from urllib.parse import urlencode, urlsplit, urlunsplit

from phonesim.callers import Caller, terminal_caller
from phonesim.interpreter import End, Interpreter, Next, new_sid
from phonesim.results import CallResult, WebhookRequest
from phonesim.transport import SIGNATURE_HEADER, SIMULATED_AT_HEADER, Reply, Signer, Transport
from phonesim.twiml import TWIML_TYPES, TwimlError, parse_twiml

DEFAULT_VOICE_PATH = "/ivr/voice"
DEFAULT_FROM = "+15005550006"
APPLICATION_ERROR = "We are sorry, an application error has occurred. Goodbye."


class _Fetched(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


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
        self.signer = Signer(auth_token, public_base_url)
        self.transport = transport
        self.public_base_url = self.signer.public_base_url
        self.caller = caller or terminal_caller()
        self.output = output
        self.account_sid = account_sid or new_sid("AC")
        self.max_requests = max_requests

    # -- public API ------------------------------------------------------------------------

    def url(self, path: str) -> str:
        """The public URL of ``path`` (absolute URLs are returned as they are)."""
        return self.signer.url(path)

    def sign(self, url: str, params: Mapping[str, str]) -> str:
        """``X-Twilio-Signature`` of a POST of ``params`` to ``url`` (for a GET: the full URL
        with its query and no params)."""
        return self.signer.sign(url, params)

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
            CallResult(call_sid or new_sid("CA")),
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
        self.line = Interpreter(sim.caller, sim.output, result.events, sim.account_sid)
        self.emit = self.line.emit

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
        if urlsplit(url)[:2] != self.sim.signer.origin:
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
            return parse_twiml(reply.body.strip())
        except TwimlError as exc:
            raise _Fetched("12100", f"{method} {url} answered {exc}") from None

    def status_callback(self, url: str) -> None:
        self.status = "completed"
        extra = {
            "CallDuration": str(round(self.line.seconds)),
            "CallbackSource": "call-progress-events",
        }
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
        step: Next | End = Next(voice_url, "POST", {})
        in_fallback = False
        while isinstance(step, Next):
            if len(self.result.requests) >= self.sim.max_requests:
                step = End("step-limit")
                self.emit("error", f"more than {self.sim.max_requests} requests: loop?")
                break
            if step.final:
                self.post_final(step)
                step = End("caller-hangup")
                break
            try:
                document = self.fetch(step.url, step.method, step.params)
            except _Fetched as exc:
                self.emit("error", exc.message, f"Twilio error {exc.code}: {exc.message}")
                self.result.error = f"{exc.code}: {exc.message}"
                if self.fallback_url and not in_fallback:
                    in_fallback = True
                    extra = {"ErrorCode": exc.code, "ErrorUrl": step.url}
                    step = Next(self.fallback_url, "POST", extra)
                    continue
                self.emit("say", APPLICATION_ERROR, f"[Twilio] {APPLICATION_ERROR}")
                step = End("application-error")
                break
            step = self.line.run(document, step.url)
        assert isinstance(step, End)
        self.result.ended = step.reason
        self.emit("end", step.reason, f"-- call ended: {step.reason}")

    def post_final(self, step: Next) -> None:
        try:
            reply = self.request(step.url, step.method, step.params)
        except _Fetched as exc:
            self.emit("error", exc.message, f"Twilio error {exc.code}: {exc.message}")
            return
        if not 200 <= reply.status < 300:
            self.emit("error", f"{step.url} answered HTTP {reply.status}")
