"""phonesim: a phone caller simulator for development, tests and benchmarks, not production.

It plays a call against a Twilio voice webhook exactly as Twilio would: signed requests
(:mod:`phonesim.transport`), TwiML read (:mod:`phonesim.twiml`) and followed verb by verb
(:mod:`phonesim.interpreter`), the caller's keys from the terminal or a script
(:mod:`phonesim.callers`), the call driven by :class:`CallSimulator` (:mod:`phonesim.simulator`).
Scripted calls on the demo data are in :mod:`phonesim.demo_calls` (it needs ``core``).

It serves ``frontdoor call``, ``bench/bench_ivr.py`` and the tests; the production packages
(``core``, ``ivr``, ``bot``, ``web``) never import it (an import-linter contract).
"""

from __future__ import annotations

from phonesim.callers import Caller, Prompt, scripted, terminal_caller
from phonesim.errors import CallerHangup, SimulatorError
from phonesim.interpreter import DIAL_OUTCOMES, KEYS, MAX_ATTEMPTS, Interpreter
from phonesim.results import CallResult, Event, WebhookRequest
from phonesim.simulator import (
    APPLICATION_ERROR,
    DEFAULT_FROM,
    DEFAULT_VOICE_PATH,
    CallSimulator,
)
from phonesim.transport import (
    SIGNATURE_HEADER,
    SIMULATED_AT_HEADER,
    FlaskTransport,
    HttpTransport,
    Reply,
    Signer,
    Transport,
)
from phonesim.twiml import TWIML_TYPES, TwimlError, parse_twiml, text_of

__all__ = [
    "APPLICATION_ERROR",
    "DEFAULT_FROM",
    "DEFAULT_VOICE_PATH",
    "DIAL_OUTCOMES",
    "KEYS",
    "MAX_ATTEMPTS",
    "SIGNATURE_HEADER",
    "SIMULATED_AT_HEADER",
    "TWIML_TYPES",
    "CallResult",
    "CallSimulator",
    "Caller",
    "CallerHangup",
    "Event",
    "FlaskTransport",
    "HttpTransport",
    "Interpreter",
    "Prompt",
    "Reply",
    "Signer",
    "SimulatorError",
    "Transport",
    "TwimlError",
    "WebhookRequest",
    "parse_twiml",
    "scripted",
    "terminal_caller",
    "text_of",
]
