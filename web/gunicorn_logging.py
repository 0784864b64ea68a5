"""gunicorn's own lines in the web app's log format: ``logger_class`` in ``gunicorn.conf.py``.

gunicorn's error log (start, worker boots and exits, timeouts) goes through the process's
formatter (:func:`core.logs.configure_logging`, ``FRONTDOOR_LOG_FORMAT``). With an access log
asked for (``--access-logfile -``), each request is one ``http.request`` event: method, path
without its query string (a query may carry a token), status, duration, and the correlation ids
the request bound (an IVR webhook's ``call_sid``), written where every other line goes.
"""

from __future__ import annotations

from typing import Any

from gunicorn import glogging  # type: ignore[import-untyped]

from core.logs import configure_logging, get_logger
from core.settings import load_settings

access = get_logger("gunicorn.access")


class Logger(glogging.Logger):  # type: ignore[misc]
    """gunicorn's logger, writing through the root logger's one handler."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        configure_logging(load_settings().ops)
        for log in (self.error_log, self.access_log):
            for handler in list(log.handlers):
                log.removeHandler(handler)
            log.propagate = True

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        access.info(
            "http.request",
            method=environ.get("REQUEST_METHOD"),
            path=environ.get("PATH_INFO"),
            status=str(getattr(resp, "status", "")).split(" ", 1)[0],
            ms=round(request_time.total_seconds() * 1000, 1),
        )
