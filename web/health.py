"""Liveness and readiness for the load balancer, and the log context of each request.

| path | answers | meaning |
|---|---|---|
| ``/livez`` | always 200 ``{"status": "ok"}``, no I/O | the process answers: restart it if not |
| ``/readyz`` | 200 ``ok`` or ``degraded``, 503 ``unavailable`` | route requests here, or not |
| ``/healthz`` | 200, or 500 when the database is down | kept for scripts (``make run``) |

Readiness asks the database (required: no channel works without it), the shared Redis when
``FRONTDOOR_REDIS_URL`` is set, and Rasa (``FRONTDOOR_RASA_URL``). Redis and Rasa are reported
but not required: the phone, the alerts, the API and the console work without them, and every
instance shares them, so taking all instances out of rotation for them would turn a chat outage
into a phone outage too. Each check has about a second; the body names each check, its time and
its error in one line, never a traceback.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, jsonify

from core import logs
from core.bootstrap import Frontdoor
from core.health import Check, Readiness, database, http, redis

bp = Blueprint("health", __name__)
EXTENSION = "frontdoor_readiness"


def readiness(fd: Frontdoor, rasa_url: str | None) -> Readiness:
    """The web app's checks: the database required; Redis (when set) and Rasa reported."""
    checks = [Check("database", database(fd.uow))]
    if fd.settings.ops.redis_url:
        checks.append(Check("redis", redis(fd.settings.ops.redis_url), required=False))
    if rasa_url:
        checks.append(Check("rasa", http(rasa_url.rstrip("/") + "/"), required=False))
    return Readiness(checks)


@bp.get("/livez")
def livez() -> Any:
    """The process answers (no database, no Redis: a dependency's outage is not a reason to
    restart a process that is fine)."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> Any:
    report = current_app.extensions[EXTENSION].run()
    return jsonify(report.as_json()), 200 if report.ready else 503


def init_app(app: Flask, fd: Frontdoor) -> None:
    """Mount ``/livez`` and ``/readyz``; every request starts with an empty log context (a
    worker thread serves one request after another: no call's id leaks into the next). It is
    not emptied at the end: gunicorn writes the request's access line after the app is done,
    and that line should name the call too."""
    app.extensions[EXTENSION] = readiness(fd, app.config.get("FRONTDOOR_RASA_URL"))
    app.before_request(logs.clear)
    app.register_blueprint(bp)
