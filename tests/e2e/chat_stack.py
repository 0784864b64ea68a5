"""Start the chat stack for end-to-end tests and the benchmark: a trained model, the action
server and Rasa as subprocesses on free ports, started the way they ship (``python -m
bot.action_server``, ``scripts/rasa-run.sh``: REST channel, API disabled, no CORS, 127.0.0.1,
the action server's secret sent by Rasa), on a SQLite database with the demo contracts.
Processes are stopped by their own ids."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from core.adapters.db import upgrade
from core.bootstrap import bootstrap
from core.demo import load_demo
from core.settings import PROJECT_ROOT, load_settings

SECRET = "e2e-chat-token-secret"
BIN = Path(sys.executable).parent
MODELS = Path(os.environ.get("CHAT_STACK_MODEL") or PROJECT_ROOT / "models")  # a dir or a .tar.gz
START_TIMEOUT = 300  # loading TensorFlow and the model takes a minute on 2 cores


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def train_model() -> None:
    """``scripts/rasa-train.sh``: trains into models/ unless data/config/domain are unchanged."""
    env = {**os.environ, "VENV_BIN": str(BIN)}
    subprocess.run([str(PROJECT_ROOT / "scripts" / "rasa-train.sh")], check=True, env=env)


@dataclass
class ChatStack:
    rest_url: str
    database_url: str
    workdir: Path
    rasa_port: int = 0
    actions_port: int = 0
    actions_secret: str = ""  # random per stack, what Rasa sends the action server

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.actions_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def say(self, sender: str, text: str, **metadata: Any) -> list[dict[str, Any]]:
        """One user turn over REST: the bot's messages."""
        return rest_turn(self.rest_url, sender, text, **metadata)


def rest_turn(url: str, sender: str, text: str, **metadata: Any) -> list[dict[str, Any]]:
    """One user turn to Rasa's REST channel at ``url``: the bot's messages."""
    body = {"sender": sender, "message": text, "metadata": metadata}
    response = requests.post(url, json=body, timeout=60)
    response.raise_for_status()
    messages: list[dict[str, Any]] = response.json()
    return messages


def _write_endpoints(path: Path, actions_port: int, tracker_url: str | None) -> None:
    text = (
        f'action_endpoint:\n  url: "http://127.0.0.1:{actions_port}/webhook"\n'
        "  headers:\n    Authorization: Bearer ${FRONTDOOR_ACTIONS_SECRET}\n"  # as shipped
    )
    if tracker_url:
        dialect = tracker_url.split(":", 1)[0].split("+", 1)[0]
        text += (
            f"tracker_store:\n  type: rasaserver.tracker_store.CachedSQLTrackerStore\n"
            f"  dialect: {dialect}\n  url: {tracker_url}\n"
        )
    path.write_text(text, encoding="utf-8")


def _wait_until_up(url: str, processes: list[subprocess.Popen[bytes]], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        for process in processes:
            if process.poll() is not None:
                raise RuntimeError(f"a chat process exited early; see {log}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(1)
    raise RuntimeError(f"rasa did not start within {START_TIMEOUT} s; see {log}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextmanager
def chat_stack(workdir: Path, extra_env: dict[str, str] | None = None) -> Iterator[ChatStack]:
    """The running stack on a fresh demo database in ``workdir`` (``extra_env``: more settings
    for both processes)."""
    database_url = f"sqlite:///{workdir / 'frontdoor.sqlite3'}"
    upgrade(database_url)
    fd = bootstrap(load_settings({"DATABASE_URL": database_url}))
    load_demo(fd.uow(), datetime.now(UTC).date())
    fd.dispose()
    actions_port, rasa_port = free_port(), free_port()
    endpoints = workdir / "endpoints.yml"
    tracker = os.environ.get("CHAT_STACK_TRACKER", f"sqlite:///{workdir / 'rasa-tracker.sqlite3'}")
    _write_endpoints(endpoints, actions_port, tracker if tracker != "memory" else None)
    actions_secret = secrets.token_urlsafe(32)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CHAT_TOKEN_SECRET": SECRET,
        "FRONTDOOR_ACTIONS_SECRET": actions_secret,
        "PYTHONPATH": str(PROJECT_ROOT),  # this checkout's bot/ (custom tracker store)
        "VENV_BIN": str(BIN),
        "RASA_MODEL": str(MODELS),
        "RASA_PORT": str(rasa_port),
        "RASA_ENDPOINTS": str(endpoints),
        **(extra_env or {}),
    }
    log = workdir / "chat-stack.log"
    with log.open("wb") as out:
        common: dict[str, Any] = dict(
            cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        actions = subprocess.Popen(
            [str(BIN / "python"), "-m", "bot.action_server", "--port", str(actions_port)],
            **common,
        )
        rasa = subprocess.Popen([str(PROJECT_ROOT / "scripts" / "rasa-run.sh")], **common)
        try:
            base = f"http://127.0.0.1:{rasa_port}"
            _wait_until_up(f"{base}/webhooks/rest/", [actions, rasa], log)
            _wait_until_up(f"http://127.0.0.1:{actions_port}/health", [actions], log)
            yield ChatStack(
                f"{base}/webhooks/rest/webhook",
                database_url,
                workdir,
                rasa_port,
                actions_port,
                actions_secret,
            )
        finally:
            _stop(rasa)
            _stop(actions)
