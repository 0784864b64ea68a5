"""Benchmark of the scale-out topology (deploy/topology.py, docs/scale-out.md): chat turns/s and
IVR webhooks/s within the targets (chat p95 ≤ 150 ms, webhook p99 ≤ 50 ms), and the CPU each
process kind spends per request, with 1 and with 2 instances of each kind.

Run: ``.venv/bin/python bench/bench_topology.py [--instances 1,2] [--levels 1,2,4,8]
[--think 0.2] [--seconds 20] [--all-levels]`` (PostgreSQL from ``FRONTDOOR_TEST_POSTGRES_URL``,
else ``scripts/postgres-up.sh``; the chat model in models/, ``scripts/rasa-train.sh`` is run
first and does nothing when it is up to date). For each instance count it creates a database of
its own (dropped at the end), migrates it, loads the demo data, and starts the topology as
``python -m deploy`` does (haproxy, N web apps under gunicorn with 2 workers each, N Rasa
servers, N action servers, N outbox workers, Redis, the development mail sink), all on
loopback. Then it plays a closed-loop load through haproxy, one step per level L: L phone lines
playing the scripted demo calls (phonesim, signed webhooks; the Platinum on-call call is left
out, its PIN check is slow on purpose) and L Help Center visitors (demo sign-in, contracts 1013
and 1016) reporting a problem until the bot names its ticket, then starting again. Before each
webhook and each chat turn the caller or visitor pauses 0.5 to 1.5 times ``--think`` seconds
(0: no pauses, the heaviest load a level can give). Each step runs ``--warmup`` seconds, then
is measured for ``--seconds``: latency of every webhook and every ``POST /help/chat`` (client
wall time), throughput, errors (non-2xx answers, calls not ended as scripted, chats without a
ticket), and the CPU (utime + stime from /proc) of every process group of the topology, of the
PostgreSQL backends serving its database, of this client, and of the whole machine (the rest is
other people's load). The steps stop at the first level out of target (``--all-levels``: go
on); the last one within is the capacity.

On one machine every instance shares the same cores: a second instance of each kind does not
double the throughput there. The CPU per request of each kind is the figure that says what one
more machine buys. Prints one JSON object; docs/benchmarks.md ("Scale-out") records it.
Bounded (``--levels`` × (warmup + seconds), start-up up to 7 minutes), loopback only; the
topology is stopped and the database dropped at the end, also on failure or Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's code, also when another one is installed

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.common import latency_ms, postgres_server, prepare_demo  # noqa: E402
from core.adapters.db import make_engine  # noqa: E402
from deploy.topology import Topology, running  # noqa: E402
from phonesim import CallSimulator, HttpTransport, Reply, scripted  # noqa: E402
from phonesim.demo_calls import DemoCall, demo_calls  # noqa: E402
from tests.e2e.scale_traffic import ChatClient  # noqa: E402

DEMO_TODAY = date(2026, 11, 23)  # as the end-to-end tests: the demo contracts are valid then
DESK = "+390500000000"
ON_CALL = ("+390511111111", "+390522222222")
OPENING = "Hello, our digital fax has stopped sending any documents today"
CHAT_CONTRACTS = ("1013", "1016")  # Europe Gold and Platinum, English administrators
CHAT_P95_MS, WEBHOOK_P99_MS = 150.0, 50.0
TICKS = os.sysconf("SC_CLK_TCK")
NOTE = (
    "All instances share this machine's cores (and the client and PostgreSQL run on them too): "
    "a second instance of each kind cannot double the throughput here. The CPU per request of "
    "each process kind is what tells what one more machine buys."
)


# --------------------------------------------------------------------------------------------
# the database


@contextmanager
def database() -> Iterator[tuple[str, str]]:
    """A fresh database of its own (its backends are then ours to measure), migrated, with the
    demo data; its URL and name. Dropped on the way out."""
    server = make_url(postgres_server())
    name = f"bench_topology_{uuid.uuid4().hex[:10]}"
    admin = make_engine(server.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        prepare_demo(url, DEMO_TODAY)
        yield url, name
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


# --------------------------------------------------------------------------------------------
# CPU from /proc


def _stat(pid: int | str) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw.rsplit(")", 1)[1].split()  # fields from the state on (index 0 = field 3)


def _group_cpu() -> dict[int, float]:
    """CPU seconds (utime + stime, and those of reaped children) of every process group."""
    groups: dict[int, float] = defaultdict(float)
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(entry)) is not None:
            groups[int(fields[2])] += sum(int(f) for f in fields[11:15]) / TICKS
    return groups


def _pid_cpu(pids: list[int]) -> dict[int, float]:
    found: dict[int, float] = {}
    for pid in pids:
        if (fields := _stat(pid)) is not None:
            found[pid] = (int(fields[11]) + int(fields[12])) / TICKS
    return found


def _machine_busy() -> tuple[float, float]:
    """All CPUs' busy and total seconds since boot (/proc/stat), to see the others' load."""
    with open("/proc/stat", encoding="utf-8") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values) - idle) / TICKS, sum(values) / TICKS


@dataclass
class CpuMeter:
    """CPU of the topology's process groups by instance, and of its PostgreSQL backends."""

    topology: Topology
    database_name: str
    admin_url: str

    def groups(self) -> dict[str, int]:
        """Instance name -> process group id (each instance is started in a session of its
        own: a gunicorn master and its workers, a Rasa server and anything it forks)."""
        every = self.topology.every_process()  # haproxy and Redis are not members
        return {i.name: i.process.pid for i in every if i.process is not None}

    def backends(self) -> list[int]:
        engine = make_engine(self.admin_url)
        try:
            with engine.connect() as db:
                rows = db.execute(
                    text("SELECT pid FROM pg_stat_activity WHERE datname = :name"),
                    {"name": self.database_name},
                ).all()
        finally:
            engine.dispose()
        return [int(r.pid) for r in rows]

    def read(self) -> dict[str, Any]:
        by_group = _group_cpu()
        instances = {name: by_group.get(pgid, 0.0) for name, pgid in self.groups().items()}
        return {
            "instances": instances,
            "postgres": _pid_cpu(self.backends()),
            "client": time.process_time(),
            "machine": _machine_busy(),
        }


def _kind(name: str) -> str:
    return name.rstrip("0123456789")


def cpu_used(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """Seconds used between two readings, by instance, by kind, by the client and the rest."""
    instances = {
        name: after["instances"][name] - before["instances"].get(name, 0.0)
        for name in after["instances"]
    }
    by_kind: dict[str, float] = defaultdict(float)
    for name, seconds in instances.items():
        by_kind[_kind(name)] += seconds
    # a backend opened during the step counts from 0; one closed during it is lost (pools
    # keep theirs open: few are)
    by_kind["postgres"] = sum(
        seconds - before["postgres"].get(pid, 0.0) for pid, seconds in after["postgres"].items()
    )
    by_kind["client"] = after["client"] - before["client"]
    busy = after["machine"][0] - before["machine"][0]
    total = after["machine"][1] - before["machine"][1]
    return {
        "instances": instances,
        "kinds": dict(by_kind),
        "machine_busy": busy,
        "machine_capacity": total,
        "others": busy - sum(by_kind.values()),  # colleagues, PostgreSQL's background, ...
    }


# --------------------------------------------------------------------------------------------
# the load


@dataclass
class Sample:
    kind: str  # "webhook", "chat" (POST /help/chat) or "page" (Help Center pages, sign-in)
    start: float
    seconds: float
    ok: bool


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    calls: int = 0
    calls_failed: int = 0
    chats: int = 0
    chats_failed: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)

    def error(self, what: str) -> None:
        with self.lock:
            self.errors[what] += 1

    def count(self, **added: int) -> None:
        with self.lock:
            for name, n in added.items():
                setattr(self, name, getattr(self, name) + n)


def _pause(think: float) -> None:
    """A caller listening, a visitor reading: 0.5 to 1.5 times ``think`` seconds."""
    if think:
        time.sleep(random.uniform(0.5, 1.5) * think)


class TimedTransport(HttpTransport):
    """Twilio through haproxy, timing every webhook (no retry: any failure is an error)."""

    def __init__(self, base_url: str, recorder: Recorder, think: float) -> None:
        super().__init__(base_url, timeout=30.0)
        self.recorder, self.think = recorder, think

    def send(
        self, method: str, url: str, form: Mapping[str, str], headers: Mapping[str, str]
    ) -> Reply:
        _pause(self.think)
        start = time.perf_counter()
        reply = super().send(method, url, form, headers)
        elapsed = time.perf_counter() - start
        ok = 200 <= reply.status < 300
        self.recorder.add(Sample("webhook", start, elapsed, ok))
        if not ok:
            path = url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
            self.recorder.error(f"webhook /{path}: {reply.status}")
        return reply


class TimedChat(ChatClient):
    """A signed-in Help Center visitor whose every request is timed."""

    def __init__(self, base_url: str, contact_code: str, recorder: Recorder, think: float):
        self.recorder, self.think = recorder, think
        super().__init__(base_url, contact_code)

    def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        kind = "chat" if path == "/help/chat" else "page"
        if kind == "chat":
            _pause(self.think)
        start, status = time.perf_counter(), "no answer"
        try:  # one attempt (nothing is killed here): any failure is an error, by its status
            response = self.session.request(method, self.base + path, timeout=60, **kwargs)
            status = str(response.status_code)
            response.raise_for_status()
            return response
        finally:
            ok = status.startswith("2")
            self.recorder.add(Sample(kind, start, time.perf_counter() - start, ok))
            if not ok:
                self.recorder.error(f"{kind} {method} {path}: {status}")


def calling(base: str, token: str, calls: list[DemoCall], recorder: Recorder, line: int,
            think: float, stop: threading.Event) -> None:  # fmt: skip
    """One phone line: the demo calls one after the other until ``stop``."""
    n = line
    while not stop.is_set():
        call = calls[n % len(calls)]
        n += 1
        simulator = CallSimulator(
            TimedTransport(base, recorder, think),
            auth_token=token,
            public_base_url=base,
            caller=scripted(call.answers),
            output=None,
        )
        try:
            result = simulator.call(call.to, call.from_, at=call.at, status_callback="/ivr/status")
            paths = [p.removeprefix("/ivr/") for p in result.paths]
            ok = result.ended == "hangup" and result.error is None
            ok = ok and paths == [*call.paths, "status"]
        except Exception as error:  # a broken call is counted, the line goes on
            recorder.error(f"call: {type(error).__name__}")
            ok = False
        if not ok:
            recorder.error("call not ended as scripted")
            time.sleep(0.5)  # Twilio's next call is not the same millisecond
        recorder.count(calls=1, calls_failed=0 if ok else 1)


def chatting(
    base: str, contract: str, recorder: Recorder, think: float, stop: threading.Event
) -> None:
    """One Help Center visitor: sign in, report the problem until a ticket is named, again."""
    while not stop.is_set():
        try:
            client = TimedChat(base, contract, recorder, think)
            result = client.report(OPENING)
            ok = result.ticket is not None
        except Exception as error:  # counted; the visitor starts again
            recorder.error(f"chat: {type(error).__name__}")
            ok = False
            time.sleep(0.5)  # the visitor reads the error before trying again
        recorder.count(chats=1, chats_failed=0 if ok else 1)


def _latency(samples: list[Sample]) -> dict[str, float]:
    return latency_ms([s.seconds for s in samples])


def step(
    topology: Topology, meter: CpuMeter, level: int, args: argparse.Namespace
) -> dict[str, Any]:
    """``level`` phone lines and ``level`` chat visitors, closed loop; the measured window."""
    base, token = topology.url, topology.shared_env["TWILIO_AUTH_TOKEN"]
    # the Platinum on-call call is left out: its PIN check (argon2) is slow on purpose
    calls = [c for c in demo_calls(DEMO_TODAY) if c.outcome[0] != "on_call"]
    recorder, stop = Recorder(), threading.Event()
    threads = [
        threading.Thread(target=calling, args=(base, token, calls, recorder, n, args.think, stop))
        for n in range(level)
    ] + [
        threading.Thread(
            target=chatting,
            args=(base, CHAT_CONTRACTS[n % len(CHAT_CONTRACTS)], recorder, args.think, stop),
        )
        for n in range(level)
    ]
    for thread in threads:
        thread.start()
    try:
        time.sleep(args.warmup)
        before, t0 = meter.read(), time.perf_counter()
        time.sleep(args.seconds)
        after, t1 = meter.read(), time.perf_counter()
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
    window = t1 - t0
    inside = [s for s in recorder.samples if s.start >= t0 and s.start + s.seconds <= t1]
    by_kind = {k: [s for s in inside if s.kind == k] for k in ("webhook", "chat", "page")}
    cpu = cpu_used(before, after)
    requests = len(inside)
    chat, hooks = _latency(by_kind["chat"]), _latency(by_kind["webhook"])
    errors = sum(not s.ok for s in recorder.samples)
    errors += recorder.calls_failed + recorder.chats_failed
    within = chat["p95"] <= CHAT_P95_MS and hooks["p99"] <= WEBHOOK_P99_MS and errors == 0
    return {
        "phone_lines": level,
        "chat_visitors": level,
        "think_s": args.think,
        "within_target": within,
        "chat_turns_per_s": round(len(by_kind["chat"]) / window, 1),
        "webhooks_per_s": round(len(by_kind["webhook"]) / window, 1),
        "pages_per_s": round(len(by_kind["page"]) / window, 1),
        "chat_turn_ms": chat,
        "webhook_ms": hooks,
        "errors_in_step": errors,  # warm-up included
        "errors_by_kind": dict(recorder.errors.most_common(8)),
        "calls_completed": recorder.calls - recorder.calls_failed,
        "chats_with_ticket": recorder.chats - recorder.chats_failed,
        # CPU ms per HTTP request through haproxy (webhooks, chat turns, pages), by kind;
        # Rasa and the action servers serve the chat turns only: also per chat turn
        "cpu_ms_per_request": {
            kind: round(seconds * 1000 / max(1, requests), 2)
            for kind, seconds in sorted(cpu["kinds"].items())
        },
        "cpu_ms_per_chat_turn": {
            kind: round(cpu["kinds"].get(kind, 0.0) * 1000 / max(1, len(by_kind["chat"])), 2)
            for kind in ("rasa", "actions")
        },
        "cpu_seconds_by_instance": {k: round(v, 2) for k, v in sorted(cpu["instances"].items())},
        "cpu_cores_busy": {
            "topology_and_client": round(sum(cpu["kinds"].values()) / window, 2),
            "others_on_the_machine": round(cpu["others"] / window, 2),
            "machine": round(cpu["machine_busy"] / window, 2),
        },
        "window_s": round(window, 1),
    }


def run(instances: int, args: argparse.Namespace) -> dict[str, Any]:
    env = {
        "FRONTDOOR_IVR_SIMULATED_TIME": "1",
        "FRONTDOOR_IVR_DESK_NUMBER": DESK,
        "FRONTDOOR_ONCALL_NUMBERS": ",".join(ON_CALL),
    }
    steps: list[dict[str, Any]] = []
    with database() as (url, name), tempfile.TemporaryDirectory(prefix="bench-topo-") as folder:
        topology = Topology(url, Path(folder), instances, env=env, web_workers=args.web_workers)
        started = time.perf_counter()
        with running(topology) as up:
            start_s = time.perf_counter() - started
            _log(f"{instances} of each kind: ready in {start_s:.0f} s")
            meter = CpuMeter(up, name, postgres_server())
            for level in args.levels:
                result = step(up, meter, level, args)
                steps.append(result)
                _log(json.dumps({k: result[k] for k in list(result)[:12]}))
                if not result["within_target"] and not args.all_levels:
                    break
    best = [s for s in steps if s["within_target"]]
    last = best[-1] if best else None
    return {
        "instances_of_each_kind": instances,
        "gunicorn_workers_per_web": args.web_workers,
        "start_seconds": round(start_s, 1),
        "capacity": None
        if last is None
        else {
            "phone_lines": last["phone_lines"],
            "chat_visitors": last["chat_visitors"],
            "chat_turns_per_s": last["chat_turns_per_s"],
            "webhooks_per_s": last["webhooks_per_s"],
            "per_instance": {
                "chat_turns_per_s": round(last["chat_turns_per_s"] / instances, 1),
                "webhooks_per_s": round(last["webhooks_per_s"] / instances, 1),
            },
        },
        "steps": steps,
    }


def _log(message: str) -> None:
    print(f"bench_topology: {message}", file=sys.stderr, flush=True)


def machine() -> dict[str, Any]:
    model = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as info:
        kib = int(next(line for line in info if line.startswith("MemTotal")).split()[1])
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(kib / 2**20, 1),
        "python": platform.python_version(),
        "load_average_1min_at_start": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instances", default="1,2", help="instance counts, comma-separated")
    parser.add_argument("--levels", default="1,2,4,8", help="phone lines = chat visitors")
    parser.add_argument(
        "--think", type=float, default=0.2, help="mean pause before each webhook / chat turn"
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="measured, per step")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds before measuring")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers per web")
    parser.add_argument("--all-levels", action="store_true", help="go on past the target")
    args = parser.parse_args()
    counts = [int(n) for n in args.instances.split(",")]
    args.levels = [int(n) for n in args.levels.split(",")]
    if not all(1 <= n <= 4 for n in counts) or not all(1 <= n <= 32 for n in args.levels):
        parser.error("--instances 1..4, --levels 1..32")
    if not 5 <= args.seconds <= 120:
        parser.error("--seconds 5..120")
    host = machine()
    train_env = {**os.environ, "VENV_BIN": str(Path(sys.executable).parent)}
    script = str(ROOT / "scripts" / "rasa-train.sh")
    subprocess.run([script], check=True, stdout=sys.stderr, env=train_env)
    runs = [run(n, args) for n in counts]
    print(
        json.dumps(
            {
                "benchmark": "scale-out topology: chat turns and IVR webhooks through haproxy",
                "targets": {"chat_p95_ms": CHAT_P95_MS, "webhook_p99_ms": WEBHOOK_P99_MS},
                "machine": host,
                "load_average_1min_at_end": round(os.getloadavg()[0], 2),
                "note": NOTE,
                "runs": runs,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
