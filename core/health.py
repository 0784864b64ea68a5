"""Readiness checks for a load balancer: does each dependency answer, and within a second?

A process is *live* when it answers at all (no I/O: a stuck database must not get a healthy
process restarted); it is *ready* when every dependency it cannot work without answers. The
checks run side by side, each given :data:`TIMEOUT` seconds: a dependency that hangs is
reported as not answering, and the answer never waits much longer than one timeout.

A check is ``required`` (its failure makes the process unready: 503) or not (reported, the
process stays in rotation: ``degraded``). Which are required is the entry point's choice;
docs/observability.md gives the reasons for each process kind.
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from core.logs import get_logger
from core.unit_of_work import AbstractUnitOfWork

TIMEOUT = 1.0  # seconds per check: a load balancer probes every few seconds
Probe = Callable[[], None]  # returns when the dependency answered, raises otherwise
log = get_logger("frontdoor.health")


@dataclass(frozen=True)
class Check:
    name: str
    probe: Probe
    required: bool = True


@dataclass(frozen=True)
class Result:
    name: str
    ok: bool
    required: bool
    ms: float
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"ok": self.ok, "required": self.required, "ms": self.ms}
        if self.error:
            found["error"] = self.error
        return found


@dataclass(frozen=True)
class Report:
    results: tuple[Result, ...]

    @property
    def ready(self) -> bool:
        return all(r.ok for r in self.results if r.required)

    @property
    def status(self) -> str:
        """``ok``, ``degraded`` (an optional dependency is down) or ``unavailable``."""
        if not self.ready:
            return "unavailable"
        return "ok" if all(r.ok for r in self.results) else "degraded"

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status, "checks": {r.name: r.as_json() for r in self.results}}


def database(uow: Callable[[], AbstractUnitOfWork]) -> Probe:
    """One query in a unit of work (on SQLite that also takes the write lock: ready means the
    process could write now)."""

    def probe() -> None:
        with uow() as opened:
            opened.ping()

    return probe


def redis(url: str, timeout: float = TIMEOUT) -> Probe:
    """``PING`` on a connection of its own (the URL may hold a password: never reported)."""

    def probe() -> None:
        import redis as redis_py  # only processes with a Redis configured load the client

        client = redis_py.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        try:
            client.ping()
        finally:
            client.close()

    return probe


def http(url: str, timeout: float = TIMEOUT) -> Probe:
    """A ``GET`` answered with any status below 500 (the server is up and routing)."""

    def probe() -> None:
        request = urllib.request.Request(url, method="GET")  # noqa: S310 - an http(s) setting
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
                answer.read(1024)
        except urllib.error.HTTPError as error:
            if error.code >= 500:
                raise

    return probe


class Readiness:
    """Runs a process's checks; its threads are started at the first call, not at import or
    before a fork."""

    def __init__(self, checks: Sequence[Check], timeout: float = TIMEOUT) -> None:
        self.checks, self.timeout = tuple(checks), timeout
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                size = max(2, 2 * len(self.checks))  # room for a hung check's successor
                self._pool = ThreadPoolExecutor(size, thread_name_prefix="readiness")
            return self._pool

    def run(self) -> Report:
        """Every check at once; one that has not answered after the timeout counts as down."""
        pool = self._executor()
        started = time.perf_counter()
        futures = [pool.submit(_timed, check.probe) for check in self.checks]
        wait(futures, timeout=self.timeout)
        waited = _ms(time.perf_counter() - started)
        results = tuple(_result(c, f, waited) for c, f in zip(self.checks, futures, strict=True))
        for result in results:
            if not result.ok:
                log.warning("health.check_failed", check=result.name, error=result.error)
        return Report(results)


def _timed(probe: Probe) -> float:
    started = time.perf_counter()
    probe()
    return _ms(time.perf_counter() - started)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _result(check: Check, future: Future[float], waited: float) -> Result:
    if not future.done():
        future.cancel()  # still queued: never runs; running: its answer is dropped
        return Result(check.name, False, check.required, waited, "no answer in time")
    error = future.exception()
    if error is not None:
        return Result(check.name, False, check.required, waited, _one_line(error))
    return Result(check.name, True, check.required, future.result())


def _one_line(error: BaseException) -> str:
    """The error's class and first line, at most 200 characters: a reason, never a trace."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text}"[:200] if text else type(error).__name__
