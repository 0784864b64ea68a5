"""Bearer tokens of the REST API, their rate limit, and the answers kept for idempotency keys
(docs/api.md).

A token is ``fd_`` followed by a public id of 12 characters and 43 characters of secret
(``secrets.token_urlsafe``: 72 and 256 random bits). Only the SHA-256 of the whole token is
stored, found by its public id, so that checking a token reads one row. A slow password hash
(argon2, as for staff passwords) protects secrets people choose, which can be guessed; a
256-bit random secret cannot be, whatever the speed of the hash, and argon2 would cost every
API request tens of milliseconds and megabytes of memory.

The rate limit is counted on the token's row (a fixed window), locked while it is counted, so
that every web worker applies the same limit, as the staff sign-in throttle does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from core.model import API_SCOPES, ApiIdempotencyKey, ApiToken
from core.repository import DuplicateError
from core.services.errors import ServiceError
from core.unit_of_work import AbstractUnitOfWork, transactional

PREFIX = "fd_"
ID_LENGTH = 12  # secrets.token_urlsafe(9)
SECRET_LENGTH = 43  # secrets.token_urlsafe(32): 256 bits
TOKEN_LENGTH = len(PREFIX) + ID_LENGTH + SECRET_LENGTH
_TOKEN = re.compile(rf"^{PREFIX}[A-Za-z0-9_-]{{{ID_LENGTH + SECRET_LENGTH}}}$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class IdempotencyConflict(ServiceError):
    """The idempotency key was used before with another request."""


@dataclass(frozen=True)
class RateLimit:
    """At most ``requests`` requests per token in each window of ``period``."""

    requests: int = 120
    period: timedelta = timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    """A token just made: ``token`` is shown once and never stored."""

    record: ApiToken
    token: str


@dataclass(frozen=True)
class Access:
    """The answer to a presented token: ``ok`` with the token, ``unknown`` (also revoked or
    malformed), or ``limited`` until ``retry_at``."""

    status: Literal["ok", "unknown", "limited"]
    token: ApiToken | None = None
    retry_at: datetime | None = None


def token_hash(token: str) -> str:
    """The stored form of a token: the hex SHA-256 of the whole of it."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_id_of(token: str) -> str | None:
    """The public id of a well-formed token, or None."""
    if len(token) != TOKEN_LENGTH or not _TOKEN.match(token):
        return None
    return token[len(PREFIX) : len(PREFIX) + ID_LENGTH]


def check_scopes(scopes: list[str]) -> list[str]:
    """The scopes, each once and in the usual order; :class:`ServiceError` for none or an
    unknown one."""
    unknown = sorted(set(scopes) - set(API_SCOPES))
    if unknown or not scopes:
        raise ServiceError(f"scopes are one or more of: {', '.join(API_SCOPES)}")
    return [scope for scope in API_SCOPES if scope in scopes]


@transactional
def add_token(uow: AbstractUnitOfWork, *, name: str, scopes: list[str], at: datetime) -> NewToken:
    """Make a token named ``name`` with ``scopes``; the token itself is in the answer only."""
    if not _NAME.match(name):
        raise ServiceError("a token name is 1 to 64 letters, digits, '.', '_' or '-'")
    token_id, secret = secrets.token_urlsafe(9), secrets.token_urlsafe(32)
    token = f"{PREFIX}{token_id}{secret}"
    record = ApiToken(name, token_id, token_hash(token), check_scopes(scopes), created_at=at)
    try:
        with uow.savepoint():
            uow.api_tokens.add(record)
    except DuplicateError:
        raise ServiceError(f"a token is already named {name!r}") from None
    return NewToken(record, token)


@transactional
def list_tokens(uow: AbstractUnitOfWork) -> list[ApiToken]:
    return uow.api_tokens.list()


@transactional
def revoke_token(uow: AbstractUnitOfWork, name: str, *, at: datetime) -> ApiToken:
    """Stop the token named ``name`` from working (at once, in every worker); revoking it
    again changes nothing."""
    record = uow.api_tokens.get(name)
    if record is None:
        raise ServiceError(f"no token named {name!r}")
    if record.revoked_at is None:
        record.revoked_at = at
    return record


@transactional
def authenticate(
    uow: AbstractUnitOfWork, token: str, *, at: datetime, limit: RateLimit | None = None
) -> Access:
    """Check a presented token at ``at`` and count the request against its rate limit."""
    token_id = token_id_of(token)
    record = uow.api_tokens.by_token_id(token_id, lock=True) if token_id else None
    if record is None or record.revoked_at is not None:
        return Access("unknown")
    if not hmac.compare_digest(record.secret_hash, token_hash(token)):
        return Access("unknown")
    retry_at = count_request(limit or RateLimit(), record, at)
    if retry_at is not None:
        return Access("limited", record, retry_at)
    return Access("ok", record)


def count_request(limit: RateLimit, record: ApiToken, at: datetime) -> datetime | None:
    """One more request in the token's current window (a new one starts when the last is
    over); the instant the window ends when it is full already, else None."""
    start = record.window_start
    if start is None or not start <= at < start + limit.period:
        record.window_start, record.window_requests = at, 0
    assert record.window_start is not None
    if record.window_requests >= limit.requests:
        return record.window_start + limit.period
    record.window_requests += 1
    record.last_used_at = at
    return None


def request_hash(method: str, path: str, body: Any) -> str:
    """What identifies a request for its idempotency key: method, path and the JSON body
    (keys sorted, so that spacing and key order do not matter)."""
    canonical = json.dumps([method, path, body], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@transactional
def kept_answer(
    uow: AbstractUnitOfWork, token: ApiToken, key: str, digest: str
) -> ApiIdempotencyKey | None:
    """The answer given to this key before, or None; :class:`IdempotencyConflict` when the
    key was used for another request."""
    assert token.id is not None
    found = uow.api_tokens.answer(token.id, key)
    if found is not None and not hmac.compare_digest(found.request_hash, digest):
        raise IdempotencyConflict(f"the idempotency key {key!r} was used for another request")
    return found


@transactional
def keep_answer(
    uow: AbstractUnitOfWork,
    token: ApiToken,
    key: str,
    digest: str,
    *,
    status: int,
    response: dict[str, Any],
    at: datetime,
) -> None:
    """Keep the answer to a request sent with an idempotency key, in the request's own
    transaction: :class:`DuplicateError` when a concurrent request with the key won."""
    assert token.id is not None
    uow.api_tokens.add_answer(ApiIdempotencyKey(token.id, key, digest, status, response, at))
