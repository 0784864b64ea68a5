"""The staff console (issue #5): a server-rendered Flask blueprint under ``/console``.

Pages read the core's transcripts, tickets and audit records; ticket actions go through the
core services. Every page but sign-in needs a signed-in staff account; admin pages need the
admin role; every POST needs a CSRF token (checked here, for this blueprint only, so that the
Twilio webhooks of other blueprints are not affected).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, abort, render_template, request
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from werkzeug.exceptions import HTTPException
from wtforms import ValidationError

from web import limits
from web.console import admin, auth, pages, phone_tree, surveys
from web.console.blueprint import bp

__all__ = ["bp", "init_app"]

# pages and admin register their routes on import
_ROUTES = (admin, auth, pages, phone_tree, surveys)

_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
ADMIN_UPLOADS = ("console.contracts_import",)  # larger bodies (web.limits), for admins only


def _utc_now() -> datetime:
    return datetime.now(UTC)


def init_app(app: Flask) -> None:
    """Register the console on ``app``: cookies, clock, CSRF and the blueprint."""
    https = (app.extensions["frontdoor"].settings.public_base_url or "").startswith("https://")
    app.config.setdefault("FRONTDOOR_CLOCK", _utc_now)
    # Flask's defaults exist (False/None/31 days), so these are set, not defaulted.
    app.config.update(
        SESSION_COOKIE_SECURE=https or app.extensions["frontdoor"].settings.production,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
    )
    app.jinja_env.globals.setdefault("csrf_token", generate_csrf)
    app.register_blueprint(bp)


@bp.before_request
def _check_csrf() -> None:
    """Every state-changing request carries the session's CSRF token (form field)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.endpoint in ADMIN_UPLOADS and not _admin():
        limits.narrow(limits.FORM_LIMIT)  # the upload's larger limit is for admins only
    try:
        validate_csrf(request.form.get("csrf_token"))
    except (ValidationError, CSRFError):
        abort(400, description="The form is out of date or was not sent by the console.")


def _admin() -> bool:
    staff = auth.current_staff()
    return staff is not None and staff.role == "admin"


@bp.errorhandler(400)
@bp.errorhandler(403)
@bp.errorhandler(404)
@bp.errorhandler(413)
def _error_page(error: HTTPException) -> Any:
    page = render_template(
        "console/error.html", code=error.code, name=error.name, description=error.description
    )
    return page, error.code


@bp.after_request
def _security_headers(response: Any) -> Any:
    for name, value in _SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
