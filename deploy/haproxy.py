"""haproxy's configuration for the topology, and which servers haproxy sees up.

Round robin without stickiness (any instance answers any webhook step or chat turn: call state,
conversations and sessions live in PostgreSQL, Redis and signed cookies). A server is checked
every 500 ms and taken out after two failed checks; a request whose connection is refused, or
whose server closes the connection without answering (a process killed mid-request), is sent
again to another server (``retry-on conn-failure empty-response``, ``option redispatch``): the
webhooks, chat turns and action calls are idempotent (docs/scale-out.md). The public frontend
never serves ``/metrics``.
"""

from __future__ import annotations

import csv
import io
import urllib.request
from dataclasses import dataclass

GLOBAL = """\
global
    maxconn 4096

defaults
    mode http
    timeout connect 1s
    timeout client 65s
    timeout server 65s
    timeout http-request 10s
    timeout check 2s
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response
    option http-buffer-request
    default-server inter 500ms fall 2 rise 2

frontend stats
    bind 127.0.0.1:{stats_port}
    stats enable
    stats uri /stats
"""


@dataclass(frozen=True)
class Backend:
    name: str
    port: int  # the frontend's port on 127.0.0.1
    check: str  # the path that answers 200 on a healthy server
    servers: list[tuple[str, int]]
    public: bool = False  # the public frontend: no /metrics


def config(public_port: int, stats_port: int, backends: list[Backend]) -> str:
    """The whole haproxy.cfg."""
    parts = [GLOBAL.format(stats_port=stats_port)]
    for backend in backends:
        parts.append(f"\nfrontend {backend.name}\n    bind 127.0.0.1:{backend.port}\n")
        if backend.public:
            parts.append("    http-request deny deny_status 404 if { path_beg /metrics }\n")
        parts.append(f"    default_backend {backend.name}_servers\n")
        parts.append(f"\nbackend {backend.name}_servers\n    balance roundrobin\n")
        parts.append(f"    option httpchk GET {backend.check}\n    http-check expect status 200\n")
        for name, port in backend.servers:
            parts.append(f"    server {name} 127.0.0.1:{port} check\n")
    assert any(b.port == public_port and b.public for b in backends)
    return "".join(parts)


def servers_up(stats_port: int) -> set[str]:
    """The servers haproxy's health checks see UP (its CSV statistics)."""
    url = f"http://127.0.0.1:{stats_port}/stats;csv"
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            text = answer.read().decode("utf-8")
    except OSError:
        return set()
    rows = csv.DictReader(io.StringIO(text.lstrip("# ")))
    return {
        row["svname"]
        for row in rows
        if row["svname"] not in ("FRONTEND", "BACKEND") and row["status"].startswith("UP")
    }
