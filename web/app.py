"""Flask app factory (flaskr style): nothing is created at import time."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify

from core.bootstrap import Frontdoor, bootstrap
from web import helpcenter


def create_app(
    test_config: dict[str, Any] | None = None, frontdoor: Frontdoor | None = None
) -> Flask:
    """Build the web app around a wired :class:`Frontdoor` (built from settings when omitted)."""
    fd = frontdoor or bootstrap()
    fd.settings.require_production_settings()
    app = Flask(__name__)
    app.config.from_mapping(SECRET_KEY=fd.settings.secret_key or "dev-only-not-secret")
    if test_config:
        app.config.update(test_config)
    app.extensions["frontdoor"] = fd
    helpcenter.init_app(app)

    @app.get("/healthz")
    def healthz() -> Any:
        """Liveness and database reachability for load balancers."""
        with fd.uow() as uow:
            uow.ping()
        return jsonify(status="ok")

    @app.get("/")
    def index() -> Any:
        theatres = {key: t.phone for key, t in fd.policy.theatres.items()}
        return jsonify(
            service="frontdoor", theatres=theatres, health="/healthz", help_center="/help/"
        )

    return app
