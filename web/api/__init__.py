"""The REST API, version 1, under ``/api/v1`` (docs/api.md): tickets for other helpdesks and
scripts, authenticated by bearer tokens (``frontdoor api-token``), with its OpenAPI document.

:func:`init_app` mounts the blueprint on the app built by ``web.create_app``.
"""

from __future__ import annotations

from flask import Flask

from web.api import views
from web.api.auth import RATE_PERIOD, RATE_REQUESTS
from web.api.blueprint import bp, routing_error

__all__ = ["bp", "init_app"]

_ROUTES = (views,)  # registers its routes on import
DEFAULT_RATE_REQUESTS = 120
DEFAULT_RATE_PERIOD_SECONDS = 60


def init_app(app: Flask) -> None:
    """Mount the API: rate-limit defaults, the blueprint, JSON for unknown API addresses, and
    no CSRF (bearer-authenticated: a browser never sends the token by itself)."""
    app.config.setdefault(RATE_REQUESTS, DEFAULT_RATE_REQUESTS)
    app.config.setdefault(RATE_PERIOD, DEFAULT_RATE_PERIOD_SECONDS)
    app.register_blueprint(bp)
    app.register_error_handler(404, routing_error)
    app.register_error_handler(405, routing_error)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)
