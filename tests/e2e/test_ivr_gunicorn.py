"""The IVR under gunicorn with two workers on PostgreSQL: calls whose consecutive steps land on
different workers complete correctly (state by CallSid in the database, issue #3).

Every answer names the worker process that gave it (``X-Frontdoor-Worker``, on only when
``FRONTDOOR_WORKER_HEADER=1`` outside production), so the test sees where each step ran.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select

from core.adapters.orm import tickets, transcripts, turns
from core.bootstrap import Frontdoor
from core.demo import load_demo
from phonesim import CallResult, CallSimulator, HttpTransport, scripted
from phonesim.demo_calls import DemoCall, demo_calls
from web.app import WORKER_HEADER

from .conftest import DEMO_TODAY, DESK, ON_CALL
from .gunicorn_server import Gunicorn
from .twilio_client import PUBLIC_BASE_URL, TOKEN

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
ROUNDS = 5  # rounds of calls at most, until enough calls were split over both workers


@pytest.fixture
def gunicorn(postgres_frontdoor: Frontdoor, tmp_path: Path) -> Iterator[Gunicorn]:
    """Two gunicorn workers on a fresh PostgreSQL schema with the demo data; stopped at the end
    whatever happens."""
    load_demo(postgres_frontdoor.uow(), DEMO_TODAY)
    env = {
        "DATABASE_URL": postgres_frontdoor.settings.database_url,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "SECRET_KEY": "gunicorn-test-secret",
        "FRONTDOOR_ENV": "development",  # simulated time is refused in production
        "FRONTDOOR_IVR_SIMULATED_TIME": "1",
        "FRONTDOOR_WORKER_HEADER": "1",
        "FRONTDOOR_IVR_DESK_NUMBER": DESK,
        "FRONTDOOR_ONCALL_NUMBERS": ",".join(ON_CALL),
    }
    server = Gunicorn(env, tmp_path / "gunicorn.log", workers=2)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def play(server: Gunicorn, call: DemoCall) -> CallResult:
    simulator = CallSimulator(
        HttpTransport(server.url),
        auth_token=TOKEN,
        public_base_url=PUBLIC_BASE_URL,
        caller=scripted(call.answers),
        output=None,
    )
    return simulator.call(call.to, call.from_, at=call.at, status_callback="/ivr/status")


def workers_of(result: CallResult) -> set[str]:
    return {
        value
        for request in result.requests
        for name, value in request.headers.items()
        if name.lower() == WORKER_HEADER.lower()
    }


def check_completed(fd: Frontdoor, call: DemoCall, result: CallResult) -> None:
    """The call went as scripted: every step 200, its ticket, outcome and transcript stored."""
    assert (result.ended, result.error) == ("hangup", None), call.name
    assert [r.status for r in result.requests] == [200] * len(result.requests)
    assert [p.removeprefix("/ivr/") for p in result.paths] == [*call.paths, "status"]
    with fd.engine.connect() as db:
        ticket = db.execute(
            select(tickets).where(tickets.c.idempotency_key == f"phone:{result.call_sid}")
        ).one()
        transcript = db.execute(
            select(transcripts).where(transcripts.c.conversation_id == result.call_sid)
        ).one()
        rows = db.execute(
            select(turns.c.speaker, turns.c.text)
            .where(turns.c.transcript_id == transcript.id)
            .order_by(turns.c.at, turns.c.id)
        ).all()
    lines = [row.text for row in rows]
    assert ticket.priority == call.priority
    assert (transcript.outcome, transcript.reason) == call.outcome
    assert any(line.startswith("call to ") for line in lines)
    assert any(f"ticket {ticket.number} opened" in line for line in lines)
    keys = [e for e in result.events if e.kind in ("keys", "silence")]
    assert len([row for row in rows if row.speaker == "caller"]) == len(keys)  # every step
    assert lines[-2] == "call status: completed"
    assert lines[-1].startswith("ended in the phone tree: ")  # ivr/abandonment.py
    assert set(result.said[-2:]) <= set(lines)  # what the caller heard last is on record


def test_calls_whose_steps_land_on_different_workers_complete(
    gunicorn: Gunicorn, postgres_frontdoor: Frontdoor
) -> None:
    """Concurrent scripted calls: both workers answer steps of the same calls, and every call
    opens its ticket and keeps a complete transcript."""
    calls = demo_calls(DEMO_TODAY)
    split: list[CallResult] = []
    seen: set[str] = set()
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        for _ in range(ROUNDS):
            results = pool.map(lambda c: play(gunicorn, c), calls)
            for call, result in zip(calls, results, strict=True):
                check_completed(postgres_frontdoor, call, result)
                seen |= workers_of(result)
                if len(workers_of(result)) == 2:
                    split.append(result)
            if len(split) >= 2:
                break
    assert len(seen) == 2, gunicorn.output()
    assert len(split) >= 2, "no call had its steps answered by both workers"
