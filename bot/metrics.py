"""The action server's Prometheus side: every action call timed, and ``GET /metrics``.

The action label is the name of an action this server registered (``other`` for anything
else: a forged name adds no series). ``/metrics`` is not behind Rasa's secret (Prometheus does
not hold it) but behind :meth:`core.settings.metrics.MetricsSettings.allows`: the metrics
bearer token when one is set, else loopback peers outside production; production without a
token answers 404. With several Sanic workers (``ACTION_SERVER_SANIC_WORKERS``), the workers
share ``PROMETHEUS_MULTIPROC_DIR``, which :func:`multiprocess_for_workers` makes.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Collection
from typing import Any

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import BaseHTTPResponse, HTTPResponse

from core.metrics import ACTION_CALLS, ACTION_SECONDS, exposition
from core.settings.metrics import MetricsSettings

PATH = "/metrics"
ACTION_PATH = "/webhook"


def action_label(request: Request, actions: Collection[str]) -> str:
    """The action Rasa asked for, if it is one of ours."""
    try:
        body = request.json
    except Exception:  # not JSON: rasa_sdk answers it with an error
        return "other"
    name = body.get("next_action") if isinstance(body, dict) else None
    return name if isinstance(name, str) and name in actions else "other"


def init_app(app: Sanic[Any, Any], settings: MetricsSettings, actions: Collection[str]) -> None:
    """Time ``POST /webhook`` by action and mount ``/metrics`` (register before the secret
    check: it answers ``/metrics`` itself)."""

    async def start_timer(request: Request) -> HTTPResponse | None:
        request.ctx.metrics_started = time.perf_counter()
        if request.path != PATH:
            return None
        if request.method not in ("GET", "HEAD"):
            return response.text("method not allowed\n", status=405)
        if not settings.allows(request.headers.get("authorization"), request.ip):
            if settings.production and not settings.token:
                return response.text("not found\n", status=404)
            return response.text("unauthorized\n", status=401)
        body, content_type = exposition()
        return response.raw(body, content_type=content_type)

    async def observe(request: Request, answer: BaseHTTPResponse) -> None:
        started = getattr(request.ctx, "metrics_started", None)
        if started is None or request.path != ACTION_PATH or request.method != "POST":
            return
        action = action_label(request, actions)
        ACTION_SECONDS.labels(action).observe(time.perf_counter() - started)
        ACTION_CALLS.labels(action, str(answer.status)).inc()

    app.register_middleware(start_timer, "request")
    app.register_middleware(observe, "response")


def multiprocess_for_workers(workers: int) -> None:
    """Several Sanic worker processes: give them a fresh shared directory for their values
    (before they start and import prometheus_client), unless the operator set one."""
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="frontdoor-actions-")
