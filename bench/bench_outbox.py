"""Escalation e-mails at scale: N tickets whose first escalation falls due at once, W
``frontdoor worker`` processes on PostgreSQL, a local SMTP sink (aiosmtpd). Prints the
notifications per second, the e-mails the sink accepted (a digest lists many notifications:
docs/escalations.md) and the lag of each notification from its due time to the acceptance of
the e-mail that carries it (p50/p99/max); target p99 under 5 s. Its floor: the same sink fed by
one plain ``smtplib`` loop with messages of the same size (no database, no claim, no rendering),
and the ratio of notifications per second to it. ``emails_due`` and ``emails_accepted`` count
notifications (one e-mail each without digests), ``emails_sent`` the e-mails. The workers'
settings come from the environment (``FRONTDOOR_OUTBOX_BATCH``; ``FRONTDOOR_OUTBOX_DIGEST_MIN=0``
for one e-mail per notification).

Run: ``.venv/bin/python bench/bench_outbox.py [--tickets 10000] [--workers 2]``. PostgreSQL comes
from ``FRONTDOOR_TEST_POSTGRES_URL`` (``scripts/postgres-up.sh`` prints one); the benchmark works
in a schema of its own and drops it. Tickets are opened through the intake service (Gold P2,
Europe); every other notification is cancelled and the first escalation of every ticket is made
due at one instant 3 s ahead, while the workers run: they sleep until the next due instant, so
they all start on the whole backlog at that instant. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import smtplib
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import update  # noqa: E402

from bench.bench_console import postgres_database  # noqa: E402
from bench.bench_core import _cpu  # noqa: E402
from core.adapters import orm  # noqa: E402
from core.adapters.db import upgrade  # noqa: E402
from core.bootstrap import bootstrap  # noqa: E402
from core.services import Case, ContactSpec, ContractSpec, submit_case, upsert_contract  # noqa: E402
from core.settings import load_settings  # noqa: E402

OPENED = datetime.fromisoformat("2026-11-23T09:00:00+01:00")  # a Monday, office open
BATCH = 500  # tickets per transaction while seeding
DUE_AHEAD_SECONDS = 3.0  # more than the poll (1 s): each worker has seen the row before


class Sink:
    """Records when each notification's delivery id was accepted (wall clock): a digest's
    members from its ``X-Frontdoor-Delivery-Ids``; counts the e-mails."""

    def __init__(self) -> None:
        self.accepted: dict[str, float] = {}
        self.emails = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        now = time.time()
        headers = BytesHeaderParser().parsebytes(bytes(envelope.original_content))
        members = "".join(str(headers.get("X-Frontdoor-Delivery-Ids") or "").split())
        keys = members.split(",") if members else []
        keys = keys or [str(headers.get("X-Frontdoor-Delivery-Id") or f"plain-{time.time_ns()}")]
        with self.lock:
            self.emails += 1
            for key in keys:
                self.accepted.setdefault(key, now)
        return "250 accepted"


@contextmanager
def smtp_sink() -> Iterator[tuple[Sink, int]]:
    sink = Sink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


def seed(url: str, tickets: int) -> None:
    """Open the tickets through the intake service, then cancel every notification they
    planned (opened on a past Monday, they would be due already): the workers find nothing to
    send until :func:`make_due`."""
    fd = bootstrap(load_settings({"DATABASE_URL": url}))
    contacts = (ContactSpec(name="Admin", role="admin", email="admin@customer.example"),)
    spec = ContractSpec(
        code="9001",
        customer="Bench Customer",
        plan="gold",
        licence="subscription",
        theatre="europe",
        week="mon-fri",
        starts=date(2026, 1, 1),
        ends=date(2027, 12, 31),
        timezone="Europe/Rome",
        products=("UCX Platform",),
        contacts=contacts,
    )
    upsert_contract(fd.uow(), spec)
    for start in range(0, tickets, BATCH):
        with fd.uow() as uow:
            contract = uow.contracts.get("9001")
            for i in range(start, min(start + BATCH, tickets)):
                key = f"bench:{i}"
                case = Case("phone", key, OPENED, contract, "P2", "en", idempotency_key=key)
                submit_case(uow, fd.book, case)
            uow.commit()
    with fd.engine.begin() as connection:
        connection.execute(update(orm.outbox).values(status="cancelled"))
    fd.dispose()


def make_due(url: str, ahead: float = 0.0) -> dict[str, float]:
    """Leave only each ticket's first escalation, due ``ahead`` seconds from now (all at the
    same instant): the due instant (epoch seconds) of every delivery id left pending."""
    fd = bootstrap(load_settings({"DATABASE_URL": url}))
    o = orm.outbox
    now = datetime.now(UTC) + timedelta(seconds=ahead)
    with fd.engine.begin() as connection:
        first = (
            "SELECT id FROM (SELECT id, rank() OVER (PARTITION BY ticket_id ORDER BY due_at) AS r"
            " FROM outbox WHERE kind = 'escalation_due') AS ladder WHERE r = 1"
        )
        keep = [row.id for row in connection.exec_driver_sql(first)]
        for part in range(0, len(keep), 5000):
            chosen = o.c.id.in_(keep[part : part + 5000])
            fresh = {"status": "pending", "due_at": now, "lease_until": None, "attempts": 0}
            connection.execute(update(o).where(chosen).values(**fresh))
        rows = connection.execute(o.select().where(o.c.status == "pending"))
        due = {row.delivery_id: row.due_at.timestamp() for row in rows}
    fd.dispose()
    return due


def run_workers(url: str, port: int, workers: int, sink: Sink) -> tuple[dict[str, float], float]:
    """Start the workers, wait until they poll, plan the backlog to fall due a few seconds
    later (as escalations are planned ahead: the workers wake at that instant, not at their
    next poll), wait until the sink has every notification: the due instants and the seconds
    from due to the last one accepted."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "FRONTDOOR_SMTP_HOST": "127.0.0.1",
        "FRONTDOOR_SMTP_PORT": str(port),
        "FRONTDOOR_SMTP_STARTTLS": "0",
        "FRONTDOOR_WORKER_POLL_SECONDS": "1",
        "PUBLIC_BASE_URL": "https://frontdoor.example.com",
    }
    frontdoor = str(Path(sys.executable).with_name("frontdoor"))
    procs = [
        subprocess.Popen([frontdoor, "worker"], env=env, stderr=subprocess.PIPE, text=True)
        for _ in range(workers)
    ]
    try:
        for proc in procs:  # each says so once it has bootstrapped and starts polling
            assert proc.stderr is not None
            while "sending notifications" not in (line := proc.stderr.readline()):
                if not line:  # it ended (its error is above)
                    raise SystemExit(f"a worker exited with {proc.wait()} before polling")
        time.sleep(1.5)
        due = make_due(url, ahead=DUE_AHEAD_SECONDS)
        start = min(due.values(), default=time.time())
        deadline = time.time() + max(300.0, len(due) / 20)
        while time.time() < deadline and not due.keys() <= sink.accepted.keys():
            time.sleep(0.2)
        last = max((sink.accepted[k] for k in due if k in sink.accepted), default=start)
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=60)
    return due, last - start


def floor_rate(port: int, messages: int, size: int) -> float:
    """E-mails per second one plain smtplib connection gets from the same sink."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@example.com", "b@example.com", "floor"
    message.set_content("x" * size)
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for _ in range(messages):
            smtp.send_message(message)
    return messages / (time.perf_counter() - start)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    server = os.environ.get("FRONTDOOR_TEST_POSTGRES_URL", "").strip()
    if not server:
        sys.exit("set FRONTDOOR_TEST_POSTGRES_URL (scripts/postgres-up.sh prints one)")
    load = os.getloadavg()
    with postgres_database(server) as url, smtp_sink() as (sink, port):
        upgrade(url)
        t0 = time.perf_counter()
        seed(url, args.tickets)
        seeded = time.perf_counter() - t0
        due, wall = run_workers(url, port, args.workers, sink)
        lags = [sink.accepted[k] - due[k] for k in due if k in sink.accepted]
        emails = sink.emails
        floor = floor_rate(port, min(2000, len(due)), 1500)
    rate = len(lags) / wall if wall else 0.0
    print(
        json.dumps(
            {
                "tickets": args.tickets,
                "workers": args.workers,
                "emails_due": len(due),
                "emails_accepted": len(lags),
                "emails_sent": emails,
                "seed_seconds": round(seeded, 1),
                "wall_seconds": round(wall, 1),
                "emails_per_second": round(emails / wall, 1) if wall else 0.0,
                "notifications_per_second": round(rate, 1),
                "lag_seconds": {
                    "p50": round(percentile(lags, 0.50), 2),
                    "p99": round(percentile(lags, 0.99), 2),
                    "max": round(max(lags), 2),
                    "mean": round(statistics.fmean(lags), 2),
                }
                if lags
                else None,
                "target_p99_seconds": 5,
                "floor_plain_smtplib_per_second": round(floor, 1),
                "ratio_to_floor": round(rate / floor, 3) if floor else None,
                "machine": {
                    "load_average_before": [round(x, 2) for x in load],
                    "cpu": _cpu(),
                    "cores": os.cpu_count(),
                    "python": platform.python_version(),
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
