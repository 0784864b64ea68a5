"""Signed webhooks to a real HTTP receiver on loopback, alone and through the outbox worker."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests

from core.bootstrap import Frontdoor
from core.model import OutboxEvent, Ticket
from core.notify import DeliveryError, Message, Router
from core.services import Case, find_contract, submit_case
from outbound.webhook import WebhookNotifier, verify

from .helpers import add_contract, iso
from .mailbox import BASE_URL, Clock, make_worker

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"
SECRET = "chatops-webhook-secret-" + "z" * 32
FRIDAY_17 = "2026-11-20T17:00:00+01:00"  # Rome: Gold P2 due Saturday 10:00


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 that answers each POST with the next status of ``statuses``
    (200 when none is left), after ``delay`` seconds, and keeps what it received."""

    statuses: list[int] = field(default_factory=list)
    delay: float = 0.0
    received: list[Delivery] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.received.append(Delivery(self.path, dict(self.headers.items()), body))
                receiver.released.wait(receiver.delay)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "/elsewhere")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/frontdoor"

    def stop(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def session() -> Iterator[requests.Session]:
    """A session that ignores proxy variables: loopback stays loopback."""
    with requests.Session() as s:
        s.trust_env = False
        yield s


def notifier(session: requests.Session, **kw: Any) -> WebhookNotifier:
    return WebhookNotifier({"chatops": SECRET}, session=session, **kw)


def message(url: str, body: dict[str, Any] | None = None, delivery_id: str = "d-42") -> Message:
    text = json.dumps(body or {"id": delivery_id, "type": "ticket.escalated"}, ensure_ascii=False)
    return Message(
        delivery_id=delivery_id,
        to_name="chatops",
        to_address=url,
        language="en",
        subject="ticket.escalated",
        text=text,
        html="",
        at=iso(FRIDAY_17),
        channel="webhook",
    )


def verified(got: Delivery, secret: str = SECRET, now: float | None = None) -> bool:
    stamp, sig = got.headers["X-Frontdoor-Timestamp"], got.headers["X-Frontdoor-Signature"]
    return verify(secret, stamp, got.body, sig, now=time.time() if now is None else now)


def documented_verify() -> Any:
    """The stand-alone ``verify`` that docs/webhooks.md gives receivers to copy."""
    section = DOCS.read_text(encoding="utf-8").split("## Verifying a request")[1]
    snippet = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert snippet is not None
    namespace: dict[str, Any] = {}
    exec(snippet.group(1), namespace)
    return namespace["verify"]


def test_a_signed_post_arrives_with_its_headers_and_verifies(
    receiver: Receiver, session: requests.Session
) -> None:
    """The JSON body as sent (UTF-8), the event, delivery id, timestamp and a v1 signature."""
    sent = message(receiver.url, {"id": "d-42", "type": "ticket.escalated", "note": "Müller"})
    notifier(session).send(sent)
    [got] = receiver.received
    assert got.path == "/hooks/frontdoor" and got.body == sent.text.encode()
    assert json.loads(got.body)["note"] == "Müller"
    h = got.headers
    assert (h["Content-Type"], h["User-Agent"]) == ("application/json", "frontdoor-webhook/1")
    assert (h["X-Frontdoor-Event"], h["X-Frontdoor-Delivery-Id"]) == ("ticket.escalated", "d-42")
    assert abs(int(h["X-Frontdoor-Timestamp"]) - time.time()) < 5
    assert h["X-Frontdoor-Signature"].startswith("v1=") and SECRET not in str(h)
    assert verified(got)


def test_verify_rejects_a_tampered_body_a_wrong_secret_and_an_old_timestamp(
    receiver: Receiver, session: requests.Session
) -> None:
    """Any change to the body, another secret, or a delivery older than 5 minutes: refused;
    the function docs/webhooks.md gives receivers agrees."""
    notifier(session).send(message(receiver.url))
    [got] = receiver.received
    stamp = int(got.headers["X-Frontdoor-Timestamp"])
    assert verified(got)
    documented, sig = documented_verify(), got.headers["X-Frontdoor-Signature"]
    assert documented(SECRET, str(stamp), got.body, sig) is True
    assert documented(SECRET, str(stamp), got.body + b" ", sig) is False
    assert documented(SECRET, str(stamp), got.body, sig, now=stamp + 301) is False
    assert not verified(Delivery(got.path, got.headers, got.body + b" "))
    assert not verified(got, secret=SECRET + "x")
    assert not verified(got, now=stamp + 301)
    assert verified(got, now=stamp + 300)
    for timestamp in (str(stamp + 1), "", "1e9", f" {stamp}"):
        forged = {**got.headers, "X-Frontdoor-Timestamp": timestamp}
        assert not verified(Delivery(got.path, forged, got.body))


def test_a_failed_delivery_is_retried_with_the_same_delivery_id(
    receiver: Receiver, session: requests.Session
) -> None:
    """A 500 raises DeliveryError naming the status and host only; the retry succeeds, same id."""
    receiver.statuses = [500]
    webhook = notifier(session)
    with pytest.raises(DeliveryError) as raised:
        webhook.send(message(receiver.url))
    host = receiver.url.split("/")[2]
    assert str(raised.value) == f"HTTP 500 from {host}"
    webhook.send(message(receiver.url))
    first, second = receiver.received
    ids = {d.headers["X-Frontdoor-Delivery-Id"] for d in (first, second)}
    assert ids == {"d-42"} and verified(first) and verified(second)


def test_a_receiver_that_does_not_answer_in_time_is_a_delivery_error(
    receiver: Receiver, session: requests.Session
) -> None:
    receiver.delay = 5
    started = time.monotonic()
    with pytest.raises(DeliveryError, match=r"^no answer from 127\.0\.0\.1:\d+ within 0\.3 s$"):
        notifier(session, timeout=0.3).send(message(receiver.url))
    assert time.monotonic() - started < 3


def test_a_redirect_is_not_followed(receiver: Receiver, session: requests.Session) -> None:
    """A 302 is a failure: the body is never posted to where it points."""
    receiver.statuses = [302]
    with pytest.raises(DeliveryError, match=r"^HTTP 302 from "):
        notifier(session).send(message(receiver.url))
    assert [d.path for d in receiver.received] == ["/hooks/frontdoor"]


def test_a_refused_connection_or_an_unknown_endpoint_is_a_delivery_error(
    session: requests.Session,
) -> None:
    """Nobody listening: a one-line error without the URL's path; no secret: not sent."""
    closed = Receiver()
    url = closed.url + "/token-in-path"
    closed.stop()
    with pytest.raises(DeliveryError) as raised:
        notifier(session, timeout=2).send(message(url))
    assert "token-in-path" not in str(raised.value) and "127.0.0.1" in str(raised.value)
    anonymous = WebhookNotifier({"other": SECRET}, session=session)
    with pytest.raises(DeliveryError, match="no secret for webhook endpoint 'chatops'"):
        anonymous.send(message(url))


def test_an_own_session_is_closed_between_rounds_and_opened_again(receiver: Receiver) -> None:
    """Without a session passed in, close() drops the connections; the next send reconnects."""
    webhook = WebhookNotifier({"chatops": SECRET})
    webhook.session.trust_env = False
    webhook.send(message(receiver.url))
    webhook.close()
    webhook.send(message(receiver.url))
    assert len(receiver.received) == 2


# --- through the outbox worker -------------------------------------------------------------


def open_gold_p2(fd: Frontdoor) -> Ticket:
    """A Gold P2 ticket in Europe, opened Friday 17:00 through the intake service."""
    add_contract(fd)
    with fd.uow() as uow:
        contract = find_contract(uow, "2001")
        key = "phone:CA1"
        case = Case("phone", key, iso(FRIDAY_17), contract, "P2", "en", idempotency_key=key)
        ticket = submit_case(uow, fd.book, case).ticket
        uow.commit()
    assert ticket is not None
    return ticket


def add_webhook_row(fd: Frontdoor, ticket: Ticket, url: str) -> OutboxEvent:
    """An escalation to the chatops endpoint, with the facts the planner writes, due now."""
    assert ticket.id is not None
    with fd.uow() as uow:
        planned = next(e for e in uow.outbox.for_ticket(ticket.id) if e.kind == "escalation_due")
        facts = {k: v for k, v in planned.payload.items() if k not in ("recipient", "role")}
        endpoint = {"name": "chatops", "url": url}
        payload = {
            **facts,
            "roles": [planned.payload["role"]],
            "channel": "webhook",
            "endpoint": endpoint,
        }
        event = OutboxEvent(
            kind="escalation_due",
            ticket_id=ticket.id,
            payload=payload,
            delivery_id="5d1c7e0a-webhook-chatops",
            due_at=iso(FRIDAY_17),
            created_at=iso(FRIDAY_17),
        )
        uow.outbox.add(event)
        uow.commit()
    return event


def row_of(fd: Frontdoor, ticket: Ticket, row: OutboxEvent) -> OutboxEvent:
    assert ticket.id is not None
    with fd.uow() as uow:
        return next(e for e in uow.outbox.for_ticket(ticket.id) if e.id == row.id)


def run_worker(fd: Frontdoor, webhook: WebhookNotifier, at: datetime) -> None:
    make_worker(fd, Router({"webhook": webhook}), Clock(at)).run_once()


def test_the_worker_delivers_a_verified_escalation_to_the_endpoint(
    frontdoor: Frontdoor, receiver: Receiver, session: requests.Session
) -> None:
    """The first escalation of a Gold P2 opened Friday 17:00, as a row for the chatops endpoint:
    one signed POST with the documented body (two business hours left, due Saturday 10:00);
    the row is sent."""
    ticket = open_gold_p2(frontdoor)
    row = add_webhook_row(frontdoor, ticket, receiver.url)
    at = iso(FRIDAY_17)
    run_worker(frontdoor, notifier(session, clock=at.timestamp), at)
    [got] = receiver.received
    assert verified(got, now=at.timestamp())
    assert got.headers["X-Frontdoor-Delivery-Id"] == row.delivery_id
    assert got.headers["X-Frontdoor-Event"] == "ticket.escalated"
    assert json.loads(got.body) == {
        "id": row.delivery_id,
        "type": "ticket.escalated",
        "created_at": "2026-11-20T17:00:00+01:00",
        "ticket": {
            "number": ticket.number,
            "priority": "P2",
            "customer": "Customer 2001",
            "contract": "2001",
            "theatre": "europe",
            "plan": "gold",
            "due_at": "2026-11-21T10:00:00+01:00",
            "business_seconds_left": 7200,
            "url": f"{BASE_URL}/console/tickets/{ticket.number}",
        },
        "roles": ["Support team"],
        "after_hours": 2,
        "taken_by": None,
    }
    event = row_of(frontdoor, ticket, row)
    assert (event.status, event.attempts, event.last_error) == ("sent", 1, None)


def test_a_failing_endpoint_leaves_the_row_failed_with_the_http_status(
    frontdoor: Frontdoor, receiver: Receiver, session: requests.Session
) -> None:
    """A 503: the row is failed (retried after its backoff), last_error says the status."""
    receiver.statuses = [503]
    ticket = open_gold_p2(frontdoor)
    row = add_webhook_row(frontdoor, ticket, receiver.url)
    at = iso(FRIDAY_17)
    run_worker(frontdoor, notifier(session, clock=at.timestamp), at)
    event = row_of(frontdoor, ticket, row)
    assert event.status == "failed"
    assert event.last_error == f"HTTP 503 from {receiver.url.split('/')[2]}"
    assert SECRET not in (event.last_error or "")
