"""The Help Center page with its chat panel (issue #4), a Flask blueprint under ``/help``.

The browser talks only to this blueprint: ``POST /help/chat`` forwards the message to Rasa's
REST channel with the signed contact token (core.tokens) of the demo sign-in in the metadata,
and returns the bot's text and buttons. Every POST needs the session's CSRF token (header
``X-CSRFToken`` or form field ``csrf_token``), checked here for this blueprint only.

Settings (``app.config``, defaults from the Frontdoor's ``settings.chat``, read from the
variables of the same name): ``FRONTDOOR_RASA_URL`` (default http://127.0.0.1:5005),
``FRONTDOOR_RASA_TIMEOUT`` (seconds), ``FRONTDOOR_CHAT_TOKEN_SECRET`` (default:
``CHAT_TOKEN_SECRET``, else ``SECRET_KEY``, the secret the action server uses too),
``FRONTDOOR_DEMO_SIGN_IN`` (default: on outside production; refused in production, where it
would let anyone chat as a demo contact).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask, abort, jsonify, request
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from werkzeug.exceptions import HTTPException
from wtforms import ValidationError

from core.settings import SettingsError
from web.helpcenter import views
from web.helpcenter.blueprint import bp
from web.helpcenter.rasa import RasaClient

__all__ = ["bp", "init_app"]

_ROUTES = (views,)  # views registers its routes on import

_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
    "connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _utc_now() -> datetime:
    return datetime.now(UTC)


def init_app(app: Flask) -> None:
    """Register the Help Center on ``app``: settings, the Rasa client, CSRF and the blueprint."""
    fd = app.extensions["frontdoor"]
    app.config.setdefault("FRONTDOOR_CLOCK", _utc_now)
    chat = fd.settings.chat
    app.config.setdefault("FRONTDOOR_RASA_URL", chat.rasa_url)
    app.config.setdefault("FRONTDOOR_RASA_TIMEOUT", chat.rasa_timeout)
    app.config.setdefault("FRONTDOOR_DEMO_SIGN_IN", not fd.settings.production)
    if fd.settings.production and app.config["FRONTDOOR_DEMO_SIGN_IN"]:
        raise SettingsError("FRONTDOOR_DEMO_SIGN_IN (the demo sign-in) is refused in production")
    app.config.setdefault("FRONTDOOR_CHAT_TOKEN_SECRET", chat.token_secret)
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    if "helpcenter.rasa" not in app.extensions:
        app.extensions["helpcenter.rasa"] = RasaClient(
            app.config["FRONTDOOR_RASA_URL"], app.config["FRONTDOOR_RASA_TIMEOUT"]
        )
    app.jinja_env.globals.setdefault("csrf_token", generate_csrf)
    app.register_blueprint(bp)


@bp.before_request
def _check_csrf() -> None:
    """Every POST carries the session's CSRF token: a header from the chat script, a field
    from the sign-in forms."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    token = request.headers.get("X-CSRFToken") or request.form.get("csrf_token")
    try:
        validate_csrf(token)
    except (ValidationError, CSRFError):
        abort(400, description="The page is out of date: reload it and try again.")


@bp.errorhandler(HTTPException)
def _error(error: HTTPException) -> Any:
    """Errors as short JSON for the chat script, plain text elsewhere: never a stack trace."""
    description = error.description or error.name
    if request.path.endswith(("/chat", "/survey")):
        return jsonify(error=description), error.code
    return description, error.code, {"Content-Type": "text/plain; charset=utf-8"}


@bp.after_request
def _security_headers(response: Any) -> Any:
    for name, value in _SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
