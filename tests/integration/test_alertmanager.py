"""The real Alertmanager (Debian's prometheus-alertmanager) delivering to our webhook.

The test starts Alertmanager on loopback, with no clustering, a temporary storage path and a
webhook receiver pointing at the Flask app served by werkzeug in a thread; it posts alerts to
Alertmanager's API v2 and waits for the database to show what the rules say.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from core.adapters.orm import alerts, tickets
from core.bootstrap import Frontdoor
from core.services import ContactSpec

from .helpers import add_contract, free_port, wait_for
from .test_alerts_http import TOKEN, RecordingHttpClient, app_for, place_calls

BINARY = "/usr/bin/prometheus-alertmanager"
NIGHT_ADMIN = ContactSpec(name="Night Admin", phone="+390584000009", available_24h=True)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which(BINARY) is None and os.environ.get("FRONTDOOR_REQUIRE_SERVICES") != "1",
        reason="scripts/alertmanager-up.sh installs Debian's prometheus-alertmanager",
    ),
]

CONFIG = """
route:
  receiver: frontdoor
  group_by: ['...']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 2s
receivers:
  - name: frontdoor
    webhook_configs:
      - url: http://127.0.0.1:{app_port}/api/alerts
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: {token}
"""


class Deliveries:
    """WSGI middleware counting the webhook deliveries that reach the app."""

    def __init__(self, app: Any):
        self.app, self.count = app, 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == "/api/alerts":
            self.count += 1
        return self.app(environ, start_response)


class Alertmanager:
    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"

    def post(self, *alerts: dict[str, Any]) -> None:
        request = urllib.request.Request(
            f"{self.base}/api/v2/alerts",
            data=json.dumps(list(alerts)).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base}/-/ready", timeout=1) as response:
                return bool(response.status == 200)
        except OSError:
            return False


@pytest.fixture
def served(frontdoor: Frontdoor) -> Iterator[tuple[Deliveries, RecordingHttpClient]]:
    """The app on a werkzeug server in a background thread."""
    recorder = RecordingHttpClient()
    app = app_for(frontdoor)
    counting = Deliveries(app.wsgi_app)
    counting.flask_app = app  # type: ignore[attr-defined]
    app.wsgi_app = counting  # type: ignore[method-assign]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    counting.port = server.server_port  # type: ignore[attr-defined]
    yield counting, recorder
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def alertmanager(
    served: tuple[Deliveries, RecordingHttpClient], tmp_path: Path
) -> Iterator[Alertmanager]:
    config = tmp_path / "alertmanager.yml"
    config.write_text(CONFIG.format(app_port=served[0].port, token=TOKEN))  # type: ignore[attr-defined]
    port = free_port()
    log = (tmp_path / "alertmanager.log").open("wb")
    process = subprocess.Popen(
        [
            BINARY,
            f"--config.file={config}",
            f"--storage.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
            "--log.level=warn",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    manager = Alertmanager(port)
    try:
        wait_for(manager.ready, "Alertmanager to be ready")
        yield manager
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def rfc3339(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def am_alert(code: str, severity: str, starts: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "labels": {"alertname": f"Down{code}", "severity": severity, "contract": code},
        "annotations": {"summary": f"service down for {code}"},
        "startsAt": rfc3339(starts),
        **extra,
    }


def rows(fd: Frontdoor, table: Any) -> list[Any]:
    with fd.engine.connect() as connection:
        return list(connection.execute(select(table).order_by(table.c.id)))


def by_contract(fd: Frontdoor) -> dict[str, Any]:
    return {row.contract_code: row for row in rows(fd, alerts)}


def test_alertmanager_alerts_open_tickets_as_the_rules_say(
    frontdoor: Frontdoor,
    alertmanager: Alertmanager,
    served: tuple[Deliveries, RecordingHttpClient],
) -> None:
    """Platinum pages on-call, Gold opens a ticket, Basic on-prem and unknown open none;
    repeats add nothing; resolution notes the ticket; a new firing opens a new ticket."""
    deliveries, recorder = served
    add_contract(frontdoor, "2002", plan="platinum", contacts=(NIGHT_ADMIN,))
    add_contract(frontdoor, "2003", plan="gold")
    add_contract(frontdoor, "2004", plan="basic", licence="perpetual")
    started = datetime.now(UTC) - timedelta(minutes=1)
    gold = am_alert("2003", "high", started)
    alertmanager.post(
        am_alert("2002", "critical", started), gold, am_alert("2004", "high", started)
    )
    alertmanager.post(am_alert("9999", "high", started))
    wait_for(lambda: len(rows(frontdoor, alerts)) == 4, "four alerts recorded")
    app = deliveries.flask_app  # type: ignore[attr-defined]
    assert recorder.requests == []  # the calls wait in the outbox for the worker
    assert len(place_calls(app, recorder, datetime.now(UTC)).sent) == 2
    seen = by_contract(frontdoor)
    assert {code: (r.outcome, r.reason) for code, r in seen.items()} == {
        "2002": ("on_call", "ok"),
        "2003": ("ticket", "closed"),
        "2004": ("enhanced", "proactive_not_in_plan"),
        "9999": ("ignored", "unknown_contract"),
    }
    assert len(rows(frontdoor, tickets)) == 2
    assert [r["data"]["To"] for r in recorder.requests] == ["+390500000001", "+390500000002"]

    received = deliveries.count
    wait_for(lambda: deliveries.count >= received + 4, "Alertmanager to repeat its notifications")
    assert len(rows(frontdoor, tickets)) == 2
    assert len(rows(frontdoor, alerts)) == 4
    place_calls(app, recorder, datetime.now(UTC))
    assert len(recorder.requests) == 2

    ended = datetime.now(UTC) - timedelta(seconds=1)
    alertmanager.post({**gold, "endsAt": rfc3339(ended)})
    wait_for(lambda: by_contract(frontdoor)["2003"].status == "resolved", "the resolution")
    gold_ticket = next(t for t in rows(frontdoor, tickets) if t.id == seen["2003"].ticket_id)
    assert "alert resolved" in gold_ticket.notes

    alertmanager.post(am_alert("2003", "high", datetime.now(UTC)))
    wait_for(lambda: len(rows(frontdoor, tickets)) == 3, "a new ticket for the new firing")
    gold_rows = [r for r in rows(frontdoor, alerts) if r.contract_code == "2003"]
    assert [r.status for r in gold_rows] == ["resolved", "firing"]
