"""Benchmark of the staff console's conversations page with 100,000 conversations, on SQLite
and PostgreSQL: p50/p95 of the whole request (routing, session, query, template) through the
Flask app in-process, without and with filters. Target: p95 under 200 ms.

Run: ``.venv/bin/python bench/bench_console.py [--conversations 100000] [--requests 40]``.
PostgreSQL comes from ``FRONTDOOR_TEST_POSTGRES_URL`` (``scripts/postgres-up.sh`` prints one;
the benchmark works in a schema of its own and drops it). Conversations are bulk-inserted with
SQLAlchemy core ``executemany`` (4 turns each), seeded random: channels, theatres, languages,
outcomes, 40 contracts, spread over one year. Prints one JSON object; the README records it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import insert, select
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_core import _cpu
from core.adapters import orm
from core.adapters.db import make_engine, upgrade
from core.bootstrap import Frontdoor, bootstrap
from core.services import ContactSpec, ContractSpec, add_staff, upsert_contract
from core.settings import load_settings
from web import create_app

START = datetime(2025, 6, 1, tzinfo=UTC)
THEATRES = ("europe", "americas", "middle_east")
LANGUAGES = ("en", "it", "de", "fr", "es", "pt", "ar")
OUTCOMES = (
    ("open_ticket", "ok"),
    ("refuse", "expired"),
    ("refuse", "unknown_contract"),
    ("on_call", "ok"),
    ("abandoned", None),
    ("handed_off", "asked_for_agent"),
)
PHRASES = "server down|cannot log in|the queue is slow|calls drop|licence renewal|urgent problem"
WORDS = PHRASES.replace("|", " ").split(" ")
RARE = "zeppelin"  # in about 1 conversation of 1,000
PASSWORD = "benchmark password"
HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def seed(fd: Frontdoor, n: int, rng: random.Random) -> None:
    """40 contracts through the core services, then ``n`` conversations in bulk."""
    with fd.uow() as uow:
        for k in range(40):
            theatre = THEATRES[k % 3]
            upsert_contract(uow, _contract(str(5000 + k), theatre))
        uow.commit()
    with fd.engine.begin() as connection:
        ids = list(connection.execute(select(orm.contracts.c.id)).scalars())
    add_staff(
        fd.uow(),
        email="bench@example.com",
        role="agent",
        password=PASSWORD,
        at=START,
        hasher=HASHER,
    )
    chunk = 10_000
    with fd.engine.begin() as connection:
        for first in range(0, n, chunk):
            rows, turns = _rows(first, min(chunk, n - first), ids, rng)
            connection.execute(insert(orm.transcripts), rows)
            connection.execute(insert(orm.turns), turns)
    with fd.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")


def _contract(code: str, theatre: str) -> ContractSpec:
    zone = {"europe": "Europe/Rome", "americas": "America/New_York"}.get(theatre, "Asia/Dubai")
    week = "sun-thu" if theatre == "middle_east" else "mon-fri"
    return ContractSpec(
        code=code,
        customer=f"Customer {code}",
        plan="gold",
        licence="subscription",
        theatre=theatre,
        week=week,
        starts=date(2025, 1, 1),
        ends=date(2027, 12, 31),
        timezone=zone,
        products=("UCX Platform",),
        contacts=(ContactSpec(name="Admin", phone=f"+3905840{code}"),),
    )


def _rows(first: int, count: int, contract_ids: list[int], rng: random.Random) -> Any:
    rows, turns = [], []
    for i in range(first, first + count):
        started = START + timedelta(seconds=rng.randrange(365 * 86400))
        outcome, reason = rng.choice(OUTCOMES)
        rows.append(
            {
                "id": i + 1,
                "channel": rng.choice(("phone", "chat")),
                "conversation_id": f"c{i}",
                "started_at": started,
                "theatre": rng.choice(THEATRES),
                "language": rng.choice(LANGUAGES),
                "contract_id": rng.choice(contract_ids),
                "caller": f"+3905840{i:06d}",
                "outcome": outcome,
                "reason": reason,
            }
        )
        for k in range(4):
            words = rng.choices(WORDS, k=8)
            if k == 0 and rng.random() < 0.001:
                words.append(RARE)
            turns.append(
                {
                    "transcript_id": i + 1,
                    "speaker": ("customer", "bot")[k % 2],
                    "text": " ".join(words),
                    "at": started + timedelta(seconds=k * 5),
                    "kind": "say",
                    "reason": None,
                }
            )
    return rows, turns


CASES = {
    "no filter": "",
    "page 2 (keyset)": "NEXT",
    "channel=chat": "channel=chat",
    "theatre+language": "theatre=americas&language=es",
    "outcome+reason": "outcome=refuse&reason=expired",
    "customer code": "customer=5007",
    "date range (1 week)": "since=2025-09-01&until=2025-09-07",
    "all filters": "channel=phone&theatre=europe&outcome=open_ticket"
    "&since=2025-07-01&until=2025-12-31",
    f"search rare word ({RARE})": f"q={RARE}",
    "search common phrase": "q=queue+is+slow",
    "search + channel": "q=licence+renewal&channel=chat",
}


def measure(fd: Frontdoor, requests: int) -> dict[str, Any]:
    app = create_app({"TESTING": True, "SECRET_KEY": "bench"}, frontdoor=fd)
    client = app.test_client()
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/console/sign-in").get_data(as_text=True)
    )
    assert token is not None
    form = {"email": "bench@example.com", "password": PASSWORD, "csrf_token": token.group(1)}
    app.config["FRONTDOOR_PASSWORD_HASHER"] = HASHER
    assert client.post("/console/sign-in", data=form).status_code == 302
    first = client.get("/console/conversations").get_data(as_text=True)
    after = re.search(r'rel="next" href="([^"]+)"', first)
    assert after is not None
    results = {}
    for name, query in CASES.items():
        url = (
            after.group(1).replace("&amp;", "&")
            if query == "NEXT"
            else f"/console/conversations?{query}"
        )
        times = []
        for n in range(requests + 3):
            t0 = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - t0) * 1000
            assert response.status_code == 200
            if n >= 3:  # warm-up requests are not counted
                times.append(elapsed)
        rows = response.get_data(as_text=True).count('href="/console/conversations/')
        times.sort()
        results[name] = {
            "rows": rows,
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
        }
    return results


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{folder}/bench.sqlite3"


@contextmanager
def postgres_database(server: str) -> Iterator[str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(server)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def run(url: str, n: int, requests: int) -> dict[str, Any]:
    upgrade(url)
    fd = bootstrap(load_settings({"DATABASE_URL": url}))
    t0 = time.perf_counter()
    seed(fd, n, random.Random(5))
    seeded = time.perf_counter() - t0
    try:
        return {"seed_seconds": round(seeded, 1), "pages": measure(fd, requests)}
    finally:
        fd.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    result: dict[str, Any] = {
        "conversations": args.conversations,
        "turns_per_conversation": 4,
        "requests_per_case": args.requests,
        "cpu": _cpu(),
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
    }
    with sqlite_database() as url:
        result["sqlite"] = run(url, args.conversations, args.requests)
    server = os.environ.get("FRONTDOOR_TEST_POSTGRES_URL")
    if server and not args.skip_postgres:
        with postgres_database(server) as url:
            result["postgresql"] = run(url, args.conversations, args.requests)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
