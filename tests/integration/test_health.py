"""/livez and /readyz of the web app on a real database, a real Redis and a stand-in Rasa."""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
import redis as redis_py
from flask.testing import FlaskClient

from core.bootstrap import Frontdoor, bootstrap
from core.settings import load_settings
from core.settings.logs import OpsSettings
from web import create_app

from .helpers import free_port, wait_for

REDIS_SERVER = "/usr/bin/redis-server"


@pytest.fixture
def redis_url(tmp_path: Any) -> Iterator[str]:
    """Debian's redis-server on a free loopback port, nothing written to disk."""
    if shutil.which(REDIS_SERVER) is None:
        if os.environ.get("FRONTDOOR_REQUIRE_SERVICES") == "1":
            pytest.fail(f"FRONTDOOR_REQUIRE_SERVICES=1 but {REDIS_SERVER} is missing")
        pytest.skip("apt-get install redis-server")
    port = free_port()
    command = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    command += ["--appendonly", "no", "--dir", str(tmp_path)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        wait_for(lambda: _pings(url), "redis-server", timeout=10)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _pings(url: str) -> bool:
    try:
        return bool(redis_py.Redis.from_url(url, socket_timeout=0.5).ping())
    except redis_py.RedisError:
        return False


@pytest.fixture
def rasa_url() -> Iterator[str]:
    """Something answering ``GET /`` like Rasa's root ("Hello from Rasa")."""

    class Hello(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"Hello from Rasa: 3.6.21")

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def _client(fd: Frontdoor, rasa_url: str, redis_url: str | None = None) -> FlaskClient:
    settings = replace(fd.settings, ops=OpsSettings(redis_url=redis_url))
    config = {"FRONTDOOR_WARM": False, "FRONTDOOR_RASA_URL": rasa_url}
    return create_app(config, replace(fd, settings=settings)).test_client()


def _nothing_listening() -> str:
    return f"127.0.0.1:{free_port()}"


def test_livez_answers_without_touching_the_database() -> None:
    """The database is down and the process is still live: no restart for a dependency."""
    down = bootstrap(load_settings({"DATABASE_URL": "postgresql+psycopg2://x:y@127.0.0.1:9/z"}))
    try:
        client = create_app({"FRONTDOOR_WARM": False}, down).test_client()
        answer = client.get("/livez")
        assert (answer.status_code, answer.get_json()) == (200, {"status": "ok"})
    finally:
        down.dispose()


def test_ready_when_database_redis_and_rasa_answer(
    frontdoor: Frontdoor, redis_url: str, rasa_url: str
) -> None:
    """SQLite and PostgreSQL: every check ok, each with its time."""
    answer = _client(frontdoor, rasa_url, redis_url).get("/readyz")
    body = answer.get_json()
    assert (answer.status_code, body["status"]) == (200, "ok")
    assert {name: c["ok"] for name, c in body["checks"].items()} == {
        "database": True,
        "redis": True,
        "rasa": True,
    }
    assert body["checks"]["database"]["required"] is True


def test_no_redis_check_without_a_redis_url(frontdoor: Frontdoor, rasa_url: str) -> None:
    body = _client(frontdoor, rasa_url).get("/readyz").get_json()
    assert set(body["checks"]) == {"database", "rasa"}


def test_database_down_is_unready_503_with_the_reason_and_no_traceback(rasa_url: str) -> None:
    down = bootstrap(load_settings({"DATABASE_URL": "postgresql+psycopg2://x:y@127.0.0.1:9/z"}))
    try:
        answer = _client(down, rasa_url).get("/readyz")
    finally:
        down.dispose()
    body = answer.get_json()
    assert (answer.status_code, body["status"]) == (503, "unavailable")
    database = body["checks"]["database"]
    assert database["ok"] is False and database["error"].startswith("OperationalError")
    assert "Connection refused" in database["error"] or "connect" in database["error"]
    assert "Traceback" not in answer.get_data(as_text=True)


def test_redis_set_but_unreachable_keeps_the_app_in_rotation_as_degraded(
    frontdoor: Frontdoor, rasa_url: str
) -> None:
    """The phone and the alerts do not need Redis: 200, degraded, Redis's error named; the URL
    (which may hold a password) is not shown."""
    url = f"redis://:hunter2@{_nothing_listening()}/0"
    answer = _client(frontdoor, rasa_url, url).get("/readyz")
    body = answer.get_json()
    assert (answer.status_code, body["status"]) == (200, "degraded")
    assert body["checks"]["redis"]["ok"] is False and body["checks"]["redis"]["error"]
    assert "hunter2" not in answer.get_data(as_text=True)


def test_rasa_down_keeps_the_app_in_rotation_as_degraded(frontdoor: Frontdoor) -> None:
    """The IVR works without Rasa: taking every web instance out would stop the phone too."""
    answer = _client(frontdoor, f"http://{_nothing_listening()}").get("/readyz")
    body = answer.get_json()
    assert (answer.status_code, body["status"]) == (200, "degraded")
    assert body["checks"]["rasa"]["ok"] is False


def test_healthz_still_answers_as_before(frontdoor: Frontdoor, rasa_url: str) -> None:
    answer = _client(frontdoor, rasa_url).get("/healthz")
    assert (answer.status_code, answer.get_json()) == (200, {"status": "ok"})
