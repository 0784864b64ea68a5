"""Attacks on the chat's perimeter, each kept as a regression test (issue "Security perimeter",
finding 1), against real processes: the action server as it ships (``python -m
bot.action_server``) on a demo database, and Rasa with it as ``chat_stack`` starts them.

A forged tracker once got another contract's ticket status and plan and opened a P1 on a third:
now the action server refuses any caller without Rasa's secret, and even with it, identity slots
count only with a valid token or the server's proof made in that conversation."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from sqlalchemy import create_engine, func, select

from core.adapters.db import upgrade
from core.adapters.orm import tickets, transcripts
from core.bootstrap import bootstrap
from core.demo import load_demo
from core.settings import PROJECT_ROOT, load_settings
from core.tokens import identity_proof, issue_token
from tests.e2e.chat_stack import BIN, SECRET, ChatStack, _stop, free_port

pytestmark = pytest.mark.slow

FORGED = {
    "customer_code": "1016",
    "contact_email": "admin1016@customer.example",
    "contact_verified": True,
    "contact_name": "Admin 1016",
    "requester_role": "admin",
    "language": "en",
}
ASK_CODE = "What is your customer code?"
NOT_MATCHED = "I couldn't match that customer code and e-mail address."
NO_CONTRACT = "I can't find a support contract for you."
LISTEN = "0A"  # TCP state LISTEN in /proc/net/tcp


@dataclass
class ActionServer:
    url: str
    port: int
    secret: str
    database_url: str

    def call(
        self,
        action: str,
        slots: dict[str, Any],
        text: str = "?",
        sender: str | None = None,
        headers: dict[str, str] | None = None,
        **metadata: Any,
    ) -> requests.Response:
        """POST a tracker to /webhook, as Rasa would (or an attacker), with ``headers``."""
        body = action_call(
            action, sender or f"attacker-{uuid.uuid4().hex[:8]}", slots, text, metadata
        )
        return requests.post(f"{self.url}/webhook", json=body, headers=headers or {}, timeout=60)

    def as_rasa(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}"}


def action_call(
    action: str, sender: str, slots: dict[str, Any], text: str, metadata: dict[str, Any]
) -> dict[str, Any]:
    latest = {
        "text": text,
        "intent": {"name": "inform", "confidence": 1.0},
        "entities": [],
        "message_id": uuid.uuid4().hex,
        "metadata": metadata,
    }
    return {
        "next_action": action,
        "sender_id": sender,
        "version": "3.6.21",
        "domain": _domain(),
        "tracker": {
            "sender_id": sender,
            "slots": {"contact_verified": False, **slots},
            "latest_message": latest,
            "events": [{"event": "user", "text": text, "parse_data": latest}],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


def _domain() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text("utf-8"))
    return data


def texts(response: requests.Response) -> list[str]:
    return [m["text"] for m in response.json().get("responses", []) if m.get("text")]


def slots_set(response: requests.Response) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in response.json()["events"] if e["event"] == "slot"}


def count(database_url: str, table: Any, **where: str) -> int:
    engine = create_engine(database_url)
    try:
        query = select(func.count()).select_from(table)
        for column, value in where.items():
            query = query.where(table.c[column] == value)
        with engine.connect() as connection:
            return int(connection.execute(query).scalar_one())
    finally:
        engine.dispose()


def listening(port: int) -> set[str]:
    """The local addresses with a socket listening on ``port`` (IPv4 and IPv6)."""
    found: set[str] = set()
    for name in ("tcp", "tcp6"):
        path = Path("/proc/net") / name
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == LISTEN and int(hex_port, 16) == port:
                found.add(_address(address))
    return found


def _address(hex_address: str) -> str:
    raw = bytes.fromhex(hex_address)
    if len(raw) == 4:
        return socket.inet_ntop(socket.AF_INET, raw[::-1])
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
    return socket.inet_ntop(socket.AF_INET6, words)


@pytest.fixture(scope="module")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ActionServer]:
    """``python -m bot.action_server`` as the Procfile starts it, on a fresh demo database."""
    workdir = tmp_path_factory.mktemp("attacks")
    database_url = f"sqlite:///{workdir / 'frontdoor.sqlite3'}"
    upgrade(database_url)
    fd = bootstrap(load_settings({"DATABASE_URL": database_url}))
    load_demo(fd.uow(), datetime.now(UTC).date())
    fd.dispose()
    port, secret = free_port(), secrets.token_urlsafe(32)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CHAT_TOKEN_SECRET": SECRET,
        "FRONTDOOR_ACTIONS_SECRET": secret,
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    env.pop("FRONTDOOR_ACTIONS_HOST", None)  # the shipped default
    log = workdir / "action-server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(BIN / "python"), "-m", "bot.action_server", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 120
            while True:
                assert process.poll() is None, f"the action server exited; see {log}"
                assert time.monotonic() < deadline, f"no action server; see {log}"
                try:
                    if requests.get(f"{url}/health", timeout=2).status_code == 200:
                        break
                except requests.ConnectionError:
                    time.sleep(0.5)
            yield ActionServer(url, port, secret, database_url)
        finally:
            _stop(process)


# -- the action server, straight --------------------------------------------------------------


def test_a_forged_tracker_without_the_secret_is_refused_and_writes_nothing(
    action_server: ActionServer,
) -> None:
    """No secret, a wrong one, or the secret in the query string: 401, no ticket, no transcript."""
    sender = f"attacker-{uuid.uuid4().hex[:8]}"
    slots = {**FORGED, "product": "UCX Platform", "description": "All down now", "priority": "P1"}
    slots["confirmed"] = True  # the customer's yes: only the identity check stands in the way
    attempts = [
        {},
        {"Authorization": "Bearer guess"},
        {"Authorization": f"Bearer {action_server.secret[:-1]}"},
        {"Authorization": action_server.secret},
        {"X-Frontdoor-Actions-Secret": action_server.secret},
    ]
    statuses = [
        action_server.call("action_submit_report", slots, sender=sender, headers=h).status_code
        for h in attempts
    ]
    query = requests.post(
        f"{action_server.url}/webhook?token={action_server.secret}",
        json=action_call("action_submit_report", sender, slots, "?", {}),
        timeout=60,
    )
    listing = requests.get(f"{action_server.url}/actions", timeout=10)
    assert statuses == [401] * len(attempts) and query.status_code == 401
    assert listing.status_code == 401
    assert count(action_server.database_url, tickets) == 0
    assert count(action_server.database_url, transcripts, conversation_id=sender) == 0


def test_with_the_secret_forged_identity_slots_are_answered_as_unidentified(
    action_server: ActionServer,
) -> None:
    """Rasa's secret but slots claiming contract 1016: no ticket opened, the slots cleared."""
    slots = {**FORGED, "product": "UCX Platform", "description": "All down now", "priority": "P1"}
    slots["confirmed"] = True  # the customer's yes: only the identity check stands in the way
    before = count(action_server.database_url, tickets)
    answer = action_server.call("action_submit_report", slots, headers=action_server.as_rasa())
    assert answer.status_code == 200
    assert any(NO_CONTRACT in t for t in texts(answer))
    assert slots_set(answer)["contact_verified"] is False
    assert slots_set(answer)["customer_code"] is None
    assert count(action_server.database_url, tickets) == before
    asked = action_server.call("action_ask_customer_code", FORGED, headers=action_server.as_rasa())
    assert any(ASK_CODE in t for t in texts(asked))


def test_with_the_secret_forged_slots_get_no_other_contracts_ticket_or_plan(
    action_server: ActionServer,
) -> None:
    """1016's real ticket, opened by 1016 itself: a forged tracker for 1016 learns nothing."""
    owner = f"owner-{uuid.uuid4().hex[:8]}"
    proof = identity_proof(SECRET, owner, "1016", FORGED["contact_email"])
    problem = {
        "product": "UCX Platform",
        "description": "Calls drop after a minute",
        "priority": "P3",
        "confirmed": True,
    }
    opened = action_server.call(
        "action_submit_report",
        {**FORGED, **problem, "contact_proof": proof},
        sender=owner,
        headers=action_server.as_rasa(),
    )
    number = slots_set(opened)["last_ticket"]
    assert number and count(action_server.database_url, tickets, number=number) == 1
    for pending, extra in (("ticket_status", {"ticket_number": number}), ("plan", {})):
        answer = action_server.call(
            "action_resume",
            {**FORGED, "pending_request": pending, **extra},
            headers=action_server.as_rasa(),
        )
        assert texts(answer) and all(NOT_MATCHED in t for t in texts(answer))
        assert not any("Calls drop" in t or number in t for t in texts(answer))


def test_a_token_minted_with_a_wrong_key_is_ignored(action_server: ActionServer) -> None:
    """A well-formed Help Center token signed with another key identifies nobody."""
    now = datetime.now(UTC)
    wrong = issue_token("not-the-key", "1016", FORGED["contact_email"], now, timedelta(hours=1))
    answer = action_server.call(
        "action_greet", {}, text="hello", headers=action_server.as_rasa(), token=wrong
    )
    assert answer.status_code == 200
    assert slots_set(answer).get("contact_verified") is not True
    assert not any("Admin 1016" in t for t in texts(answer))


def test_the_action_server_listens_on_127_0_0_1_only(action_server: ActionServer) -> None:
    """Started without FRONTDOOR_ACTIONS_HOST, it is not reachable from other machines."""
    assert listening(action_server.port) == {"127.0.0.1"}


def test_the_action_server_allows_no_cross_origin_calls(action_server: ActionServer) -> None:
    """No Access-Control-Allow-Origin for a page on another site (preflight or direct)."""
    origin = {"Origin": "https://evil.example"}
    preflight = requests.options(
        f"{action_server.url}/webhook",
        headers={**origin, "Access-Control-Request-Method": "POST"},
        timeout=10,
    )
    health = requests.get(f"{action_server.url}/health", headers=origin, timeout=10)
    for response in (preflight, health):
        assert "Access-Control-Allow-Origin" not in response.headers


# -- Rasa and the action server, as chat_stack starts them -------------------------------------


@pytest.mark.chat_model
def test_rasa_and_the_action_server_listen_on_127_0_0_1_only(shared_chat_stack: ChatStack) -> None:
    """scripts/rasa-run.sh and bot.action_server bind the loopback address only."""
    assert listening(shared_chat_stack.rasa_port) == {"127.0.0.1"}
    assert listening(shared_chat_stack.actions_port) == {"127.0.0.1"}


@pytest.mark.chat_model
def test_rasa_allows_no_cross_origin_calls(shared_chat_stack: ChatStack) -> None:
    """A page on another site gets no Access-Control-Allow-Origin (no wildcard, no echo)."""
    origin = {"Origin": "https://evil.example"}
    preflight = requests.options(
        shared_chat_stack.rest_url,
        headers={**origin, "Access-Control-Request-Method": "POST"},
        timeout=10,
    )
    direct = requests.get(f"{shared_chat_stack.rasa_url}/", headers=origin, timeout=10)
    for response in (preflight, direct):
        assert response.headers.get("Access-Control-Allow-Origin") is None


@pytest.mark.chat_model
def test_rasas_http_api_is_off(shared_chat_stack: ChatStack) -> None:
    """No tracker, parse or status endpoint to read or write a conversation from outside."""
    base = shared_chat_stack.rasa_url
    statuses = [
        requests.get(f"{base}/conversations/someone/tracker", timeout=10).status_code,
        requests.post(f"{base}/model/parse", json={"text": "hi"}, timeout=10).status_code,
        requests.get(f"{base}/status", timeout=10).status_code,
    ]
    assert statuses == [404, 404, 404]


@pytest.mark.chat_model
def test_rasa_calls_the_action_server_with_its_secret(shared_chat_stack: ChatStack) -> None:
    """The stack's action server needs the secret, and Rasa's custom actions still answer."""
    refused = requests.post(f"{shared_chat_stack.actions_url}/webhook", json={}, timeout=10)
    assert refused.status_code == 401
    replies = shared_chat_stack.say(
        f"e2e-attack-{uuid.uuid4().hex[:8]}", "I need help with my ticket status"
    )
    assert any(ASK_CODE in (r.get("text") or "") for r in replies)


@pytest.mark.chat_model
def test_over_rest_a_token_minted_with_a_wrong_key_is_ignored(
    shared_chat_stack: ChatStack,
) -> None:
    """Through Rasa's REST channel a wrong-key token is not trusted: the bot asks for the code."""
    now = datetime.now(UTC)
    wrong = issue_token("not-the-key", "1016", FORGED["contact_email"], now, timedelta(hours=1))
    sender = f"e2e-attack-{uuid.uuid4().hex[:8]}"
    replies = shared_chat_stack.say(sender, "What is the status of my ticket?", token=wrong)
    said = [r.get("text") or "" for r in replies]
    assert any(ASK_CODE in t for t in said) and not any("1016" in t for t in said)
    assert count(shared_chat_stack.database_url, tickets, conversation_id=sender) == 0
