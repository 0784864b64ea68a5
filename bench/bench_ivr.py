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

The floor, in the same run: right after the real app, the same gunicorn command (workers, bind,
backlog, ``gunicorn.conf.py``) serves ``bench/ivr_floor_app.py``, a minimal Flask app answering
every path with a constant TwiML document (no signature check, no database), and the same client
replays the real run's requests to it: the same calls, paths, forms and headers, the same
concurrency and the same think times (same seeds). The ratio is the real p99 over the floor's;
the target is a ratio of at most 2.5 (issue 15). ``--no-floor`` skips it.

Prints one JSON object per database; the README's "Phone (Twilio)" section records the figures.
Bounded: ``--calls`` calls, ``--time-limit`` seconds, loopback only; gunicorn is stopped at the
end, also on failure or Ctrl-C.
"""

from __future__ import annotations

import argparse
import functools
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
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's code, also when another one is installed

from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.common import latency_ms, percentile, postgres_server, prepare_demo  # noqa: E402
from core.adapters.db import make_engine  # noqa: E402
from core.adapters.orm import tickets, transcripts  # noqa: E402
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


@contextmanager
def database(kind: str) -> Iterator[str]:
    """A fresh migrated database with the demo data: a PostgreSQL schema or a SQLite file."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bench-ivr-") as folder:
            url = f"sqlite:///{folder}/frontdoor.sqlite3"
            prepare_demo(url, DEMO_TODAY)
            yield url
        return
    server = postgres_server()
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        text = url.render_as_string(hide_password=False)
        prepare_demo(text, DEMO_TODAY)
        yield text
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


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


REAL_APP = "web:create_app()"
FLOOR_APP = "bench.ivr_floor_app:create_app()"
FLOOR_TARGET = 2.5  # real p99 at most 2.5 x the floor's (issue 15)


@contextmanager
def gunicorn(url: str, workers: int, log: Path, app: str = REAL_APP) -> Iterator[Server]:
    """gunicorn on a loopback port, ready (``/healthz`` answers); stopped on the way out.

    The real app and the floor are started by the same command; only ``app`` differs."""
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
        app,
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


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    form: dict[str, str]
    headers: dict[str, str]


class TimedTransport:
    """HTTP to gunicorn, timing each request; the caller listens before each answer.

    With ``log``, each request sent is appended to it (to be replayed to the floor)."""

    def __init__(
        self,
        base_url: str,
        recorder: Recorder,
        think: float,
        rng: random.Random,
        log: list[Request] | None = None,
    ):
        self.http = HttpTransport(base_url, timeout=30)
        self.recorder, self.think, self.rng, self.log = recorder, think, rng, log
        self.first = True

    def send(
        self, method: str, url: str, form: Mapping[str, str], headers: Mapping[str, str]
    ) -> Reply:
        if self.think and not self.first:
            time.sleep(self.rng.uniform(0.5, 1.5) * self.think)
        self.first = False
        if self.log is not None:
            self.log.append(Request(method, url, dict(form), dict(headers)))
        start = time.perf_counter()
        reply = self.http.send(method, url, form, headers)
        elapsed = time.perf_counter() - start
        path = url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
        self.recorder.add(Sample("/" + path, elapsed, _is_twiml(reply)))
        return reply


def play(
    base: str, call: DemoCall, recorder: Recorder, think: float, seed: int, log: list[Request]
) -> bool:
    """One complete call; True when it ended as scripted. Its requests are appended to ``log``."""
    rng = random.Random(seed)
    if think:
        time.sleep(rng.uniform(0, think))  # calls do not all ring in the same millisecond
    simulator = CallSimulator(
        TimedTransport(base, recorder, think, rng, log),
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


def replay(base: str, requests: list[Request], recorder: Recorder, think: float, seed: int) -> bool:
    """A recorded call replayed to the floor: the same requests, the same pauses (same seed)."""
    rng = random.Random(seed)
    if think:
        time.sleep(rng.uniform(0, think))
    transport = TimedTransport(base, recorder, think, rng)
    for request in requests:
        reply = transport.send(request.method, request.url, request.form, request.headers)
        if not _is_twiml(reply):
            return False
    return True


def _latency(samples: list[Sample]) -> dict[str, float]:
    seconds = [s.seconds for s in samples]
    return {**latency_ms(seconds), "mean": round(statistics.fmean(seconds) * 1000, 1)}


@dataclass
class Load:
    """What one pass of the load measured."""

    recorder: Recorder
    done: list[bool]
    wall: float
    worker_cpu: float
    client_cpu: float
    load_average: tuple[float, float]

    def figures(self) -> dict[str, object]:
        samples = self.recorder.samples
        n = max(1, len(samples))
        return {
            "requests": len(samples),
            "errors": sum(not s.ok for s in samples),
            "latency_ms": _latency(samples),
            "cpu_ms_per_request": {
                "gunicorn_workers": round(self.worker_cpu * 1000 / n, 2),
                "benchmark_client": round(self.client_cpu * 1000 / n, 2),
            },
            "load_average_1min": [round(v, 1) for v in self.load_average],
            "wall_seconds": round(self.wall, 2),
            "requests_per_second": round(len(samples) / self.wall, 1),
        }


def _load(
    server: Server, args: argparse.Namespace, recorder: Recorder, jobs: list[Callable[[], bool]]
) -> Load:
    """The jobs (one call each, timing into ``recorder``), ``--concurrency`` at a time."""
    cpu_before, load_before = server.cpu_seconds(), os.getloadavg()[0]
    client_before = time.process_time()
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        futures = [pool.submit(job) for job in jobs]
        done = [f.result(timeout=args.time_limit) for f in futures]
    wall = time.perf_counter() - start
    return Load(
        recorder,
        done,
        wall,
        server.cpu_seconds() - cpu_before,
        time.process_time() - client_before,
        (load_before, os.getloadavg()[0]),
    )


def run(kind: str, args: argparse.Namespace) -> dict[str, object]:
    # the Platinum on-call call is left out: its PIN check (argon2) is slow on purpose
    kinds = [c for c in demo_calls(DEMO_TODAY) if c.outcome[0] != "on_call"]
    calls = [kinds[i % len(kinds)] for i in range(args.calls)]
    recorder = Recorder()
    logs: list[list[Request]] = [[] for _ in calls]
    with database(kind) as url, tempfile.TemporaryDirectory() as folder:
        with gunicorn(url, args.workers, Path(folder) / "gunicorn.log") as server:
            jobs = [
                functools.partial(play, server.url, call, recorder, args.think, i, logs[i])
                for i, call in enumerate(calls)
            ]
            real = _load(server, args, recorder, jobs)
        engine = make_engine(url)
        with engine.connect() as db:
            stored = db.scalar(select(func.count()).select_from(tickets))
            ended = db.scalar(
                select(func.count())
                .select_from(transcripts)
                .where(transcripts.c.outcome.is_not(None))
            )
        engine.dispose()
        floor: Load | None = None
        if args.floor:
            floor_recorder = Recorder()
            log = Path(folder) / "gunicorn-floor.log"
            with gunicorn(url, args.workers, log, app=FLOOR_APP) as server:
                jobs = [
                    functools.partial(replay, server.url, requests, floor_recorder, args.think, i)
                    for i, requests in enumerate(logs)
                ]
                floor = _load(server, args, floor_recorder, jobs)
    slowest: dict[str, float] = {}
    for sample in recorder.samples:
        slowest[sample.path] = max(slowest.get(sample.path, 0.0), sample.seconds * 1000)
    result: dict[str, object] = {
        "database": kind,
        "gunicorn_workers": args.workers,
        "calls": len(calls),
        "concurrent_calls": min(args.concurrency, len(calls)),
        "think_seconds": args.think,
        "calls_completed": sum(real.done),
        "tickets_stored": stored,
        "transcripts_with_outcome": ended,
        **real.figures(),
        "max_ms_by_path": {path: round(value, 1) for path, value in sorted(slowest.items())},
    }
    if floor is not None:
        real_p99 = percentile([x.seconds * 1000 for x in recorder.samples], 99)
        floor_p99 = percentile([x.seconds * 1000 for x in floor.recorder.samples], 99)
        ratio = real_p99 / floor_p99
        result["floor"] = {
            "app": FLOOR_APP,
            "calls_replayed": sum(floor.done),
            **floor.figures(),
        }
        result["p99_vs_floor"] = {
            "real_ms": round(real_p99, 1),
            "floor_ms": round(floor_p99, 1),
            "ratio": round(ratio, 2),
            "target": f"ratio <= {FLOOR_TARGET}",
            "met": ratio <= FLOOR_TARGET,
        }
    return result


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
    parser.add_argument(
        "--no-floor",
        dest="floor",
        action="store_false",
        help="skip the floor (constant TwiML, bench/ivr_floor_app.py) and the ratio",
    )
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
