"""Live hand-off through the web app, on SQLite and PostgreSQL: the queue, one agent taking a
chat, messages both ways over the Server-Sent Events streams (and resuming after the last
event id), the routing of the customer's messages away from Rasa, tickets through the intake
service, the bot's return when nobody takes the chat, and refusals that change nothing."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from core.bootstrap import Frontdoor
from core.model import LiveChat, Turn
from core.services import add_staff, add_turns, get_ticket, live_chat
from core.services.live_chat import Agent, TakenByAnother
from web.helpcenter.live import NO, RESTART, YES
from web.helpcenter.rasa import RasaClient

from .console import (
    ADMIN,
    AGENT,
    CHEAP_HASHER,
    PASSWORD,
    Clock,
    ConsoleClient,
    add_accounts,
    make_app,
)
from .helpers import add_contract

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
HANDOFF_TEXT = "La passo subito a un nostro operatore, che le risponderà qui in chat tra poco."


@dataclass
class FakeRasa:
    """Rasa's REST channel in process: "operatore" hands the chat off the way the action server
    does (transcript outcome handed_off, reason live_agent); anything else is echoed."""

    fd: Frontdoor
    clock: Clock
    received: list[str] = field(default_factory=list)

    def __call__(self, url: str, body: bytes, timeout: float) -> bytes:
        sent = json.loads(body)
        self.received.append(sent["message"])
        if "operatore" not in sent["message"]:
            return json.dumps([{"text": f"bot: {sent['message']}"}]).encode()
        at = self.clock()
        add_turns(
            self.fd.uow(),
            channel="chat",
            conversation_id=sent["sender"],
            turns=[Turn("customer", sent["message"], at), Turn("bot", HANDOFF_TEXT, at)],
            outcome=("handed_off", "live_agent"),
            contract_code="2001",
            language="it",
        )
        return json.dumps([{"text": HANDOFF_TEXT}]).encode()


@dataclass
class Event:
    name: str
    data: Any
    id: int | None


def read_stream(
    app: Flask, client: FlaskClient, path: str, seconds: float = 0.5, **headers: str
) -> list[Event]:
    """Every event a stream sends before it ends after ``seconds``."""
    app.config["FRONTDOOR_LIVE_CHAT_STREAM_SECONDS"] = seconds
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/event-stream"
    assert response.headers["X-Accel-Buffering"] == "no"
    found = []
    for block in response.get_data(as_text=True).split("\n\n"):
        fields = dict(
            line.split(": ", 1)
            for line in block.splitlines()
            if ": " in line and not line.startswith(":")
        )
        if "event" in fields:
            found.append(
                Event(
                    fields["event"],
                    json.loads(fields["data"]),
                    int(fields["id"]) if "id" in fields else None,
                )
            )
    return found


class Customer:
    """A browser on the Help Center page."""

    def __init__(self, app: Flask):
        self.app = app
        self.client = app.test_client()
        page = self.client.get("/help/").get_data(as_text=True)
        found = CSRF_META.search(page)
        assert found
        self.csrf = found.group(1)

    def say(self, message: Any) -> Any:
        body = {"message": message, "language": "it"}
        return self.client.post("/help/chat", json=body, headers={"X-CSRFToken": self.csrf})

    def stream(self, seconds: float = 0.5, **headers: str) -> list[Event]:
        return read_stream(self.app, self.client, "/help/live/stream", seconds, **headers)


@dataclass
class Live:
    fd: Frontdoor
    app: Flask
    clock: Clock
    rasa: FakeRasa
    customer: Customer
    agent: ConsoleClient
    other: ConsoleClient  # a second signed-in agent (the admin account)

    def hand_off(self) -> int:
        answer = self.customer.say("vorrei parlare con un operatore").get_json()
        assert answer["live"]["state"] == "waiting"
        return int(self.queue()[0]["id"])

    def queue(self) -> list[dict[str, Any]]:
        events = read_stream(self.app, self.agent.client, "/console/live/queue/stream", 0.3)
        return list(events[-1].data["rows"])

    def chat_events(
        self, chat_id: int, client: ConsoleClient | None = None, **headers: str
    ) -> list[Event]:
        who = client or self.agent
        return read_stream(self.app, who.client, f"/console/live/{chat_id}/stream", 0.4, **headers)

    def chat(self, chat_id: int) -> LiveChat:
        return live_chat.get_chat(self.fd.uow(), chat_id)

    def last_event(self, chat_id: int) -> int:
        return live_chat.last_event_id(self.fd.uow(), chat_id)

    def agent_id(self) -> int:
        with self.fd.uow() as uow:
            account = uow.staff.get(AGENT)
            assert account is not None and account.id is not None
            return account.id

    def transcript_reason(self, chat_id: int) -> str | None:
        with self.fd.uow() as uow:
            found = uow.transcripts.get("chat", self.chat(chat_id).conversation_id)
            return found.reason if found else None


@pytest.fixture
def live(frontdoor: Frontdoor) -> Iterator[Live]:
    add_contract(frontdoor)  # 2001, Gold, Europe; Wednesday 10:00 in Rome: open
    add_accounts(frontdoor)
    clock = Clock()
    app = make_app(frontdoor, clock, FRONTDOOR_CHAT_TOKEN_SECRET="s", FRONTDOOR_LIVE_CHAT_POLL=0.02)
    rasa = FakeRasa(frontdoor, clock)
    app.extensions["helpcenter.rasa"] = RasaClient("http://rasa.test", 2.0, transport=rasa)
    agent, other = ConsoleClient(app.test_client()), ConsoleClient(app.test_client())
    assert agent.sign_in(AGENT).status_code == 302
    assert other.sign_in(ADMIN).status_code == 302
    yield Live(frontdoor, app, clock, rasa, Customer(app), agent, other)


def _transcript(fd: Frontdoor, chat_id: int) -> list[Turn]:
    with fd.uow() as uow:
        return live_chat.transcript_of(uow, live_chat.get_chat(uow, chat_id))


def test_a_hand_off_waits_in_the_queue_with_what_the_agent_needs(live: Live) -> None:
    """Customer, contract, plan, language and the bot's summary, oldest first."""
    chat_id = live.hand_off()
    row = live.queue()[0]
    assert (row["id"], row["customer"], row["contract"], row["plan"], row["language"]) == (
        chat_id,
        "Customer 2001",
        "2001",
        "gold",
        "it",
    )
    assert row["state"] == "waiting"
    assert "Asked: vorrei parlare con un operatore" in row["summary"]
    assert datetime.fromisoformat(row["requested_at"]) == live.clock.at


def test_the_queue_page_is_live_and_allows_its_own_script(live: Live) -> None:
    """The hand-off page lists the waiting chat and lets its script open the stream."""
    live.hand_off()
    response = live.agent.get("/console/hand-offs")
    assert "Customer 2001" in response.get_data(as_text=True)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "connect-src 'self'" in response.headers["Content-Security-Policy"]


def test_waiting_customer_messages_go_to_the_chat_not_to_rasa(live: Live) -> None:
    """While waiting, Rasa hears nothing; the customer sees the place in the queue."""
    chat_id = live.hand_off()
    answer = live.customer.say("sono ancora qui").get_json()
    assert answer["replies"] == [] and answer["live"]["position"] == 1
    assert live.rasa.received == ["vorrei parlare con un operatore"]
    waiting = [e for e in live.customer.stream(0.3) if e.name == "waiting"]
    assert waiting[0].data["position"] == 1
    assert "numero 1 in coda" in waiting[0].data["text"]
    assert [e.data["text"] for e in live.chat_events(chat_id) if e.name == "message"] == [
        "sono ancora qui"
    ]


def test_one_agent_takes_the_chat_and_a_second_sees_who_has_it(live: Live) -> None:
    """The first take wins; the second agent gets 409 with the first one's name."""
    chat_id = live.hand_off()
    assert live.agent.post(f"/console/live/{chat_id}/take").get_json()["state"] == "taken"
    refused = live.other.post(f"/console/live/{chat_id}/take")
    assert refused.status_code == 409
    assert refused.get_json()["agent"] == "Agent"
    assert live.agent.post(f"/console/live/{chat_id}/take").status_code == 200  # again: harmless
    assert live.queue()[0]["state"] == "taken" and live.queue()[0]["agent"] == "Agent"


def test_messages_flow_both_ways_and_into_the_one_transcript(live: Live) -> None:
    """The customer sees the agent's message with the agent's first name; the agent sees the
    customer's; every line is in the transcript with its speaker."""
    chat_id = live.hand_off()
    live.agent.post(f"/console/live/{chat_id}/take")
    assert (
        live.agent.post(
            f"/console/live/{chat_id}/messages", {"text": "Buongiorno, sono qui."}
        ).status_code
        == 200
    )
    seen = live.customer.stream()
    messages = [e.data for e in seen if e.name == "message"]
    assert messages == [messages[0]] and messages[0]["text"] == "Buongiorno, sono qui."
    assert (messages[0]["name"], messages[0]["speaker"], messages[0]["label"]) == (
        "Agent",
        "agent",
        "Operatore",
    )
    assert any(e.name == "status" and e.data["text"] == "Agent si è unito alla chat." for e in seen)
    live.customer.say("Il centralino non parte.")
    said = [e.data["text"] for e in live.chat_events(chat_id) if e.name == "message"]
    assert said == ["Buongiorno, sono qui.", "Il centralino non parte."]
    speakers = [(t.speaker, t.text) for t in _transcript(live.fd, chat_id) if t.kind == "say"]
    agent_id = live.agent_id()
    assert speakers[-2:] == [
        (f"agent:{agent_id}", "Buongiorno, sono qui."),
        ("customer", "Il centralino non parte."),
    ]


def test_a_reconnecting_stream_gets_what_it_missed_once(live: Live) -> None:
    """Last-Event-ID: only the events after it, each once."""
    chat_id = live.hand_off()
    live.agent.post(f"/console/live/{chat_id}/take")
    live.agent.post(f"/console/live/{chat_id}/messages", {"text": "uno"})
    first = [e for e in live.customer.stream() if e.name == "message"]
    live.agent.post(f"/console/live/{chat_id}/messages", {"text": "due"})
    live.agent.post(f"/console/live/{chat_id}/messages", {"text": "tre"})
    again = live.customer.stream(**{"Last-Event-ID": str(first[-1].id)})
    assert [e.data["text"] for e in again if e.name == "message"] == ["due", "tre"]


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001])
def test_empty_or_oversized_agent_messages_are_refused_and_change_nothing(
    live: Live, text: str
) -> None:
    """A clear 400 in JSON; no event, no transcript line."""
    chat_id = live.hand_off()
    live.agent.post(f"/console/live/{chat_id}/take")
    before = (live.last_event(chat_id), len(_transcript(live.fd, chat_id)))
    refused = live.agent.post(f"/console/live/{chat_id}/messages", {"text": text})
    assert refused.status_code == 400
    assert "1 to 2000 characters" in refused.get_json()["error"]
    assert (live.last_event(chat_id), len(_transcript(live.fd, chat_id))) == before


def test_oversized_customer_messages_are_refused_while_live(live: Live) -> None:
    chat_id = live.hand_off()
    before = live.last_event(chat_id)
    assert live.customer.say("x" * 2001).status_code == 400
    assert live.customer.say("").status_code == 400
    assert live.last_event(chat_id) == before


def test_agent_posts_need_the_csrf_token_and_the_holder(live: Live) -> None:
    """Without the token: 400; another agent cannot write, give back or close."""
    chat_id = live.hand_off()
    live.agent.post(f"/console/live/{chat_id}/take")
    bare = live.agent.client.post(f"/console/live/{chat_id}/messages", data={"text": "hi"})
    assert bare.status_code == 400
    for action in ("messages", "give-back", "close", "ticket"):
        response = live.other.post(
            f"/console/live/{chat_id}/{action}", {"text": "hi", "priority": "P3", "summary": "s"}
        )
        assert response.status_code == 409, action
    assert [e for e in live.chat_events(chat_id) if e.name == "message"] == []


def test_signed_out_browsers_cannot_read_or_write(live: Live) -> None:
    chat_id = live.hand_off()
    stranger = ConsoleClient(live.app.test_client())
    for path in (
        f"/console/live/{chat_id}",
        f"/console/live/{chat_id}/stream",
        "/console/live/queue/stream",
    ):
        assert stranger.get(path).status_code == 302
    assert live.customer.client.get(f"/console/live/{chat_id}/stream").status_code == 302


def test_the_agent_opens_a_ticket_that_carries_the_transcript(live: Live) -> None:
    """Through the intake service: the decision and the ticket in the transcript, the ticket
    linked to the conversation."""
    chat_id = live.hand_off()
    live.agent.post(f"/console/live/{chat_id}/take")
    live.customer.say("Il centralino non parte da stamattina.")
    answer = live.agent.post(
        f"/console/live/{chat_id}/ticket", {"priority": "P2", "summary": "Centralino fermo"}
    ).get_json()
    assert answer["outcome"] == "open_ticket" and answer["number"]
    ticket = get_ticket(live.fd.uow(), answer["number"])
    chat = live.chat(chat_id)
    assert (ticket.conversation_id, ticket.priority, ticket.summary) == (
        chat.conversation_id,
        "P2",
        "Centralino fermo",
    )
    lines = [t.text for t in _transcript(live.fd, chat_id)]
    assert "Il centralino non parte da stamattina." in lines
    assert f"ticket {answer['number']} opened (P2)" in lines
    assert any(
        e.name == "status" and answer["number"] in e.data["text"] for e in live.customer.stream()
    )


def test_after_the_agent_gives_back_the_bot_answers_again(live: Live) -> None:
    """Rasa, paused since the hand-off, is restarted once; then it answers."""
    chat_id = live.hand_off()
    live.agent.post(f"/console/live/{chat_id}/take")
    assert live.agent.post(f"/console/live/{chat_id}/give-back").get_json()["state"] == "bot"
    assert live.customer.client.get("/help/live/stream").status_code == 204  # nothing to follow
    answer = live.customer.say("che orari avete?").get_json()
    assert answer["replies"][0]["text"] == "bot: che orari avete?"
    assert live.rasa.received[-3:] == [RESTART, RESTART, "che orari avete?"]
    live.customer.say("grazie")
    assert live.rasa.received[-1] == "grazie" and live.rasa.received.count(RESTART) == 2
    assert live.transcript_reason(chat_id) == "returned_to_bot"


def test_a_new_hand_off_after_a_give_back_waits_again(live: Live) -> None:
    chat_id = live.hand_off()
    live.agent.post(f"/console/live/{chat_id}/take")
    live.agent.post(f"/console/live/{chat_id}/close")
    assert live.queue() == []
    assert live.hand_off() == chat_id
    assert live.queue()[0]["state"] == "waiting"


def test_nobody_takes_it_in_time_the_bot_offers_a_ticket_and_opens_it(live: Live) -> None:
    """After FRONTDOOR_LIVE_CHAT_WAIT the bot apologises, offers a ticket with the transcript,
    and opens it when the customer agrees."""
    live.app.config["FRONTDOOR_LIVE_CHAT_WAIT"] = 60
    chat_id = live.hand_off()
    assert not [e for e in live.customer.stream(0.2) if e.name == "message"]
    live.clock.advance(seconds=61)
    offer = [e.data for e in live.customer.stream(0.3) if e.name == "message"]
    assert offer[0]["speaker"] == "bot" and offer[0]["text"].startswith(
        "Mi scusi: nessun operatore"
    )
    assert [b["payload"] for b in offer[0]["buttons"]] == [YES, NO]
    assert live.queue() == []
    said = live.customer.say(YES).get_json()["replies"][0]["text"]
    number = re.search(r"ticket (\d{7})", said)
    assert number, said
    ticket = get_ticket(live.fd.uow(), number.group(1))
    assert ticket.conversation_id == live.chat(chat_id).conversation_id
    assert "vorrei parlare con un operatore" in ticket.summary
    assert live.customer.say("grazie").get_json()["replies"][0]["text"] == "bot: grazie"


def test_declining_the_offer_opens_nothing(live: Live) -> None:
    live.app.config["FRONTDOOR_LIVE_CHAT_WAIT"] = 60
    chat_id = live.hand_off()
    live.clock.advance(seconds=61)
    live.customer.stream(0.2)
    live.customer.say(NO)
    assert live.chat(chat_id).ticket_number is None
    assert live.chat(chat_id).state == "bot"


def test_the_bot_comes_back_when_the_office_closes_meanwhile(live: Live) -> None:
    """Wednesday 17:59 in Rome, then 18:01: closed before anybody took it."""
    live.clock.at = live.clock.at.replace(hour=17, minute=59)  # 17:59 in Rome
    live.hand_off()
    live.clock.advance(minutes=2)
    offer = [e.data for e in live.customer.stream(0.3) if e.name == "message"]
    assert offer and offer[0]["text"].startswith("Mi scusi: l'ufficio ha chiuso")


def test_the_agent_sees_when_the_customer_leaves(live: Live) -> None:
    """No stream or heartbeat for FRONTDOOR_LIVE_CHAT_GONE_AFTER: shown as gone."""
    chat_id = live.hand_off()
    live.customer.stream(0.1)
    presence = [e.data for e in live.chat_events(chat_id) if e.name == "presence"]
    assert presence[-1]["present"] is True
    live.clock.advance(seconds=16)
    presence = [e.data for e in live.chat_events(chat_id) if e.name == "presence"]
    assert presence[-1]["present"] is False


def test_two_agents_taking_at_once_one_wins(live: Live) -> None:
    """Threads, each with its own transaction: exactly one take succeeds."""
    chat_id = live.hand_off()
    agents = [
        add_staff(
            live.fd.uow(),
            email=f"a{n}@example.com",
            role="agent",
            password=PASSWORD,
            at=live.clock(),
            hasher=CHEAP_HASHER,
        )
        for n in range(6)
    ]
    barrier, results = threading.Barrier(6), []

    def take(n: int) -> None:
        agent = agents[n]
        assert agent.id is not None
        barrier.wait()
        try:
            live_chat.take(live.fd.uow(), chat_id, Agent(agent.id, agent.email), live.clock())
            results.append("won")
        except TakenByAnother:
            results.append("lost")

    threads = [threading.Thread(target=take, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["lost"] * 5 + ["won"]
