"""Bearer tokens and scopes of the API: every route but the OpenAPI document needs a token.

In order: a token that is missing, malformed, unknown or revoked is a 401 with
``WWW-Authenticate: Bearer``; a token over its rate limit a 429 with ``Retry-After``; a token
without the route's scope a 403 naming the scope. The token is checked and its request counted
in one short transaction of its own (:func:`core.services.api_tokens.authenticate`), so that
the row lock of the count is not held while the route works. The token is never logged.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, cast

from flask import current_app, g, request

from core.model import ApiToken
from core.services.api_tokens import RateLimit, authenticate
from web.api.blueprint import ApiError, frontdoor, now

# app.config keys, with their defaults (docs/api.md "Rate limits")
RATE_REQUESTS = "FRONTDOOR_API_RATE_LIMIT"  # requests per token per window: 120
RATE_PERIOD = "FRONTDOOR_API_RATE_PERIOD_SECONDS"  # the window: 60 seconds
REALM = 'Bearer realm="frontdoor"'


def rate_limit() -> RateLimit:
    """The app's rate limit: ``FRONTDOOR_API_RATE_LIMIT`` requests per
    ``FRONTDOOR_API_RATE_PERIOD_SECONDS`` (set as defaults by :func:`web.api.init_app`)."""
    config = current_app.config
    return RateLimit(
        requests=int(config[RATE_REQUESTS]), period=timedelta(seconds=config[RATE_PERIOD])
    )


def _presented() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _unauthorised(message: str, error: str | None) -> ApiError:
    challenge = f'{REALM}, error="{error}"' if error else REALM
    return ApiError(401, message, headers={"WWW-Authenticate": challenge})


def current_token() -> ApiToken:
    """The token of this request, checked and counted once."""
    if "api_token" in g:
        return cast(ApiToken, g.api_token)
    presented = _presented()
    if not presented:
        raise _unauthorised(
            "this address needs a bearer token (Authorization: Bearer fd_...)", None
        )
    at = now()
    access = authenticate(frontdoor().uow(), presented, at=at, limit=rate_limit())
    if access.status == "unknown" or access.token is None:
        raise _unauthorised("unknown or revoked token", "invalid_token")
    if access.status == "limited" and access.retry_at is not None:
        seconds = max(1, math.ceil((access.retry_at - at).total_seconds()))
        raise ApiError(
            429,
            f"rate limit of this token reached: try again in {seconds} seconds",
            headers={"Retry-After": str(seconds)},
        )
    g.api_token = access.token
    return access.token


def requires[View: Callable[..., Any]](scope: str) -> Callable[[View], View]:
    """The route needs a valid token with ``scope`` (``read`` or ``write``)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            token = current_token()
            if scope not in token.scopes:
                raise ApiError(403, f"this token lacks the {scope!r} scope")
            return view(*args, **kwargs)

        return cast(View, wrapped)

    return decorate
