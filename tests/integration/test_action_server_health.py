"""The action server as a process: /health is liveness, /readyz asks the database; both open
without Rasa's secret; with FRONTDOOR_LOG_FORMAT=json every line it writes is JSON."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from core.adapters.db import upgrade

from .helpers import free_port, wait_for

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def action_server(database_url: str, log: Path) -> Iterator[str]:
    """``python -m bot.action_server`` on a free port until the block ends (SIGTERM)."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "FRONTDOOR_ACTIONS_SECRET": "actions-secret-for-the-health-test",
        "FRONTDOOR_LOG_FORMAT": "json",
        "FRONTDOOR_DEV_SECRETS": str(log.parent / "dev-secrets.json"),
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.action_server", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(url + "/health"), "the action server", timeout=60)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


def test_ready_when_its_database_answers_and_every_line_is_json(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fd.sqlite3'}"
    upgrade(url)
    log = tmp_path / "actions.log"
    with action_server(url, log) as base:
        # the first check starts the core's warm-up (calendars, language models): until it is
        # done the server is live but not ready yet
        wait_for(lambda: _answers(base + "/readyz"), "the action server ready", timeout=60)
        answer = requests.get(base + "/readyz", timeout=5)
        assert answer.json()["checks"]["database"]["ok"] is True
        assert requests.post(base + "/webhook", json={}, timeout=5).status_code == 401
    lines = log.read_text(encoding="utf-8").splitlines()
    events = [json.loads(line) for line in lines]  # any other line fails here
    assert any(e["event"].startswith("refused POST /webhook") for e in events)


def test_unready_503_with_the_reason_while_its_database_is_down(tmp_path: Path) -> None:
    """Live (/health 200) but not ready: the load balancer routes to another action server."""
    down = "postgresql+psycopg2://x:y@127.0.0.1:9/z"
    with action_server(down, tmp_path / "actions.log") as base:
        answer = requests.get(base + "/readyz", timeout=30)
        assert requests.get(base + "/health", timeout=5).status_code == 200
    assert answer.status_code == 503
    database = answer.json()["checks"]["database"]
    assert database["ok"] is False and database["error"].startswith("OperationalError")
