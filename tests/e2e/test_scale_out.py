"""The scale-out topology (deploy/topology.py) survives the loss of one instance of each kind.

haproxy in front of two web apps (gunicorn), two Rasa servers (PostgreSQL tracker store, Redis
lock store), two action servers and two outbox workers, on one PostgreSQL schema and one Redis,
all on loopback. Phone calls and Help Center chats run concurrently through the load balancer
while one web app, one Rasa, one action server and one worker are killed with SIGKILL, one
after the other. Every call and chat completes (failed webhooks retried as Twilio retries
them), each opens exactly one ticket, no transcript turn is lost, and every e-mail the outbox
holds (the new tickets' and the escalations of tickets opened before) arrives exactly once.
"""

from __future__ import annotations

import email
import email.policy
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from integration.helpers import iso
from integration.mailbox import Mailbox
from sqlalchemy import func, select

from core.adapters.mail import DELIVERY_ID_HEADER, DELIVERY_IDS_HEADER
from core.adapters.orm import outbox, tickets, transcripts, turns
from core.bootstrap import Frontdoor
from core.demo import load_demo
from core.services import Case, find_contract, submit_case
from deploy.topology import Topology, running
from phonesim import CallResult
from phonesim.demo_calls import DemoCall, demo_calls
from tests.e2e.chat_stack import train_model
from tests.e2e.scale_traffic import ChatClient, ChatResult, play_call

from .conftest import DEMO_TODAY, DESK, ON_CALL

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.chat_model]

KILL_ORDER = ("web1", "rasa1", "actions1", "worker1")
KILL_EVERY = 4.0  # seconds between two kills, traffic running throughout
SEEDED = 4  # tickets opened before the start, whose escalation e-mails are all due
OPENING = "Hello, our digital fax has stopped sending any documents today"
CHAT_CONTRACTS = ("1013", "1016")  # Europe Gold and Platinum, English administrators


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    box.start()
    yield box
    box.stop()


@pytest.fixture
def topology(postgres_frontdoor: Frontdoor, mailbox: Mailbox, tmp_path: Path) -> Iterator[Topology]:
    train_model()
    load_demo(postgres_frontdoor.uow(), DEMO_TODAY)
    env = {
        "FRONTDOOR_IVR_SIMULATED_TIME": "1",
        "FRONTDOOR_IVR_DESK_NUMBER": DESK,
        "FRONTDOOR_ONCALL_NUMBERS": ",".join(ON_CALL),
        "FRONTDOOR_OUTBOX_MAX_AGE_HOURS": "2000",  # the seeded tickets' e-mails are old
        "FRONTDOOR_OUTBOX_LEASE_SECONDS": "5",  # a killed worker's batch is taken over soon
        "FRONTDOOR_WORKER_POLL_SECONDS": "1",
        "FRONTDOOR_WORKER_HEADER": "1",
    }
    url = postgres_frontdoor.settings.database_url
    smtp = ("127.0.0.1", mailbox.port)
    topology = Topology(url, tmp_path / "topology", 2, smtp=smtp, env=env, web_workers=1)
    with running(topology) as up:
        yield up


def seed_escalations(fd: Frontdoor) -> None:
    """Gold P2 tickets opened on a Friday evening three weeks ago: their whole ladder is due."""
    for n in range(SEEDED):
        with fd.uow() as uow:
            contract = find_contract(uow, "1013")
            key = f"seed:{n}"
            at = iso("2026-11-13T17:00:00+01:00")
            submit_case(
                uow, fd.book, Case("phone", key, at, contract, "P2", "en", idempotency_key=key)
            )
            uow.commit()


def kill_one_of_each(topology: Topology, killed: list[str]) -> None:
    for name in KILL_ORDER:
        time.sleep(KILL_EVERY)
        topology.kill(name)
        killed.append(name)


Played = list[tuple[DemoCall, CallResult, int]]  # the call, its record, webhooks retried


def keep_calling(topology: Topology, until: threading.Event) -> Played:
    token = topology.shared_env["TWILIO_AUTH_TOKEN"]
    played: Played = []
    while not until.is_set():
        for call in demo_calls(DEMO_TODAY):
            result, retried = play_call(topology.url, topology.url, token, call)
            played.append((call, result, retried))
    return played


def keep_chatting(topology: Topology, contract: str, until: threading.Event) -> list[ChatResult]:
    done: list[ChatResult] = []
    while not until.is_set():
        client = ChatClient(topology.url, contract, topology.shared_env["SECRET_KEY"])
        done.append(client.report(OPENING))
    return done


def test_every_call_and_chat_completes_while_one_instance_of_each_kind_is_killed(
    topology: Topology, postgres_frontdoor: Frontdoor, mailbox: Mailbox
) -> None:
    fd = postgres_frontdoor
    seed_escalations(fd)
    stop = threading.Event()
    killed: list[str] = []
    with ThreadPoolExecutor(max_workers=5) as pool:
        phones: list[Future[Played]] = [pool.submit(keep_calling, topology, stop) for _ in range(2)]
        chats = [pool.submit(keep_chatting, topology, c, stop) for c in CHAT_CONTRACTS]
        try:
            kill_one_of_each(topology, killed)
            time.sleep(KILL_EVERY)  # traffic on the survivors alone
        finally:
            stop.set()
        calls = [played for future in phones for played in future.result(timeout=300)]
        conversations = [c for future in chats for c in future.result(timeout=300)]

    assert killed == list(KILL_ORDER)
    assert not any(topology.members[name].running for name in KILL_ORDER)
    assert len(calls) >= 8 and len(conversations) >= 4, (len(calls), len(conversations))
    for call, result, _ in calls:
        check_call(fd, call, result)
    for conversation in conversations:
        check_chat(fd, conversation)
    unnamed = [c.said for c in conversations if c.ticket is None]
    assert unnamed == []  # a turn that reached Rasa twice was answered from the first
    with fd.engine.connect() as db:
        opened = db.execute(select(func.count()).select_from(tickets)).scalar_one()
    assert opened == len(calls) + len(conversations) + SEEDED  # none lost, none twice
    check_mail_once(fd, mailbox)


def check_call(fd: Frontdoor, call: DemoCall, result: CallResult) -> None:
    """The call ended as scripted (its last answer of each step 200), one ticket, every step
    of the caller in the transcript."""
    assert (result.ended, result.error) == ("hangup", None), (call.name, result.error)
    assert all(r.status == 200 for r in result.requests), [r.status for r in result.requests]
    assert [p.removeprefix("/ivr/") for p in result.paths] == [*call.paths, "status"]
    with fd.engine.connect() as db:
        found = db.execute(
            select(tickets).where(tickets.c.idempotency_key == f"phone:{result.call_sid}")
        ).all()
        transcript = db.execute(
            select(transcripts).where(transcripts.c.conversation_id == result.call_sid)
        ).one()
        caller_turns = db.execute(
            select(func.count())
            .select_from(turns)
            .where(turns.c.transcript_id == transcript.id, turns.c.speaker == "caller")
        ).scalar_one()
    assert len(found) == 1 and found[0].priority == call.priority, call.name
    keys = [e for e in result.events if e.kind in ("keys", "silence")]
    assert caller_turns == len(keys), call.name


def check_chat(fd: Frontdoor, chat: ChatResult) -> None:
    """The conversation has exactly one ticket, the one the bot named, and every message the
    customer sent is in the transcript."""
    with fd.engine.connect() as db:
        numbers = (
            db.execute(
                select(tickets.c.number).where(tickets.c.conversation_id == chat.conversation_id)
            )
            .scalars()
            .all()
        )
    assert len(numbers) == 1, (chat.conversation_id, numbers, chat.sent, chat.said)
    assert chat.ticket == numbers[0]
    with fd.uow() as uow:
        transcript = uow.transcripts.get("chat", chat.conversation_id)
    assert transcript is not None
    customer = [t.text for t in transcript.turns if t.speaker == "customer"]
    assert customer[0] == OPENING
    # each turn once (a copy of a turn is answered, not processed; a click shows as its title)
    assert len(customer) == len(chat.sent), (customer, chat.sent)


def check_mail_once(fd: Frontdoor, mailbox: Mailbox, wait: float = 90.0) -> None:
    """Every e-mail row is sent once the survivors caught up, and each delivery id arrived in
    exactly one message (a digest carries several)."""
    deadline = time.monotonic() + wait
    while True:
        with fd.engine.connect() as db:
            rows = db.execute(
                select(outbox.c.delivery_id, outbox.c.status, outbox.c.payload).where(
                    outbox.c.due_at <= datetime.now(UTC)
                )
            ).all()
        emails = [r for r in rows if r.payload.get("channel", "email") == "email"]
        pending = [r for r in emails if r.status in ("pending", "failed")]
        if not pending or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert not pending, Counter(r.status for r in pending)
    received: Counter[str] = Counter()
    for _, raw in mailbox.handler.received:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        ids = str(message.get(DELIVERY_IDS_HEADER) or message.get(DELIVERY_ID_HEADER) or "")
        received.update(i.strip() for i in ids.replace("\n", " ").split(",") if i.strip())
    sent = {str(r.delivery_id) for r in emails if r.status == "sent"}
    assert sent, "no e-mail at all"
    assert set(received) >= sent, sorted(sent - set(received))[:5]
    assert [i for i, n in received.items() if n > 1] == []
