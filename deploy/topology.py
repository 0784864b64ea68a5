"""The scale-out topology on one machine: haproxy in front of N web apps (gunicorn), N Rasa
servers, N action servers and N outbox workers, on one PostgreSQL database and one Redis.

``python -m deploy.topology --database-url URL`` starts it for a demo or a soak (``make
run-scaled`` migrates, loads the demo data and trains first) and prints "ready" with the URLs
once haproxy sees every instance up; Ctrl-C stops it. The scale-out test and
``bench/bench_topology.py`` use :class:`Topology` the same way, and kill instances by name.

Every process gets the same secrets (generated once per topology unless given), so that any
instance can answer any step: the session cookie, the chat tokens, Twilio's signature and the
action server's secret agree everywhere. haproxy has three frontends: the public one (the web
apps: IVR webhooks, Help Center, console, API), and two on loopback that only our processes
use: Rasa's REST channel (the web apps' ``FRONTDOOR_RASA_URL``) and the action servers (Rasa's
action endpoint, ``deploy/endpoints.yml``). The HAProxy configuration is
:func:`deploy.haproxy.config`; docs/scale-out.md explains the choices.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from deploy.haproxy import Backend, config, servers_up
from deploy.ports import free_port

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("web", "rasa", "actions", "worker")
# a Redis that keeps nothing on disk (the lock store's locks live seconds), on loopback
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
REDIS = (REDIS_SERVER, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"  # sbin: not on a user's PATH
GUNICORN = (sys.executable, "-m", "gunicorn", "--graceful-timeout", "5", "web:create_app()")
TOOLS = (REDIS_SERVER, HAPROXY)
START_TIMEOUT = 420.0  # two Rasa servers load TensorFlow and the model at once on 2 cores


@dataclass
class Instance:
    """One process of the topology (a gunicorn master and its workers count as one)."""

    name: str  # e.g. "web1"
    kind: str
    command: list[str]
    env: dict[str, str]
    log: Path
    port: int | None = None
    health: str | None = None  # the URL that answers 200 when the instance is up
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 - our own commands
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill() reaches the workers
            )

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL to the whole process group, as an OOM kill or a lost machine would."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM (graceful), SIGKILL after 10 s."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()

    def tail(self, lines: int = 30) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class Topology:
    """N instances of each kind behind haproxy; ``env`` is added to every process's."""

    database_url: str
    workdir: Path
    instances: int = 2
    port: int = 0  # the public frontend (0: a free port)
    smtp: tuple[str, int] | None = None  # the workers' SMTP server
    env: Mapping[str, str] = field(default_factory=dict)
    web_workers: int = 2  # gunicorn workers per web instance
    model: str | None = None  # a model file or folder (default: the newest in models/)
    members: dict[str, Instance] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.port = self.port or free_port()
        self.rasa_port, self.actions_port, self.stats_port = free_port(), free_port(), free_port()
        self.redis_port = free_port()
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._haproxy: Instance | None = None
        self._redis: Instance | None = None
        self._mailsink = False  # no SMTP server given: `frontdoor mailsink` in workdir/mail

    # -- addresses ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The public frontend: what Twilio, browsers and API clients reach."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    def of_kind(self, kind: str) -> list[Instance]:
        return [i for i in self.members.values() if i.kind == kind]

    # -- life cycle --------------------------------------------------------------------------

    def common_env(self) -> dict[str, str]:
        bin_dir = str(Path(sys.executable).parent)
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "FRONTDOOR_ENV": "development",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "CHAT_TOKEN_SECRET": secrets.token_urlsafe(48),
            "FRONTDOOR_ACTIONS_SECRET": secrets.token_urlsafe(48),
            "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
            "PUBLIC_BASE_URL": self.url,
            "FRONTDOOR_RASA_URL": self.rasa_url,
            "FRONTDOOR_REDIS_URL": self.redis_url,
            "FRONTDOOR_LOG_FORMAT": "json",  # one JSON object a line, with correlation ids
            "VENV_BIN": bin_dir,
            "PATH": f"{bin_dir}:{os.environ.get('PATH', '')}",
        }
        if self.smtp is None and not os.environ.get("FRONTDOOR_SMTP_HOST"):
            self.smtp = ("127.0.0.1", free_port())  # the development mail sink (plan)
            self._mailsink = True
        if self.smtp is not None:
            host, port = self.smtp
            env |= {
                "FRONTDOOR_SMTP_HOST": host,
                "FRONTDOOR_SMTP_PORT": str(port),
                "FRONTDOOR_SMTP_STARTTLS": "0",
            }
        return env | dict(self.env)

    def plan(self) -> None:
        """The instances to start (ports chosen, nothing started)."""
        env = self.common_env()
        self.shared_env = env
        python = sys.executable
        logs = self.workdir / "logs"
        logs.mkdir(exist_ok=True)
        self._redis = Instance(
            "redis",
            "redis",
            [*REDIS, "--port", str(self.redis_port)],
            env,
            logs / "redis.log",
        )
        frontdoor = str(Path(python).parent / "frontdoor")
        if self._mailsink and self.smtp is not None:
            sink = [frontdoor, "mailsink", "--port", str(self.smtp[1])]
            self._add("mailsink", [*sink, "--dir", str(self.workdir / "mail")], env)
        for n in range(1, self.instances + 1):
            web, rasa, actions = free_port(), free_port(), free_port()
            self._add(
                f"web{n}",
                [*GUNICORN, "--workers", str(self.web_workers), "--bind", f"127.0.0.1:{web}"],
                env,
                web,
                "/readyz",
            )
            rasa_env = env | {
                "RASA_PORT": str(rasa),
                "RASA_ENDPOINTS": str(ROOT / "deploy" / "endpoints.yml"),
                "RASA_MODEL": self.model or str(ROOT / "models"),
                "FRONTDOOR_ACTIONS_URL": f"http://127.0.0.1:{self.actions_port}",
                "FRONTDOOR_REDIS_HOST": "127.0.0.1",
                "FRONTDOOR_REDIS_PORT": str(self.redis_port),
                "TICKET_LOCK_LIFETIME": "20",  # a killed Rasa's conversation lock frees itself
            }
            self._add(f"rasa{n}", [str(ROOT / "scripts" / "rasa-run.sh")], rasa_env, rasa, "/")
            self._add(
                f"actions{n}",
                [python, "-m", "bot.action_server", "--port", str(actions)],
                env,
                actions,
                "/readyz",
            )
            self._add(f"worker{n}", [frontdoor, "worker"], env)
        cfg = self.workdir / "haproxy.cfg"
        cfg.write_text(config(self.port, self.stats_port, self.backends()), encoding="utf-8")
        self._haproxy = Instance(
            "haproxy", "haproxy", [HAPROXY, "-db", "-f", str(cfg)], env, logs / "haproxy.log"
        )

    def _add(
        self,
        name: str,
        command: list[str],
        env: dict[str, str],
        port: int | None = None,
        health: str | None = None,
    ) -> None:
        kind = name.rstrip("0123456789")
        url = f"http://127.0.0.1:{port}{health}" if port and health else None
        log = self.workdir / "logs" / f"{name}.log"
        self.members[name] = Instance(name, kind, command, env, log, port, url)

    def backends(self) -> list[Backend]:
        def servers(kind: str) -> list[tuple[str, int]]:
            return [(i.name, i.port or 0) for i in self.of_kind(kind)]

        return [
            Backend("web", self.port, "/readyz", servers("web"), public=True),
            Backend("rasa", self.rasa_port, "/", servers("rasa")),
            Backend("actions", self.actions_port, "/readyz", servers("actions")),
        ]

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start everything and wait until every instance answers and haproxy sees it up."""
        if not self.members:
            self.plan()
        assert self._redis is not None and self._haproxy is not None
        self._redis.start()
        for instance in self.members.values():
            instance.start()
        self._haproxy.start()
        self.wait_ready(timeout)

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while True:
            waiting = self.waiting_for()
            if not waiting:
                return
            dead = [i for i in self._all() if i.process is not None and not i.running]
            if dead:
                raise RuntimeError(f"{dead[0].name} stopped:\n{dead[0].tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"not ready after {timeout:.0f} s: {', '.join(waiting)}")
            time.sleep(0.5)

    def waiting_for(self) -> list[str]:
        """What does not answer yet: an instance's health URL, or haproxy's view of it."""
        waiting = [i.name for i in self.members.values() if i.health and not _answers(i.health)]
        if waiting:
            return waiting
        up = servers_up(self.stats_port)
        expected = {i.name for i in self.members.values() if i.health}
        return sorted(f"haproxy:{name}" for name in expected - up)

    def kill(self, name: str) -> None:
        self.members[name].kill()

    def stop(self) -> None:
        for instance in reversed(list(self._all())):
            instance.stop()

    def every_process(self) -> list[Instance]:
        """Redis, every instance and haproxy (what a CPU figure adds up)."""
        return list(self._all())

    def _all(self) -> Iterator[Instance]:
        if self._redis is not None:
            yield self._redis
        yield from self.members.values()
        if self._haproxy is not None:
            yield self._haproxy


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - loopback
            return bool(answer.status == 200)
    except OSError:
        return False


@contextmanager
def running(topology: Topology, timeout: float = START_TIMEOUT) -> Iterator[Topology]:
    """The topology started, and stopped at the end whatever happens."""
    try:
        topology.start(timeout)
        yield topology
    finally:
        topology.stop()
