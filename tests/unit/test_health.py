"""Readiness checks (core/health.py): side by side, bounded in time, one line per failure."""

from __future__ import annotations

import threading
import time

from core.health import Check, Readiness


def _ok() -> None:
    return None


def _down() -> None:
    raise ConnectionError("connection refused\n  a second line that is not shown")


def test_every_check_answering_is_ready_and_ok() -> None:
    report = Readiness([Check("database", _ok), Check("rasa", _ok, required=False)]).run()
    assert (report.ready, report.status) == (True, "ok")
    assert set(report.as_json()["checks"]) == {"database", "rasa"}


def test_an_optional_check_down_leaves_the_process_ready_but_degraded() -> None:
    report = Readiness([Check("database", _ok), Check("rasa", _down, required=False)]).run()
    assert (report.ready, report.status) == (True, "degraded")
    rasa = report.as_json()["checks"]["rasa"]
    assert rasa == {
        "ok": False,
        "required": False,
        "ms": rasa["ms"],
        "error": "ConnectionError: connection refused",
    }


def test_a_required_check_down_makes_the_process_unavailable() -> None:
    report = Readiness([Check("database", _down), Check("rasa", _ok, required=False)]).run()
    assert (report.ready, report.status) == (False, "unavailable")


def test_a_hanging_check_counts_as_down_after_the_timeout_and_others_still_answer() -> None:
    """A database that never answers: the report comes after about the timeout, not later."""
    release = threading.Event()
    checks = [Check("database", lambda: release.wait(5) and None), Check("redis", _ok)]
    started = time.monotonic()
    try:
        report = Readiness(checks, timeout=0.2).run()
    finally:
        release.set()
    assert time.monotonic() - started < 1.0
    database, redis = report.results
    assert (database.ok, database.error, redis.ok) == (False, "no answer in time", True)
    assert not report.ready
