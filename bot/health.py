"""The action server's readiness, and the log context of each request.

``GET /health`` (rasa_sdk's) stays the liveness check: it answers without I/O. ``GET /readyz``
answers 200 when the database the actions read and write answers within a second, else 503 with
the reason (docs/observability.md); neither needs Rasa's secret, neither runs an action.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.frontdoor import get_client
from core import logs
from core.health import Check, Readiness, database

READY_PATH = "/readyz"


def readiness() -> Readiness:
    """The database, through the process's core client (bootstrapped at the first check, as
    at the first action: a server still warming up is not ready yet)."""

    def probe() -> None:
        database(get_client().uow)()

    return Readiness([Check("database", probe)])


def init_app(app: Sanic[Any, Any]) -> None:
    """Mount ``/readyz``; every request starts with an empty log context (Rasa keeps its
    connection open: one task serves many requests)."""
    checks = readiness()

    async def fresh_log_context(_request: Request) -> None:
        logs.clear()

    async def readyz(_request: Request) -> HTTPResponse:
        report = await asyncio.to_thread(checks.run)  # the event loop keeps serving
        return response.json(report.as_json(), status=200 if report.ready else 503)

    app.register_middleware(fresh_log_context, "request")
    app.add_route(readyz, READY_PATH, methods=["GET"])
