"""gunicorn's settings for the web app: Prometheus multiprocess mode (docs/observability.md).

gunicorn reads this file when started from the project root (``gunicorn 'web:create_app()'``);
elsewhere, ``gunicorn -c /path/to/frontdoor/gunicorn.conf.py 'web:create_app()'``. Every worker
writes its metric values to files in ``PROMETHEUS_MULTIPROC_DIR`` and ``/metrics`` adds them up,
so that the answer does not depend on the worker that gives it. prometheus_client reads the
variable when it is first imported: it is set here, in the master, before any worker imports
the app (so do not use ``--preload`` with a directory set later). The directory must start
empty: a given one is emptied of its ``*.db`` files at start, and without one a private
temporary directory is made and removed at exit. Nothing here imports the front door.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
PREFIX = "frontdoor-metrics-"  # a temporary directory made here, removed at exit


def _prepare() -> None:
    given = os.environ.get(VARIABLE)
    if given:
        Path(given).mkdir(parents=True, exist_ok=True)
        for stale in Path(given).glob("*.db"):  # a previous start's workers
            stale.unlink()
        return
    os.environ[VARIABLE] = tempfile.mkdtemp(prefix=PREFIX)


_prepare()  # at load time: before a --preload import of the app, before any fork


def child_exit(server: Any, worker: Any) -> None:
    """A worker is gone: its live gauges no longer count (its counters still do)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server: Any) -> None:
    """Remove the directory made at start (a reload keeps it: it is then the one "given")."""
    made = Path(os.environ.get(VARIABLE, ""))
    if made.name.startswith(PREFIX) and made.parent == Path(tempfile.gettempdir()):
        shutil.rmtree(made, ignore_errors=True)


# gunicorn's own lines in the app's log format (imported when gunicorn starts its logger, after
# the lines above ran: docs/observability.md#logs)
logger_class = "web.gunicorn_logging.Logger"
