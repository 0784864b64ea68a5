"""The worker as a process: ``frontdoor worker`` stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from core.adapters import orm
from core.adapters.db import upgrade
from core.bootstrap import Frontdoor
from core.services import Case, submit_case

from .helpers import add_contract, iso

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
        assert "sending notifications (email) from SQLite" in process.stderr.readline()
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


class _SlowSink:
    """An SMTP server that takes 0.1 s per message and keeps (delivery id, Message-ID)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str]] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        await asyncio.sleep(0.1)
        headers = BytesHeaderParser().parsebytes(bytes(envelope.original_content))
        self.received.append((str(headers["X-Frontdoor-Delivery-Id"]), str(headers["Message-ID"])))
        return "250 accepted"


def _worker(env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", "from cli.main import main; main()", "worker"],
        env=env,
        cwd=cwd,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _until(condition: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_worker_killed_during_delivery_loses_nothing_and_repeats_only_delivery_ids(
    frontdoor: Frontdoor, tmp_path: Path
) -> None:
    """SIGKILL while e-mails go out, then a new worker: every notification arrives; a message
    sent twice carries the same delivery id and Message-ID, so the receiver can drop it."""
    add_contract(frontdoor)
    with frontdoor.uow() as uow:
        contract = uow.contracts.get("2001")
        for i in range(8):
            key = f"phone:CA-kill-{i}"
            case = Case("phone", key, iso("2026-11-23T10:00:00+01:00"), contract, "P2", "en")
            submit_case(uow, frontdoor.book, replace(case, idempotency_key=key))
        uow.commit()
    now = datetime.now(UTC)
    with frontdoor.engine.begin() as connection:  # the whole backlog due now
        connection.execute(update(orm.outbox).values(status="pending", due_at=now))
        due = {row.delivery_id for row in connection.execute(select(orm.outbox.c.delivery_id))}
    sink = _SlowSink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    env = {
        **os.environ,
        "DATABASE_URL": frontdoor.settings.database_url,
        "FRONTDOOR_SMTP_HOST": "127.0.0.1",
        "FRONTDOOR_SMTP_PORT": str(port),
        "FRONTDOOR_SMTP_STARTTLS": "0",
        "FRONTDOOR_WORKER_POLL_SECONDS": "0.2",
        "FRONTDOOR_OUTBOX_LEASE_SECONDS": "2",
        "FRONTDOOR_OUTBOX_BATCH": "10",
        "PYTHONPATH": str(ROOT),
    }
    first = _worker(env, tmp_path)
    try:
        _until(lambda: len(sink.received) >= 3, 60)
        first.send_signal(signal.SIGKILL)  # mid-batch: claimed rows are leased, not recorded
        first.wait(timeout=10)
        assert len({i for i, _ in sink.received}) < len(due)
        second = _worker(env, tmp_path)
        try:
            _until(lambda: {i for i, _ in sink.received} >= due, 120)
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
        controller.stop()
    ids = {i for i, _ in sink.received}
    assert ids == due
    by_id: dict[str, set[str]] = {}
    for delivery_id, message_id in sink.received:
        by_id.setdefault(delivery_id, set()).add(message_id)
    assert all(len(message_ids) == 1 for message_ids in by_id.values())
    with frontdoor.uow() as uow:
        statuses = {
            row.status
            for row in uow.session.execute(select(orm.outbox.c.status))  # type: ignore[attr-defined]
        }
    assert statuses == {"sent"}
