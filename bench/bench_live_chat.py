"""Benchmark of the live hand-off (docs/live-chat.md): how long an agent's message takes to
appear on the customer's screen. Target: p95 under 500 ms.

The web app runs as in production, under gunicorn with the ``gthread`` worker class
(``--workers 2 --threads 16``) on a SQLite file (or PostgreSQL with ``--postgres``, from
``FRONTDOOR_TEST_POSTGRES_URL``). A stand-in for Rasa on a local port hands the chat off the
way the action server does (transcript outcome ``handed_off``, reason ``live_agent``). The
customer is a real headless Chromium on the Help Center page (its EventSource stream); the
agent signs in to the console with ``requests``, takes the chat and posts ``--messages``
messages at random intervals (so that they land anywhere in the streams' poll cycle). For
each, the latency is from just before the agent's POST to the moment the page inserted the
bubble (a MutationObserver notes ``Date.now()``; both clocks are this machine's).

Run: ``.venv/bin/python bench/bench_live_chat.py [--messages 200] [--postgres]``. Prints one
JSON object; docs/live-chat.md records it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_core import _cpu  # noqa: E402
from core.adapters.db import make_engine, upgrade  # noqa: E402
from core.bootstrap import bootstrap  # noqa: E402
from core.hours import office_hours  # noqa: E402
from core.model import Turn  # noqa: E402
from core.services import (  # noqa: E402
    ContactSpec,
    ContractSpec,
    add_staff,
    add_turns,
    find_contract,
    upsert_contract,
)
from core.settings import load_settings  # noqa: E402
from tests.e2e.chat_stack import free_port  # noqa: E402

CHROMIUM = os.environ.get("FRONTDOOR_CHROMIUM", "/usr/bin/chromium")
AGENT, PASSWORD = "marco.rossi@example.com", "bench password long enough"
THEATRES = (
    ("europe", "mon-fri", "Europe/Rome"),
    ("middle_east", "sun-thu", "Asia/Dubai"),
    ("americas", "mon-fri", "America/New_York"),
)
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def prepare(url: str) -> None:
    """Migrations, one contract in a theatre whose office is open now (the customer stream
    sends the bot back when the office is closed), one agent."""
    upgrade(url)
    fd = bootstrap(load_settings({"DATABASE_URL": url, "FRONTDOOR_ENV": "development"}))
    contact = ContactSpec(name="Admin", phone="+390584000001", email="admin@example.com")
    for theatre, week, zone in THEATRES:
        spec = ContractSpec(
            code="2001",
            customer="Bench customer",
            plan="gold",
            licence="subscription",
            theatre=theatre,
            week=week,
            starts=date(2020, 1, 1),
            ends=date(2099, 12, 31),
            timezone=zone,
            products=("UCX Platform",),
            contacts=(contact,),
        )
        with fd.uow() as uow:
            upsert_contract(uow, spec)
            contract = find_contract(uow, "2001")
            uow.commit()
        assert contract is not None
        if office_hours(fd.book, contract, datetime.now(UTC)).open_now:
            break
    else:
        raise SystemExit("bench_live_chat: no theatre's office is open now; run it in office hours")
    add_staff(fd.uow(), email=AGENT, role="agent", password=PASSWORD, at=datetime.now(UTC))
    fd.dispose()


def fake_rasa(database_url: str) -> tuple[ThreadingHTTPServer, str]:
    """Rasa's REST channel, standing in: every message hands the chat off."""
    fd = bootstrap(load_settings({"DATABASE_URL": database_url, "FRONTDOOR_ENV": "development"}))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            at = datetime.now(UTC)
            text = "I'm passing you to one of our agents now."
            add_turns(
                fd.uow(),
                channel="chat",
                conversation_id=body["sender"],
                turns=[Turn("customer", body["message"], at), Turn("bot", text, at)],
                outcome=("handed_off", "live_agent"),
                contract_code="2001",
                language="en",
            )
            answer = json.dumps([{"text": text}]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def start_gunicorn(
    env: dict[str, str], log: Path, threads: int
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "--worker-class", "gthread", "--workers", "2",
        "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "web:create_app()",
    ]  # fmt: skip
    out = log.open("wb")
    process = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):
                return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(log.read_text(errors="replace")[-3000:])


def agent_session(url: str) -> requests.Session:
    agent = requests.Session()
    page = agent.get(f"{url}/console/sign-in").text
    token = TOKEN.search(page)
    assert token
    form = {"email": AGENT, "password": PASSWORD, "csrf_token": token.group(1)}
    assert agent.post(f"{url}/console/sign-in", data=form, allow_redirects=False).status_code == 302
    return agent


OBSERVER = """() => {
  window.__seen = {};
  new MutationObserver(function (records) {
    const now = Date.now();
    for (const r of records) for (const n of r.addedNodes) {
      if (n.classList && n.classList.contains("agent")) {
        const m = /#(\\d+)/.exec(n.textContent);
        if (m) window.__seen[m[1]] = now;
      }
    }
  }).observe(document.getElementById("chat-log"), {childList: true});
}"""


def run(url: str, messages: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_context(base_url=url).new_page()
        page.goto("/help/?lang=en")
        page.wait_for_selector("#chat-form[data-ready]")
        page.fill("#chat-input", "I want to talk to a person")
        page.press("#chat-input", "Enter")
        page.wait_for_selector("#live-waiting:not([hidden])")
        page.evaluate(OBSERVER)
        agent = agent_session(url)
        queue = agent.get(f"{url}/console/hand-offs").text
        chat_id = re.search(r'data-id="(\d+)"', queue)
        assert chat_id, "the hand-off is not in the queue"
        base = f"{url}/console/live/{chat_id.group(1)}"
        token = TOKEN.search(agent.get(f"{url}/console/conversations").text)
        assert token
        csrf = {"csrf_token": token.group(1)}
        assert agent.post(f"{base}/take", data=csrf).status_code == 200
        page.locator("#chat-log .msg.status").first.wait_for()
        sent: dict[str, float] = {}
        rng = random.Random(7)
        for n in range(messages):
            sent[str(n)] = time.time() * 1000
            answer = agent.post(f"{base}/messages", data={**csrf, "text": f"message #{n}"})
            assert answer.status_code == 200, answer.text
            time.sleep(rng.uniform(0.1, 0.4))
        page.wait_for_function(f"Object.keys(window.__seen).length >= {messages}", timeout=30_000)
        seen: dict[str, float] = page.evaluate("window.__seen")
        browser.close()
    return [seen[k] - sent[k] for k in sent]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-live-"))
    schema = ""
    if args.postgres:
        server_url = os.environ["FRONTDOOR_TEST_POSTGRES_URL"]
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with make_engine(server_url).begin() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        database_url = f"{server_url}?options=-csearch_path%3D{schema}"
    else:
        database_url = f"sqlite:///{workdir / 'frontdoor.sqlite3'}"
    prepare(database_url)
    rasa, rasa_url = fake_rasa(database_url)
    env = {
        "DATABASE_URL": database_url,
        "FRONTDOOR_ENV": "development",
        "FRONTDOOR_RASA_URL": rasa_url,
        "SECRET_KEY": "bench-live-chat-secret-key-long-enough-for-anything",
        "CHAT_TOKEN_SECRET": "bench-live-chat-token-secret-long-enough",
    }
    process, url = start_gunicorn(env, workdir / "gunicorn.log", args.threads)
    try:
        latencies = sorted(run(url, args.messages))
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
        rasa.shutdown()
        if args.postgres:
            with make_engine(os.environ["FRONTDOOR_TEST_POSTGRES_URL"]).begin() as connection:
                connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    quantiles = statistics.quantiles(latencies, n=100)
    print(
        json.dumps(
            {
                "benchmark": "live chat: agent message to customer screen",
                "database": "postgresql" if args.postgres else "sqlite",
                "server": f"gunicorn gthread, 2 workers x {args.threads} threads",
                "poll_s": 0.15,
                "messages": len(latencies),
                "p50_ms": round(quantiles[49], 1),
                "p95_ms": round(quantiles[94], 1),
                "max_ms": round(latencies[-1], 1),
                "cpu": _cpu(),
                "cores": os.cpu_count(),
                "python": sys.version.split()[0],
            }
        )
    )


if __name__ == "__main__":
    main()
