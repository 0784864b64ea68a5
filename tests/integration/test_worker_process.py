"""The worker as a process: ``frontdoor worker`` stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from core.adapters.db import upgrade

ROOT = Path(__file__).resolve().parents[2]


def test_worker_stops_on_sigterm_with_exit_code_0(tmp_path: Path) -> None:
    """Started on a migrated SQLite file, polling; SIGTERM ends it within seconds, exit 0."""
    url = f"sqlite:///{tmp_path / 'fd.sqlite3'}"
    upgrade(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "FRONTDOOR_SMTP_HOST": "127.0.0.1",
        "FRONTDOOR_WORKER_POLL_SECONDS": "0.2",
        "PYTHONPATH": str(ROOT),
    }
    process = subprocess.Popen(
        [sys.executable, "-c", "from cli.main import main; main()", "worker"],
        env=env,
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        assert "sending notifications from SQLite" in process.stderr.readline()
        time.sleep(0.5)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert "stopping" in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()
