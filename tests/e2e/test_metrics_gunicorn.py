"""``/metrics`` under gunicorn with two workers: whichever worker answers, the counts are those
of both (prometheus_client's multiprocess mode, set up by ``gunicorn.conf.py``)."""

from __future__ import annotations

import collections
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from core.adapters.db import upgrade
from web.app import WORKER_HEADER

from .gunicorn_server import Gunicorn
from .metrics_text import sample, scrape

pytestmark = pytest.mark.slow
TOKEN = "gunicorn-metrics-token-" + "x" * 16
REQUESTS = 60
HEALTHZ = {"route": "/healthz", "method": "GET", "status": "200"}


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[Gunicorn]:
    database_url = f"sqlite:///{tmp_path / 'frontdoor.sqlite3'}"
    upgrade(database_url)
    env = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "gunicorn-test-secret",
        "FRONTDOOR_ENV": "development",
        "FRONTDOOR_WORKER_HEADER": "1",
        "FRONTDOOR_METRICS_TOKEN": TOKEN,
    }
    server = Gunicorn(env, tmp_path / "gunicorn.log", workers=2)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def healthz(server: Gunicorn) -> str:
    answer = requests.get(f"{server.url}/healthz", timeout=10)
    assert answer.status_code == 200
    return answer.headers[WORKER_HEADER]


def burst(server: Gunicorn, count: int) -> collections.Counter[str]:
    """``count`` requests, 8 at a time: how many each worker answered."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        return collections.Counter(pool.map(lambda _: healthz(server), range(count)))


def wait_for_both_workers(server: Gunicorn, seconds: float = 60) -> None:
    """The second worker may still be warming up when the first answers /healthz."""
    deadline = time.monotonic() + seconds
    while len(burst(server, 16)) < 2:
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.5)


def test_every_worker_answers_metrics_with_the_requests_of_both(gunicorn: Gunicorn) -> None:
    """Concurrent requests spread over both workers: /metrics counts every one of them, and
    says the same whichever worker gives it."""
    wait_for_both_workers(gunicorn)
    before = sample(scrape(gunicorn.url, TOKEN).text, "frontdoor_http_requests_total", **HEALTHZ)
    served = burst(gunicorn, REQUESTS)
    for _ in range(5):  # the kernel may hand one burst to one worker: more, until both served
        if len(served) == 2:
            break
        served += burst(gunicorn, REQUESTS)
    assert len(served) == 2, gunicorn.output()
    answers: list[requests.Response] = []
    for _ in range(10):  # concurrent scrapes, until both workers have answered one
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers += pool.map(lambda _: scrape(gunicorn.url, TOKEN), range(8))
        if len({a.headers[WORKER_HEADER] for a in answers}) == 2:
            break
    assert len({a.headers[WORKER_HEADER] for a in answers}) == 2
    counts = {sample(a.text, "frontdoor_http_requests_total", **HEALTHZ) for a in answers}
    assert counts == {before + served.total()}
    latency = sample(answers[0].text, "frontdoor_http_request_duration_seconds_count")
    assert latency >= served.total()


def test_metrics_without_the_token_are_refused(gunicorn: Gunicorn) -> None:
    """The token is set: no bearer, or a wrong one, is 401 even from loopback."""
    assert scrape(gunicorn.url).status_code == 401
    assert scrape(gunicorn.url, TOKEN + "x").status_code == 401
