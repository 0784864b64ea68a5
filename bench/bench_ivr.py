"""Load benchmark of the IVR: concurrent signed calls against gunicorn, webhook latency.

Run: ``.venv/bin/python bench/bench_ivr.py`` (PostgreSQL from ``FRONTDOOR_TEST_POSTGRES_URL``,
else ``scripts/postgres-up.sh``; ``--database sqlite`` or ``both`` to compare). It creates a
fresh database (a schema of its own on PostgreSQL, dropped at the end) with the demo data,
starts ``gunicorn -w WORKERS 'web:create_app()'`` on a loopback port, and plays ``--calls``
complete calls, ``--concurrency`` of them at a time, through ``phonesim`` with valid
``X-Twilio-Signature``: registered and unknown callers in office hours (voice → language →
identify → role → menu → priority → ticket → ``<Dial>`` → dial status) and out-of-hours
voicemails (voice → voicemail → ``<Record>`` → recorded), each followed by the status callback.
A caller listens before answering (``--think`` seconds on average between the steps of a call,
0 for a stress run), as on a real line. Latency is the client's wall time of each webhook
request. Errors are non-2xx answers and answers that are not TwiML. Every call must end as
scripted, with its ticket and transcript outcome in the database.

Prints one JSON object per database; the README's "Phone (Twilio)" section records the figures.
Bounded: ``--calls`` calls, ``--time-limit`` seconds, loopback only; gunicorn is stopped at the
end, also on failure or Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's code, also when another one is installed

from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from core.adapters.db import make_engine, upgrade  # noqa: E402
from core.adapters.orm import tickets, transcripts  # noqa: E402
from core.bootstrap import bootstrap  # noqa: E402
from core.demo import load_demo  # noqa: E402
from core.settings import load_settings  # noqa: E402
from phonesim import (  # noqa: E402
    CallSimulator,
    HttpTransport,
    Reply,
    TwimlError,
    parse_twiml,
    scripted,
)
from phonesim.demo_calls import DemoCall, demo_calls  # noqa: E402

DEMO_TODAY = date(2026, 11, 23)
TOKEN = "bench-auth-token"
PUBLIC_BASE_URL = "https://ivr.bench.example"


# --------------------------------------------------------------------------------------------
# databases and the server


def _postgres_server() -> str:
    url = os.environ.get("FRONTDOOR_TEST_POSTGRES_URL", "").strip()
    if url:
        return url
    script = ROOT / "scripts" / "postgres-up.sh"
    return subprocess.run([str(script)], check=True, capture_output=True, text=True).stdout.strip()


@contextmanager
def database(kind: str) -> Iterator[str]:
    """A fresh migrated database with the demo data: a PostgreSQL schema or a SQLite file."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bench-ivr-") as folder:
            url = f"sqlite:///{folder}/frontdoor.sqlite3"
            _prepare(url)
            yield url
        return
    server = _postgres_server()
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        text = url.render_as_string(hide_password=False)
        _prepare(text)
        yield text
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def _prepare(url: str) -> None:
    upgrade(url)
    fd = bootstrap(load_settings({"DATABASE_URL": url}))
    try:
        load_demo(fd.uow(), DEMO_TODAY)
    finally:
        fd.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    url: str
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the gunicorn workers."""
        ticks = os.sysconf("SC_CLK_TCK")
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
        total = 0
        for child in children:
            try:
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks


@contextmanager
def gunicorn(url: str, workers: int, log: Path) -> Iterator[Server]:
    """gunicorn on a loopback port, ready (``/healthz`` answers); stopped on the way out."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "SECRET_KEY": "bench-secret",
        "FRONTDOOR_ENV": "development",  # simulated time is refused in production
        "FRONTDOOR_IVR_SIMULATED_TIME": "1",
        "FRONTDOOR_IVR_DESK_NUMBER": "+390500000000",
        "FRONTDOOR_ONCALL_NUMBERS": "+390511111111,+390522222222",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--backlog",
        "256",
        "--graceful-timeout",
        "5",
        "web:create_app()",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn not ready:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield Server(base, process.pid)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


# --------------------------------------------------------------------------------------------
# the load


@dataclass
class Sample:
    path: str
    seconds: float
    ok: bool


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


def _is_twiml(reply: Reply) -> bool:
    if not 200 <= reply.status < 300:
        return False
    if reply.content_type not in ("text/xml", "application/xml"):
        return False
    try:
        parse_twiml(reply.body)
    except TwimlError:
        return False
    return True


class TimedTransport:
    """HTTP to gunicorn, timing each request; the caller listens before each answer."""

    def __init__(self, base_url: str, recorder: Recorder, think: float, rng: random.Random):
        self.http = HttpTransport(base_url, timeout=30)
        self.recorder, self.think, self.rng = recorder, think, rng
        self.first = True

    def send(
        self, method: str, url: str, form: Mapping[str, str], headers: Mapping[str, str]
    ) -> Reply:
        if self.think and not self.first:
            time.sleep(self.rng.uniform(0.5, 1.5) * self.think)
        self.first = False
        start = time.perf_counter()
        reply = self.http.send(method, url, form, headers)
        elapsed = time.perf_counter() - start
        path = url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
        self.recorder.add(Sample("/" + path, elapsed, _is_twiml(reply)))
        return reply


def play(base: str, call: DemoCall, recorder: Recorder, think: float, seed: int) -> bool:
    """One complete call; True when it ended as scripted."""
    rng = random.Random(seed)
    if think:
        time.sleep(rng.uniform(0, think))  # calls do not all ring in the same millisecond
    simulator = CallSimulator(
        TimedTransport(base, recorder, think, rng),
        auth_token=TOKEN,
        public_base_url=PUBLIC_BASE_URL,
        caller=scripted(call.answers),
        output=None,
    )
    try:
        result = simulator.call(call.to, call.from_, at=call.at, status_callback="/ivr/status")
    except Exception:  # a broken call is counted, the others go on
        return False
    paths = [p.removeprefix("/ivr/") for p in result.paths]
    return result.ended == "hangup" and result.error is None and paths == [*call.paths, "status"]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def run(kind: str, args: argparse.Namespace) -> dict[str, object]:
    # the Platinum on-call call is left out: its PIN check (argon2) is slow on purpose
    kinds = [c for c in demo_calls(DEMO_TODAY) if c.outcome[0] != "on_call"]
    calls = [kinds[i % len(kinds)] for i in range(args.calls)]
    recorder = Recorder()
    with database(kind) as url, tempfile.TemporaryDirectory() as folder:
        with gunicorn(url, args.workers, Path(folder) / "gunicorn.log") as server:
            base, cpu_before, load_before = server.url, server.cpu_seconds(), os.getloadavg()[0]
            client_before = time.process_time()
            start = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
                futures = [
                    pool.submit(play, base, call, recorder, args.think, i)
                    for i, call in enumerate(calls)
                ]
                done = [f.result(timeout=args.time_limit) for f in futures]
            wall = time.perf_counter() - start
            cpu = server.cpu_seconds() - cpu_before
            client_cpu = time.process_time() - client_before
            load_after = os.getloadavg()[0]
        engine = make_engine(url)
        with engine.connect() as db:
            stored = db.scalar(select(func.count()).select_from(tickets))
            ended = db.scalar(
                select(func.count())
                .select_from(transcripts)
                .where(transcripts.c.outcome.is_not(None))
            )
        engine.dispose()
    ms = [s.seconds * 1000 for s in recorder.samples]
    slowest: dict[str, float] = {}
    for sample in recorder.samples:
        slowest[sample.path] = max(slowest.get(sample.path, 0.0), sample.seconds * 1000)
    return {
        "database": kind,
        "gunicorn_workers": args.workers,
        "calls": len(calls),
        "concurrent_calls": min(args.concurrency, len(calls)),
        "think_seconds": args.think,
        "calls_completed": sum(done),
        "tickets_stored": stored,
        "transcripts_with_outcome": ended,
        "requests": len(ms),
        "errors": sum(not s.ok for s in recorder.samples),
        "latency_ms": {
            "p50": round(_percentile(ms, 50), 1),
            "p95": round(_percentile(ms, 95), 1),
            "p99": round(_percentile(ms, 99), 1),
            "max": round(max(ms), 1),
            "mean": round(statistics.fmean(ms), 1),
        },
        "max_ms_by_path": {path: round(value, 1) for path, value in sorted(slowest.items())},
        "cpu_ms_per_request": {
            "gunicorn_workers": round(cpu * 1000 / max(1, len(ms)), 2),
            "benchmark_client": round(client_cpu * 1000 / max(1, len(ms)), 2),
        },
        "load_average_1min": [round(load_before, 1), round(load_after, 1)],
        "wall_seconds": round(wall, 2),
        "requests_per_second": round(len(ms) / wall, 1),
    }


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=100, help="complete calls to play")
    parser.add_argument("--concurrency", type=int, default=100, help="calls in progress at once")
    parser.add_argument("--workers", type=int, default=2 * cores + 1, help="gunicorn workers")
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between steps")
    parser.add_argument(
        "--database", choices=("postgres", "sqlite", "both"), default="postgres", help="backend"
    )
    parser.add_argument("--time-limit", type=float, default=300, help="seconds, at most")
    args = parser.parse_args()
    if not 1 <= args.calls <= 10_000 or not 1 <= args.concurrency <= 500:
        parser.error("--calls 1..10000, --concurrency 1..500")
    machine = {
        "cpu": _cpu(),
        "cores": cores,
        "python": platform.python_version(),
    }
    kinds = ("postgres", "sqlite") if args.database == "both" else (args.database,)
    for kind in kinds:
        print(json.dumps({"machine": machine, **run(kind, args)}, indent=2))


if __name__ == "__main__":
    main()
