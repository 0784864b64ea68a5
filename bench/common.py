"""What the load benchmarks share: the PostgreSQL server to use, a database brought to the
shipped migrations with the demo data, and latency percentiles."""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path

from core.adapters.db import upgrade
from core.bootstrap import bootstrap
from core.demo import load_demo
from core.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent


def postgres_server() -> str:
    """``FRONTDOOR_TEST_POSTGRES_URL``, or the server ``scripts/postgres-up.sh`` starts."""
    url = os.environ.get("FRONTDOOR_TEST_POSTGRES_URL", "").strip()
    if url:
        return url
    script = ROOT / "scripts" / "postgres-up.sh"
    return subprocess.run([str(script)], check=True, capture_output=True, text=True).stdout.strip()


def prepare_demo(url: str, today: date) -> None:
    """Migrate the (empty) database at ``url`` and load the demo contracts as of ``today``."""
    upgrade(url)
    fd = bootstrap(load_settings({"DATABASE_URL": url}))
    try:
        load_demo(fd.uow(), today)
    finally:
        fd.dispose()


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile (NaN of nothing)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def latency_ms(seconds: list[float]) -> dict[str, float]:
    """p50, p95, p99 and max of durations in seconds, in milliseconds."""
    ms = [s * 1000 for s in seconds]
    return {
        "p50": round(percentile(ms, 50), 1),
        "p95": round(percentile(ms, 95), 1),
        "p99": round(percentile(ms, 99), 1),
        "max": round(max(ms, default=float("nan")), 1),
    }
