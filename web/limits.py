"""Request body limits (security perimeter, finding 2): no route reads more than its limit.

Each request's ``wsgi.input`` is replaced, before any view or blueprint hook runs, by a
:class:`BoundedInput` that stops with 413 as soon as one byte more than the route's limit has
been read: a chunked body without ``Content-Length`` is refused while it is being read, never
written in full to a temporary file or to memory first. A ``Content-Length`` over the limit is
refused before anything is read. ``MAX_CONTENT_LENGTH`` stays as the global ceiling (above every
route's limit) and ``MAX_FORM_MEMORY_SIZE``/``MAX_FORM_PARTS`` bound form parsing.

| route | limit | why |
|---|---|---|
| ``/ivr/*``, ``/alerts/ack`` (Twilio webhooks) | 16 KiB | Twilio's parameters are ~2 KiB |
| ``/api/alerts`` | ``FRONTDOOR_ALERTS_MAX_BYTES`` (1 MiB) | an Alertmanager batch |
| ``/help/chat`` | 16 KiB | one message of 2,000 characters as JSON |
| ``/help/sign-in``, ``/help/sign-out``, ``/console/*`` forms | 16 KiB | a few short fields |
| ``/console/admin/contracts`` | 5 MiB + 64 KiB | the contracts CSV (admins only: 16 KiB
  for anyone else, see :func:`narrow`) |
| anything else | 16 KiB | |

A refused body answers 413 with a clear message: JSON for the APIs, plain text for Twilio, the
console's error page in the console (the blueprints' own error handlers). JSON bodies are read
with :func:`loads_bounded`, which refuses nesting deeper than :data:`MAX_JSON_DEPTH` before
parsing (a 100,000-deep array is a 400, not a ``RecursionError``).
"""

from __future__ import annotations

import json
import re
from typing import IO, Any

from flask import Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from ivr import MAX_BODY as TWILIO_LIMIT

KIB = 1024
FORM_LIMIT = 16 * KIB  # a console or help-center form: a few short fields
CHAT_LIMIT = 16 * KIB  # {"message": 2,000 characters, even all escaped as \uXXXX}
MIB = 1024 * KIB
# the console's contracts CSV (web.console.admin.MAX_CSV_BYTES, 5 MiB), its multipart envelope
# and the form's other fields
CSV_LIMIT = 5 * MIB + 64 * KIB
MAX_FORM_PARTS = 200  # Twilio sends ~30 parameters; the console's forms a handful
MAX_JSON_DEPTH = 32  # Alertmanager's webhook is 4 deep, a chat message 1
ROUTE_LIMITS = {
    "helpcenter.chat": CHAT_LIMIT,
    "console.contracts_import": CSV_LIMIT,
    "alerts.acknowledge": TWILIO_LIMIT,
}
BLUEPRINT_LIMITS = {"ivr": TWILIO_LIMIT}
TWILIO_ROUTES = ("alerts.acknowledge",)
TWILIO_BLUEPRINTS = ("ivr",)


class BodyTooLarge(RequestEntityTooLarge):
    """413 naming the limit of the route."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"The request body is larger than this address accepts ({limit} bytes).")
        self.limit = limit


class BoundedInput:
    """A ``wsgi.input`` that raises :class:`BodyTooLarge` once more than ``limit`` bytes have
    been read (one byte past the limit is the most it ever reads); ``consumed`` counts them."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self._stream = stream
        self.limit = limit
        self.consumed = 0

    def read(self, size: int | None = -1) -> bytes:
        return self._counted(self._stream.read(self._size(size)))

    def readline(self, size: int | None = -1) -> bytes:
        return self._counted(self._stream.readline(self._size(size)))

    def _size(self, size: int | None) -> int:
        room = max(0, self.limit + 1 - self.consumed)  # one byte more tells a body too large
        return room if size is None or size < 0 else min(size, room)

    def _counted(self, data: bytes) -> bytes:
        self.consumed += len(data)
        if self.consumed > self.limit:
            raise BodyTooLarge(self.limit)
        return data


def route_limit(app: Flask, endpoint: str | None) -> int:
    """The most bytes of body the route of ``endpoint`` reads."""
    if endpoint == "alerts.receive":
        limit: int = app.extensions["frontdoor"].settings.alerts_max_bytes
        return limit
    blueprint = (endpoint or "").partition(".")[0]
    return ROUTE_LIMITS.get(endpoint or "", BLUEPRINT_LIMITS.get(blueprint, FORM_LIMIT))


def init_app(app: Flask) -> None:
    """Bound every request's body, form parsing and the 413 answer of ``app``."""
    settings = app.extensions["frontdoor"].settings
    highest = max(CSV_LIMIT, CHAT_LIMIT, TWILIO_LIMIT, FORM_LIMIT, settings.alerts_max_bytes)
    app.config.setdefault("MAX_CONTENT_LENGTH", highest + 1)  # the routes' own limits go first
    app.config.setdefault("MAX_FORM_MEMORY_SIZE", FORM_LIMIT)  # per text field of a form
    app.config.setdefault("MAX_FORM_PARTS", MAX_FORM_PARTS)
    app.before_request(_bound_body)
    app.register_error_handler(RequestEntityTooLarge, _too_large)


def _bound_body() -> None:
    """Before any other hook: the route's limit, enforced while the body is read."""
    limit = route_limit(current_app, request.endpoint)
    if (request.content_length or 0) > limit:
        raise BodyTooLarge(limit)
    request.environ["wsgi.input"] = BoundedInput(request.environ["wsgi.input"], limit)


def narrow(limit: int) -> None:
    """Lower this request's limit before its body is read (a route open to admins only reads
    no more than a small form from anyone else)."""
    bounded = request.environ.get("wsgi.input")
    if isinstance(bounded, BoundedInput) and bounded.consumed == 0:
        if (request.content_length or 0) > limit:
            raise BodyTooLarge(limit)
        bounded.limit = min(bounded.limit, limit)


def _too_large(error: RequestEntityTooLarge) -> Response:
    """413 outside the console and the help center (their blueprints answer their own)."""
    message = error.description or "The request body is too large."
    if request.blueprint in TWILIO_BLUEPRINTS or request.endpoint in TWILIO_ROUTES:
        return Response(f"request too large: {message}\n", status=413, mimetype="text/plain")
    response = jsonify(error=message)
    response.status_code = 413
    return response


class JsonTooDeep(ValueError):
    """A JSON document nested deeper than allowed."""


_JSON_TOKENS = re.compile(r'[\[\]{}"\\]')


def loads_bounded(data: bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` of UTF-8 ``data`` nested at most ``max_depth`` deep, checked in one
    linear scan before parsing. Raises ``ValueError``: ``UnicodeDecodeError``,
    ``json.JSONDecodeError`` or :class:`JsonTooDeep`."""
    text = data.decode("utf-8")
    if _depth_over(text, max_depth):
        raise JsonTooDeep(f"JSON nested deeper than {max_depth} levels")
    try:
        return json.loads(text)
    except RecursionError as exc:  # not reached after the scan; never a 500 all the same
        raise JsonTooDeep(f"JSON nested deeper than {max_depth} levels") from exc


def _depth_over(text: str, max_depth: int) -> bool:
    depth, in_string, escaped = 0, False, -1
    for match in _JSON_TOKENS.finditer(text):
        at, char = match.start(), match.group()
        if at == escaped:
            continue
        if in_string:
            if char == "\\":
                escaped = at + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                return True
        elif char in "]}":
            depth -= 1
    return False
