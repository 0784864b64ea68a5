"""The web app's Prometheus side: every request timed by route, and ``GET /metrics``.

The route label is Flask's URL rule (``/ivr/<state>`` style, ``unmatched`` for a 404), never the
raw path, so a scanner trying random URLs adds no series. ``/metrics`` answers the whole app:
under gunicorn every worker's values, added up (:func:`core.metrics.exposition`), whichever
worker answers. Who may read it: :meth:`core.settings.metrics.MetricsSettings.allows` (the
bearer token when one is set, else loopback peers outside production; production without a
token answers 404, as if there were no such route).
"""

from __future__ import annotations

import logging
import sys
import time

from flask import Flask, Response, abort, g, request

from core.metrics import HTTP_REQUESTS, HTTP_SECONDS, exposition, multiprocess_dir
from core.settings.metrics import MetricsSettings

log = logging.getLogger(__name__)


def init_app(app: Flask, settings: MetricsSettings) -> None:
    """Time every request and mount ``/metrics``."""
    if "gunicorn" in sys.modules and not multiprocess_dir():
        log.warning(
            "gunicorn without PROMETHEUS_MULTIPROC_DIR: /metrics shows one worker only "
            "(start gunicorn from the project root or with -c gunicorn.conf.py)"
        )

    def start_timer() -> None:
        g.metrics_started = time.perf_counter()

    # first of all: a request another hook answers early (a body limit, a token) is timed too
    app.before_request_funcs.setdefault(None, []).insert(0, start_timer)

    @app.after_request
    def observe(response: Response) -> Response:
        started = g.pop("metrics_started", None)
        if started is not None:
            route = request.url_rule.rule if request.url_rule is not None else "unmatched"
            elapsed = time.perf_counter() - started
            HTTP_SECONDS.labels(route, request.method).observe(elapsed)
            HTTP_REQUESTS.labels(route, request.method, str(response.status_code)).inc()
        return response

    @app.get("/metrics")
    def metrics() -> Response:
        """The Prometheus text format, for the scraper the settings allow."""
        if not settings.allows(request.headers.get("Authorization"), request.remote_addr):
            if settings.production and not settings.token:
                abort(404)
            return Response("unauthorized\n", status=401, mimetype="text/plain")
        body, content_type = exposition()
        return Response(body, content_type=content_type)
