"""The action server's entry point: rasa_sdk's Sanic app for ``bot.actions``, answering only
our Rasa.

``python -m bot.action_server [--port 5055]`` listens on ``settings.chat.actions_host``
(``FRONTDOOR_ACTIONS_HOST``, default 127.0.0.1). Every request except ``GET /health``,
``GET /readyz`` (:mod:`bot.health`) and ``GET /metrics`` (its own protection: :mod:`bot.metrics`)
must carry ``Authorization: Bearer <FRONTDOOR_ACTIONS_SECRET>`` (endpoints.yml makes Rasa send
it on every action call), compared in constant time before any action runs; anything else gets
401 and nothing runs. No CORS: browsers never talk to the action server. Without a secret
(production with none set) it refuses to start.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import warnings
from collections.abc import Sequence
from typing import Any

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app as create_sdk_app
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.worker.loader import AppLoader

from bot import metrics
from bot.health import READY_PATH
from bot.health import init_app as init_health
from core.logs import configure_logging
from core.settings import SettingsError, load_settings
from core.settings.metrics import MetricsSettings

ACTIONS_PACKAGE = "bot.actions"
DEFAULT_PORT = 5055
OPEN_PATHS = frozenset({"/health", READY_PATH})  # liveness, readiness: no action, no data
logger = logging.getLogger(__name__)


def authorized(header: str | None, secret: str) -> bool:
    """``header`` is ``Bearer <secret>`` (constant-time comparison; no secret, no access)."""
    if not secret:
        return False
    expected = f"Bearer {secret}".encode()
    return hmac.compare_digest((header or "").encode(), expected)


def create_app(secret: str, metrics_settings: MetricsSettings | None = None) -> Sanic[Any, Any]:
    """rasa_sdk's app for ``bot.actions`` behind the shared-secret check, with ``/metrics``."""
    if not secret:
        raise SettingsError("the action server needs FRONTDOOR_ACTIONS_SECRET")
    executor = ActionExecutor()
    executor.register_package(ACTIONS_PACKAGE)
    app: Sanic[Any, Any] = create_sdk_app(executor, cors_origins=None)
    metrics.init_app(app, metrics_settings or MetricsSettings(), executor.actions)
    init_health(app)  # /readyz; a fresh log context per request

    async def only_our_rasa(request: Request) -> HTTPResponse | None:
        if request.method in ("GET", "HEAD") and request.path in OPEN_PATHS:
            return None
        if authorized(request.headers.get("authorization"), secret):
            return None
        logger.warning("refused %s %s: no valid action server secret", request.method, request.path)
        return response.json({"error": "unauthorized"}, status=401)

    app.register_middleware(only_our_rasa, "request")
    return app


def app_from_settings() -> Sanic[Any, Any]:
    """The app as each Sanic worker process builds it (Sanic's AppLoader needs a module-level
    factory: workers are started as new processes)."""
    settings = load_settings()
    configure_logging(settings.ops)  # each Sanic worker is a process of its own
    return create_app(settings.chat.actions_secret, settings.metrics)


def main(argv: Sequence[str] | None = None) -> None:
    # rasa_sdk warns on every new Rasa version that differs in A.B; Rasa 3.6's protocol is
    # what our chat tests check against this rasa_sdk (docs/runtimes.md), so the warning says
    # nothing an operator could act on.
    warnings.filterwarnings("ignore", message="Your versions of rasa and rasa_sdk might not")
    parser = argparse.ArgumentParser(description="frontdoor's action server (bot.actions)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)
    configure_logging(load_settings().ops)
    chat = load_settings().chat
    loader = AppLoader(factory=app_from_settings)
    app = loader.load()
    workers = utils.number_of_sanic_workers()  # ACTION_SERVER_SANIC_WORKERS, default 1
    metrics.multiprocess_for_workers(workers)
    logger.info(
        "action server on http://%s:%s, %d worker(s) (Rasa's secret required)",
        chat.actions_host,
        args.port,
        workers,
    )
    app.prepare(host=chat.actions_host, port=args.port, workers=workers, access_log=False)
    if workers == 1:
        Sanic.serve_single(primary=app)  # one process: no manager beside the worker
    else:
        Sanic.serve(primary=app, app_loader=loader)


if __name__ == "__main__":
    main()
