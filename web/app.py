"""Flask app factory (flaskr style): nothing is created at import time."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, jsonify

from core.bootstrap import Frontdoor, bootstrap
from core.logs import configure_logging
from ivr import init_app as init_ivr
from web import alerts, api, console, health, helpcenter, limits, metrics


def create_app(
    test_config: dict[str, Any] | None = None, frontdoor: Frontdoor | None = None
) -> Flask:
    """Build the web app around a wired :class:`Frontdoor` (built from settings when omitted)."""
    fd = frontdoor or bootstrap()
    if frontdoor is None:  # gunicorn 'web:create_app()': this process's logs are ours to set
        configure_logging(fd.settings.ops)
    fd.settings.require_production_settings()
    app = Flask(__name__)
    app.config.from_mapping(SECRET_KEY=fd.settings.secret_key)  # generated in development
    if test_config:
        app.config.update(test_config)
    app.extensions["frontdoor"] = fd
    if app.config.get("FRONTDOOR_WARM", True):
        fd.warm(datetime.now(UTC).date())
    init_ivr(app, fd)
    alerts.init_app(app)
    api.init_app(app)  # the REST API, /api/v1 (docs/api.md)
    console.init_app(app)
    helpcenter.init_app(app)
    health.init_app(app, fd)  # /livez, /readyz, per-request log context (docs/observability.md)
    limits.init_app(app)  # every route's body limit (docs/security-limits.md)
    metrics.init_app(app, fd.settings.metrics)  # /metrics, request timing (docs/observability.md)
    worker_header = app.config.get("FRONTDOOR_WORKER_HEADER", fd.settings.web.worker_header)
    if not fd.settings.production and worker_header:
        _tell_worker(app)

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
            service="frontdoor",
            theatres=theatres,
            health="/healthz",
            console="/console/",
            help_center="/help/",
        )

    return app


WORKER_HEADER = "X-Frontdoor-Worker"


def _tell_worker(app: Flask) -> None:
    """Name the process that answered on every response (multi-worker tests and benchmarks
    check that the steps of a call land on different gunicorn workers); never in production."""

    @app.after_request
    def worker(response: Response) -> Response:
        response.headers[WORKER_HEADER] = str(os.getpid())  # per response: workers fork late
        return response
