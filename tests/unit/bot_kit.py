"""Helpers for the bot's action tests (financial-demo style tracker fixtures, built in code).

A :class:`Chat` holds a core client on an in-memory unit of work with the demo contracts, a
settable clock, and the slots of one conversation; :meth:`Chat.run` runs an action the way the
action server would (a rasa_sdk ``Tracker`` and ``CollectingDispatcher``) and applies the
returned slot events, so tests read like conversations.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import itertools
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.frontdoor import CoreClient
from core.calendar import CalendarBook
from core.demo import load_demo
from core.policy import load_policy
from core.testing import FakeUnitOfWork
from core.tokens import identity_proof, issue_token

SECRET = "test-secret"
TODAY = date(2026, 11, 24)  # a Tuesday
OPEN = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # 10:00 in Rome, 13:00 in Dubai
CLOSED = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)  # 22:00 in Rome, 01:00 in Dubai
_senders = itertools.count(1)
_POLICY = load_policy()
_BOOK = CalendarBook(_POLICY)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@functools.cache
def _demo_store() -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    load_demo(uow, TODAY)  # argon2 hashes the demo PIN: once per test session
    return uow


def demo_client(now: datetime = OPEN) -> CoreClient:
    """A core client on its own in-memory store with the demo contracts of :data:`TODAY`."""
    uow = copy.deepcopy(_demo_store())
    return CoreClient(_POLICY, _BOOK, lambda: uow, SECRET, Clock(now))


def token(code: str, email: str, language: str | None = None, ttl_minutes: int = 60) -> str:
    return issue_token(SECRET, code, email, OPEN, timedelta(minutes=ttl_minutes), language)


class Chat:
    """One conversation: slots, events, and the replies of the last action run."""

    def __init__(self, client: CoreClient, **slots: Any) -> None:
        self.client = client
        self.sender = f"test-{next(_senders)}"
        self.slots: dict[str, Any] = {"contact_verified": False, **slots}
        self.events: list[dict[str, Any]] = []
        self.latest: dict[str, Any] = {}
        self.replies: list[dict[str, Any]] = []
        self.returned: list[dict[str, Any]] = []

    def user(self, text: str, intent: str = "inform", **metadata: Any) -> Chat:
        """The user sends ``text`` (classified as ``intent``)."""
        self.latest = {
            "text": text,
            "intent": {"name": intent, "confidence": 1.0},
            "entities": [],
            "message_id": uuid.uuid4().hex,
            "metadata": metadata,
        }
        self.events.append({"event": "user", "text": text, "parse_data": self.latest})
        return self

    def run(self, action: Action, active_loop: str | None = None) -> list[dict[str, Any]]:
        """Run ``action`` as the action server would; returns the texts it sent."""
        from bot import frontdoor

        tracker = Tracker(
            self.sender,
            dict(self.slots),
            self.latest,
            list(self.events),
            False,
            None,
            {"name": active_loop} if active_loop else {},
            None,
        )
        dispatcher = CollectingDispatcher()
        frontdoor.set_client(self.client)
        try:
            self.returned = asyncio.run(action.run(dispatcher, tracker, _domain()))
        finally:
            frontdoor.set_client(None)
        for event in self.returned:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
        self.replies = dispatcher.messages
        for message in self.replies:  # what Rasa records of each bot message
            self.events.append(
                {
                    "event": "bot",
                    "text": message.get("text"),
                    "data": {"buttons": message.get("buttons")},
                }
            )
        return self.replies

    def texts(self) -> list[str]:
        return [m["text"] for m in self.replies]

    def said(self, fragment: str) -> bool:
        return any(fragment in t for t in self.texts())


def proven(chat: Chat) -> Chat:
    """The chat as after a code + e-mail identification in it: its slots carry the proof the
    action server made then (what a forged tracker cannot produce without the secret)."""
    code, email = chat.slots["customer_code"], chat.slots["contact_email"]
    chat.slots["contact_proof"] = identity_proof(SECRET, chat.sender, code, email)
    return chat


def _domain() -> dict[str, Any]:
    import yaml

    from core.settings import PROJECT_ROOT

    data: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text("utf-8"))
    return data


def extracted(chat: Chat, **slots: Any) -> Chat:
    """Slots Rasa's slot mappings filled from the user's last message (validated next)."""
    for name, value in slots.items():
        chat.slots[name] = value
        chat.events.append({"event": "slot", "name": name, "value": value})
    return chat
