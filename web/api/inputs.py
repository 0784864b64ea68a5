"""Reading the API's inputs: the list's query string, the cursor, an event's JSON body and the
idempotency key. Every refusal is an :class:`~web.api.blueprint.ApiError` 400 naming the field
(415 for a body that is not JSON)."""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import request

from core.api_views import TicketQuery
from core.model import TicketStatus
from core.policy import PRIORITIES
from web.api.blueprint import ApiError, bad_input, frontdoor
from web.limits import JsonTooDeep, loads_bounded

STATUSES: tuple[TicketStatus, ...] = ("open", "taken", "waiting", "closed")
EVENT_TYPES = ("taken_in_charge", "waiting", "resumed", "resolved", "note")
NEEDS_BY = ("taken_in_charge", "resolved", "note")
DEFAULT_LIMIT, MAX_LIMIT = 50, 200
MAX_BY, MAX_TEXT, MAX_KEY = 200, 2000, 200
FUTURE_SLACK = timedelta(minutes=5)  # clocks of other systems drift a little
LIST_PARAMETERS = ("status", "theatre", "plan", "priority", "updated_since", "limit", "cursor")
_SPACED_OFFSET = re.compile(r" (\d{2}:?\d{2})$")
_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")  # printable ASCII, no spaces


def instant(field: str, text: str) -> datetime:
    """An ISO 8601 instant with its offset (``Z`` allowed); a naive one is ambiguous."""
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise bad_input(field, f"{field} is not an ISO 8601 date-time") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise bad_input(field, f"{field} needs a UTC offset (e.g. 2026-06-08T10:00:00+02:00)")
    return parsed


def _choice(field: str, choices: Any) -> str:
    value = request.args.get(field, "")
    if value and value not in choices:
        raise bad_input(field, f"{field} is one of: {', '.join(choices)}")
    return value


def ticket_query() -> TicketQuery:
    """The list's filters; an unknown parameter is refused (a misspelt filter would
    otherwise return every ticket)."""
    for name in request.args:
        if name not in LIST_PARAMETERS:
            raise bad_input(name, f"unknown parameter {name!r}")
    policy = frontdoor().policy
    since = request.args.get("updated_since")
    return TicketQuery(
        status=_choice("status", STATUSES),
        theatre=_choice("theatre", sorted(policy.theatres)),
        plan=_choice("plan", sorted(policy.plans)),
        priority=_choice("priority", PRIORITIES),
        updated_since=instant("updated_since", _plus(since)) if since is not None else None,
    )


def _plus(text: str) -> str:
    """An offset's ``+`` sent unencoded in a query string arrives as a space: put it back."""
    return _SPACED_OFFSET.sub(r"+\1", text)


def page_limit() -> int:
    text = request.args.get("limit", str(DEFAULT_LIMIT))
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise bad_input("limit", f"limit is a whole number from 1 to {MAX_LIMIT}")
    return int(text)


def encode_cursor(ticket_id: int) -> str:
    """An opaque position: clients pass it back as they got it."""
    return base64.urlsafe_b64encode(f"t1:{ticket_id}".encode()).decode().rstrip("=")


def cursor() -> int | None:
    text = request.args.get("cursor")
    if text is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        version, _, ident = raw.partition(":")
        if version == "t1" and ident.isascii() and ident.isdigit():
            return int(ident)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise bad_input("cursor", "cursor is not one this API gave (pass next_cursor as it came)")


@dataclass(frozen=True)
class Event:
    """One change asked for a ticket."""

    type: str
    by: str
    at: datetime
    text: str


def json_body() -> Any:
    """The decoded JSON body: 415 unless ``Content-Type: application/json``."""
    if request.mimetype != "application/json":
        raise ApiError(415, "the body must be JSON (Content-Type: application/json)")
    try:
        return loads_bounded(request.get_data(cache=True))
    except JsonTooDeep as exc:
        raise bad_input("body", str(exc)) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad_input("body", f"malformed JSON: {exc}") from None


def _text(body: dict[str, Any], field: str, limit: int) -> str:
    value = body.get(field, "")
    if not isinstance(value, str):
        raise bad_input(field, f"{field} is a string")
    if len(value) > limit:
        raise bad_input(field, f"{field} is at most {limit} characters")
    return value.strip()


def event(body: Any, at_now: datetime) -> Event:
    """The event of a decoded body, checked field by field."""
    if not isinstance(body, dict):
        raise bad_input("body", "the body is a JSON object")
    for name in body:
        if name not in ("type", "by", "at", "text"):
            raise bad_input(name, f"unknown field {name!r}")
    kind = body.get("type")
    if kind not in EVENT_TYPES:
        raise bad_input("type", f"type is one of: {', '.join(EVENT_TYPES)}")
    by, text = _text(body, "by", MAX_BY), _text(body, "text", MAX_TEXT)
    if kind in NEEDS_BY and not by:
        raise bad_input("by", f"a {kind} event says who did it (by)")
    if kind == "note" and not text:
        raise bad_input("text", "a note event has a text")
    if kind != "note" and text:
        raise bad_input("text", "only a note event has a text")
    at = _at(body.get("at"), at_now)
    return Event(kind, by, at, text)


def _at(value: Any, at_now: datetime) -> datetime:
    if value is None:
        return at_now
    if not isinstance(value, str):
        raise bad_input("at", "at is an ISO 8601 date-time string")
    at = instant("at", value)
    if at > at_now + FUTURE_SLACK:
        raise bad_input("at", "at is in the future")
    return at


def idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not _KEY.match(key):
        raise bad_input(
            "Idempotency-Key", f"Idempotency-Key is 1 to {MAX_KEY} printable ASCII characters"
        )
    return key
