"""The API's blueprint, its errors and the request's context (the Frontdoor, the clock).

Every error is JSON: ``{"error": "...", "field": "<name>"}`` (``field`` when one input is at
fault), whatever raised it (an :class:`ApiError`, werkzeug's 404 or 405, a body over the limit).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from core.bootstrap import Frontdoor

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class ApiError(Exception):
    """An answer other than 2xx: status, message, the input at fault and extra headers."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.field = status, message, field
        self.headers = headers or {}


def bad_input(field: str, message: str) -> ApiError:
    return ApiError(400, message, field=field)


def frontdoor() -> Frontdoor:
    return cast(Frontdoor, current_app.extensions["frontdoor"])


def now() -> datetime:
    """The request's instant, from the app's injectable clock (``FRONTDOOR_CLOCK``)."""
    clock: Callable[[], datetime] | None = current_app.config.get("FRONTDOOR_CLOCK")
    return clock() if clock else datetime.now(UTC)


def problem(status: int, message: str, field: str | None = None) -> Response:
    body: dict[str, Any] = {"error": message}
    if field is not None:
        body["field"] = field
    response = jsonify(body)
    response.status_code = status
    return response


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> Response:
    response = problem(error.status, error.message, error.field)
    response.headers.update(error.headers)
    return response


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    response = problem(error.code or 500, error.description or error.name)
    allowed = getattr(error, "valid_methods", None)  # 405: which methods the address takes
    if allowed:
        response.headers["Allow"] = ", ".join(allowed)
    return response


def routing_error(error: HTTPException) -> Response | HTTPException:
    """An address under ``/api/v1`` that matched no route (404, 405) answers JSON too; other
    addresses keep the app's usual answer."""
    if request.path == bp.url_prefix or request.path.startswith(f"{bp.url_prefix}/"):
        return _http_error(error)
    return error


@bp.after_request
def _no_store(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response
