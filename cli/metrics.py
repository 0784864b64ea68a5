"""``/metrics`` of a long-running command (``frontdoor worker``, ``frontdoor helpdesk sync``):
a small HTTP listener in a thread, on ``FRONTDOOR_METRICS_HOST`` (default 127.0.0.1) and the
``--metrics-port`` given.

prometheus_client's own ``start_http_server`` cannot ask for a bearer token, so this is its
WSGI app behind :meth:`core.settings.metrics.MetricsSettings.allows`, on the same threaded
standard-library server. Requests are not logged (the token would not be either way).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import click

from cli.context import fail
from core.metrics import exposition
from core.settings import SettingsError
from core.settings.metrics import MetricsSettings

StartResponse = Callable[..., Any]
port_option = click.option(
    "--metrics-port",
    type=click.IntRange(1, 65535),
    default=None,
    help="serve Prometheus metrics at /metrics on this port (FRONTDOOR_METRICS_HOST)",
)


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log on stderr: a scrape every few seconds says nothing."""


def metrics_app(settings: MetricsSettings) -> Callable[[dict[str, Any], StartResponse], Any]:
    """The WSGI app: ``GET /metrics`` for whom the settings allow; 404 for any other path."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/metrics":
            return _text(start_response, "404 Not Found", "not found\n")
        allowed = settings.allows(environ.get("HTTP_AUTHORIZATION"), environ.get("REMOTE_ADDR"))
        if not allowed:
            if settings.production and not settings.token:
                return _text(start_response, "404 Not Found", "not found\n")
            return _text(start_response, "401 Unauthorized", "unauthorized\n")
        body, content_type = exposition()
        start_response("200 OK", [("Content-Type", content_type)])
        return [body]

    return app


def _text(start_response: StartResponse, status: str, text: str) -> list[bytes]:
    start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
    return [text.encode()]


def serve_metrics(settings: MetricsSettings, port: int) -> WSGIServer:
    """Start the listener in a daemon thread (it ends with the process); the server, whose
    ``shutdown()`` stops it. A listener off loopback needs the token in production; a refused
    or taken address ends the command with one line (exit 2)."""
    app = metrics_app(settings)
    try:
        settings.check_listener(settings.host)
        server = make_server(
            settings.host, port, app, server_class=_Server, handler_class=_QuietHandler
        )
    except (SettingsError, OSError) as exc:  # no token off loopback; the port is taken
        fail(f"metrics on {settings.host}:{port}: {exc}")
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    return server
