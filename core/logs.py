"""Structured logs: one event per decision, step or delivery, one format per process.

Our events are structlog events (:func:`get_logger`); libraries and our older modules log
through the standard library (gunicorn, Sanic, ``logging.getLogger``). Both reach the standard
library's root logger and one handler whose :class:`structlog.stdlib.ProcessorFormatter`
renders them alike, so every line a process writes is in one format: a JSON object per line
(``FRONTDOOR_LOG_FORMAT=json``) or aligned text for a terminal (``text``).

Each line carries ``timestamp`` (ISO 8601, UTC), ``level``, ``event``, ``logger``, the
correlation ids bound for the request in progress (:func:`bind`: ``call_sid``,
``conversation_id``, ``ticket``) and the event's fields. :func:`redact` runs last, as a net:
values under secret-sounding keys are replaced, phone numbers masked like the transcripts mask
digits, bearer credentials removed, whatever a caller passed.

An entry point calls :func:`configure_logging` once, with ``settings.ops``; until then (tests,
scripts) events still reach the standard library's loggers, and pytest's ``caplog`` sees them.
"""

from __future__ import annotations

import functools
import logging
import re
import sys
from collections.abc import Mapping
from typing import IO, Any

import structlog
from structlog.contextvars import (
    bind_contextvars,
    clear_contextvars,
    unbind_contextvars,
)
from structlog.stdlib import ProcessorFormatter
from structlog.typing import EventDict, Processor, WrappedLogger

from core.settings.logs import OpsSettings

__all__ = [
    "bind",
    "clear",
    "configure_logging",
    "formatter",
    "get_logger",
    "mask_phones",
    "redact",
    "tag_ticket",
]

REDACTED = "[redacted]"
MASK = "•"  # the transcripts' mask (core.services.transcripts.mask_digits)
# a key made of any of these words holds a secret: its value is never written
SECRET_WORDS = frozenset(
    {
        "apikey",
        "auth",
        "authorization",
        "cookie",
        "credential",
        "credentials",
        "digits",
        "password",
        "passwd",
        "pin",
        "secret",
        "signature",
        "token",
    }
)
SECRET_KEYS = frozenset({"code", "customer_code", "contract_code"})  # identify a customer
_WORD = re.compile(r"[a-z0-9]+")
_PHONE = re.compile(r"\+\d[\d ().-]{5,}\d")
# a bearer token of any length; a basic credential is base64 ("basic plan" is not one)
_CREDENTIAL = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]+|\b(basic)\s+[A-Za-z0-9+/=]{12,}")

bind = bind_contextvars
clear = clear_contextvars


def tag_ticket(number: str | None) -> None:
    """Name the ticket the request's case opened on the lines that follow (None: the case
    opened none, so a batch's next case does not carry the previous one's number)."""
    if number:
        bind_contextvars(ticket=number)
    else:
        unbind_contextvars("ticket")


@functools.lru_cache(maxsize=1024)  # the same few field names on every line
def secret_key(key: str) -> bool:
    """``pin``, ``auth_token``, ``X-Twilio-Signature``, ``customer_code``: a secret's key."""
    if key.lower() in SECRET_KEYS:
        return True
    return any(word in SECRET_WORDS for word in _WORD.findall(key.lower()))


def mask_phones(text: str) -> str:
    """Every digit of a phone number written with its ``+`` becomes "•" ("+39 0584 943232"
    -> "+•• •••• ••••••"): a log line shows that a number was there, not which."""
    return _PHONE.sub(lambda m: re.sub(r"\d", MASK, m.group()), text)


def _scheme_only(match: re.Match[str]) -> str:
    return f"{match.group(1) or match.group(2)} {REDACTED}"


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return _CREDENTIAL.sub(_scheme_only, mask_phones(value))
    if isinstance(value, Mapping):
        return {k: _hidden(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    return value


def _hidden(key: str, value: Any) -> Any:
    """``value`` cleaned, or :data:`REDACTED` under a secret's key (a flag or nothing at all
    says no secret: ``pin_verified=True`` stays)."""
    if secret_key(key) and not (value is None or isinstance(value, bool)):
        return REDACTED
    return _clean(value)


def redact(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """The last processor before rendering: secrets out, phone numbers masked."""
    return {key: _hidden(key, value) for key, value in event_dict.items()}


LEADING = ("timestamp", "level", "event", "logger")


def leading_keys(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """Timestamp, level, event and logger first: a line reads the same way whatever its fields."""
    first = {key: event_dict[key] for key in LEADING if key in event_dict}
    return {**first, **event_dict}


def _shared() -> list[Processor]:
    """What every line gets, structlog event or standard library record."""
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def formatter(log_format: str) -> ProcessorFormatter:
    """The one formatter of a process: JSON lines, or text for a terminal."""
    renderer: Processor
    last: list[Processor] = [ProcessorFormatter.remove_processors_meta]
    if log_format == "json":
        last += [structlog.processors.format_exc_info, redact, leading_keys]
        renderer = structlog.processors.JSONRenderer(ensure_ascii=False, default=str)
    else:
        last += [redact]
        renderer = structlog.dev.ConsoleRenderer(colors=False)
    return ProcessorFormatter(
        processors=[*last, renderer],
        foreign_pre_chain=[*_shared(), structlog.stdlib.ExtraAdder()],
    )


class _Handler(logging.Handler):
    """Writes to ``stream``, or to whatever ``sys.stderr`` is at the moment of each record (a
    test runner or a daemoniser may swap it after start-up)."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        super().__init__()
        self.stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        try:
            out = self.stream or sys.stderr
            out.write(self.format(record) + "\n")
            out.flush()
        except Exception:
            self.handleError(record)


def configure_logging(settings: OpsSettings, stream: IO[str] | None = None) -> None:
    """Send every record of the process through :func:`formatter` at ``settings.log_level``,
    to ``stream`` (default: standard error). Called again, it replaces its own handler only:
    a handler somebody else added (pytest's) stays."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(handler)
    handler = _Handler(stream)
    handler.setFormatter(formatter(settings.log_format))
    root.addHandler(handler)
    root.setLevel(settings.log_level)


def get_logger(name: str) -> Any:
    """A structlog logger over the standard library's logger ``name`` (filtered by its level,
    rendered by the process's handler). Independent of ``structlog.configure``: nothing here
    depends on which entry point configured what."""
    return structlog.wrap_logger(
        logging.getLogger(name),
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared(),
            redact,  # already here: a process nobody configured may print the raw record
            ProcessorFormatter.wrap_for_formatter,
        ],
        wrapper_class=structlog.stdlib.BoundLogger,
        context_class=dict,
    )
