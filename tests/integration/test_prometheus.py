"""The real Prometheus (Debian's ``prometheus``) scraping every process kind of the front door.

The test starts, on loopback and free ports: the web app under gunicorn with two workers, the
action server, ``frontdoor worker --metrics-port`` with an SMTP server, and its own Prometheus
(a generated configuration, a 1 s scrape interval, the metrics token as bearer credentials,
storage in a temporary directory). It plays scripted traffic (the demo phone calls as signed
Twilio webhooks, action calls as Rasa makes them, the outbox e-mails they cause), then asks
Prometheus's HTTP API for the counts and compares them with what the database holds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, func, select

from core.adapters import orm
from core.adapters.db import upgrade
from core.bootstrap import bootstrap
from core.demo import load_demo
from core.settings import PROJECT_ROOT, load_settings
from phonesim import CallSimulator, HttpTransport, scripted
from phonesim.demo_calls import DemoCall, demo_calls
from tests.e2e.gunicorn_server import Gunicorn
from tests.e2e.test_attacks_chat import action_call
from tests.e2e.twilio_client import PUBLIC_BASE_URL
from tests.e2e.twilio_client import TOKEN as TWILIO_TOKEN

from .helpers import free_port
from .mailbox import Mailbox

BINARY = "/usr/bin/prometheus"
DEMO_TODAY = date(2026, 11, 23)  # the demo calls happen on that Monday
TOKEN = "prometheus-test-metrics-token-0123456789"
ACTIONS_SECRET = "prometheus-test-actions-secret-0123456789"
ACTION_CALLS = 3
FRONTDOOR = [sys.executable, "-c", "from cli.main import main; main()"]  # this checkout's

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which(BINARY) is None and os.environ.get("FRONTDOOR_REQUIRE_SERVICES") != "1",
        reason="scripts/prometheus-up.sh installs Debian's prometheus",
    ),
]

CONFIG = """
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: web
    authorization: {{type: Bearer, credentials: {token}}}
    static_configs: [{{targets: ['127.0.0.1:{web}']}}]
  - job_name: actions
    authorization: {{type: Bearer, credentials: {token}}}
    static_configs: [{{targets: ['127.0.0.1:{actions}']}}]
  - job_name: worker
    authorization: {{type: Bearer, credentials: {token}}}
    static_configs: [{{targets: ['127.0.0.1:{worker}']}}]
  - job_name: web_without_token
    static_configs: [{{targets: ['127.0.0.1:{web}']}}]
"""


class Prometheus:
    def __init__(self, url: str) -> None:
        self.url = url

    def value(self, promql: str) -> float | None:
        """The first value of an instant query, None when it has no result yet."""
        answer = requests.get(f"{self.url}/api/v1/query", params={"query": promql}, timeout=5)
        answer.raise_for_status()
        result = answer.json()["data"]["result"]
        return float(result[0]["value"][1]) if result else None


def until(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


def answers(url: str, headers: dict[str, str] | None = None) -> bool:
    try:
        return requests.get(url, headers=headers or {}, timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


def start(stack: ExitStack, command: list[str], env: dict[str, str], log: Path) -> None:
    """A subprocess in its own session, stopped (SIGTERM, then SIGKILL) when ``stack`` closes."""
    out = stack.enter_context(log.open("wb"))
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
    )

    def stop() -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    stack.callback(stop)


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'frontdoor.sqlite3'}"
    upgrade(url)
    fd = bootstrap(load_settings({"DATABASE_URL": url}))
    load_demo(fd.uow(), DEMO_TODAY)
    fd.dispose()
    return url


@pytest.fixture
def running(database_url: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Every process up and scraped: gunicorn, the action server, the worker, Prometheus."""
    mailbox = Mailbox()
    ports = {"actions": free_port(), "worker": free_port(), "prometheus": free_port()}
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "FRONTDOOR_ENV": "development",
        "SECRET_KEY": "prometheus-test-secret",
        "CHAT_TOKEN_SECRET": "prometheus-test-chat-secret",
        "FRONTDOOR_ACTIONS_SECRET": ACTIONS_SECRET,
        "FRONTDOOR_METRICS_TOKEN": TOKEN,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "FRONTDOOR_IVR_SIMULATED_TIME": "1",
        "FRONTDOOR_IVR_DESK_NUMBER": "+390500000000",
        "FRONTDOOR_ONCALL_NUMBERS": "+390511111111,+390522222222",
        "FRONTDOOR_SMTP_HOST": "127.0.0.1",
        "FRONTDOOR_SMTP_PORT": str(mailbox.port),
        "FRONTDOOR_SMTP_STARTTLS": "0",
        "FRONTDOOR_WORKER_POLL_SECONDS": "0.5",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    with ExitStack() as stack:
        mailbox.start()
        stack.callback(mailbox.stop)
        web = Gunicorn(env, tmp_path / "gunicorn.log", workers=2)
        stack.callback(web.stop)
        actions = [sys.executable, "-m", "bot.action_server", "--port", str(ports["actions"])]
        start(stack, actions, env, tmp_path / "actions.log")
        worker = [*FRONTDOOR, "worker", "--metrics-port", str(ports["worker"])]
        start(stack, worker, env, tmp_path / "worker.log")
        config = tmp_path / "prometheus.yml"
        web_port = web.url.rsplit(":", 1)[1]
        config.write_text(CONFIG.format(token=TOKEN, web=web_port, **ports), encoding="utf-8")
        prometheus = [
            BINARY,
            f"--config.file={config}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{ports['prometheus']}",
            "--log.level=warn",
        ]
        start(stack, prometheus, env, tmp_path / "prometheus.log")
        web.wait_ready(60)
        actions_url = f"http://127.0.0.1:{ports['actions']}"
        prometheus_url = f"http://127.0.0.1:{ports['prometheus']}"
        until(lambda: answers(f"{actions_url}/health"), "the action server", 120)
        worker_url = f"http://127.0.0.1:{ports['worker']}/metrics"
        until(lambda: answers(worker_url, bearer), "the worker's metrics")
        until(lambda: answers(f"{prometheus_url}/-/ready"), "Prometheus")
        yield {"web": web, "actions": actions_url, "prometheus": Prometheus(prometheus_url)}


def play(web: Gunicorn, call: DemoCall) -> None:
    simulator = CallSimulator(
        HttpTransport(web.url),
        auth_token=TWILIO_TOKEN,
        public_base_url=PUBLIC_BASE_URL,
        caller=scripted(call.answers),
        output=None,
    )
    result = simulator.call(call.to, call.from_, at=call.at, status_callback="/ivr/status")
    assert (result.ended, result.error) == ("hangup", None), call.name


def stored(database_url: str, query: Any) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(query).scalar_one())
    finally:
        engine.dispose()


def test_prometheus_counts_the_tickets_calls_actions_and_emails_of_scripted_traffic(
    running: dict[str, Any], database_url: str
) -> None:
    """Demo calls and action calls: PromQL over the scraped processes returns the tickets
    opened, the webhooks by route, the action calls, the e-mails sent and the SLA breaches the
    database shows; the scrape without the token is refused (``up`` 0)."""
    prometheus: Prometheus = running["prometheus"]
    calls = demo_calls(DEMO_TODAY)
    for call in calls:
        play(running["web"], call)
    rasa = {"Authorization": f"Bearer {ACTIONS_SECRET}"}
    for n in range(ACTION_CALLS):
        body = action_call("action_ask_customer_code", f"prom-{n}", {}, "hello", {})
        answer = requests.post(f"{running['actions']}/webhook", json=body, headers=rasa, timeout=60)
        assert answer.status_code == 200
    outbox = orm.outbox.c
    pending = select(func.count()).where(outbox.status == "pending", outbox.lease_until.is_(None))
    until(lambda: stored(database_url, pending) == 0, "the worker to claim every row", 120)
    sent = stored(database_url, select(func.count()).where(outbox.status == "sent"))
    breached = select(func.count(func.distinct(outbox.ticket_id)))
    breaches = stored(database_url, breached.where(outbox.kind == "breach", outbox.attempts > 0))
    expected = {
        "sum(frontdoor_tickets_opened_total)": len(calls),
        'sum(frontdoor_http_request_duration_seconds_count{route="/ivr/voice"})': len(calls),
        'sum(frontdoor_action_calls_total{action="action_ask_customer_code",status="200"})': (
            ACTION_CALLS
        ),
        'sum(frontdoor_notifications_total{status="sent"})': sent,
        "sum(frontdoor_sla_breaches_total)": breaches,
        'sum(up{job=~"web|actions|worker"})': 3,
        'up{job="web_without_token"}': 0,
    }
    assert sent > 0 and breaches > 0

    def agree() -> bool:
        return {q: prometheus.value(q) for q in expected} == expected

    until(agree, "Prometheus to scrape the expected counts", 30)
    now = datetime.now(UTC)
    assert now.date() > DEMO_TODAY  # the calls' deadlines are past: their breaches went out
