"""The shape every chat action shares: an entry point that opens the run's unit of work and a
:class:`~bot.conversation.Turn` in it, replies, commits once, and returns the turn's events
(language, transcript bookkeeping, slots)."""

from __future__ import annotations

import abc
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.conversation import Turn
from bot.frontdoor import get_client
from core import logs

log = logs.get_logger("frontdoor.chat")


class ChatAction(Action, abc.ABC):
    """An action that replies through a :class:`Turn`; subclasses implement :meth:`handle`."""

    @abc.abstractmethod
    def handle(self, turn: Turn) -> None: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        client = get_client()
        logs.bind(conversation_id=str(tracker.sender_id))  # on every line of this run
        with client.uow() as uow:
            turn = Turn(dispatcher, tracker, uow, client)
            self.handle(turn)
            turn.flush()
            uow.commit()
        _log_action(self.name(), turn)
        return turn.events


def _log_action(name: str, turn: Turn) -> None:
    """One ``chat.action`` event per action run: the action, the intent it answered, the slots
    it set (names only) and the conversation's outcome once known; never what was typed."""
    intent = (turn.tracker.latest_message or {}).get("intent") or {}
    outcome, reason, _known = turn.ending or (None, None, {})
    log.info(
        "chat.action",
        action=name,
        intent=intent.get("name"),
        language=turn.language,
        slots=sorted({str(e.get("name")) for e in turn.events if e.get("event") == "slot"}),
        replies=len(turn.dispatcher.messages),
        outcome=outcome,
        reason=reason,
    )


class Say(ChatAction, abc.ABC):
    """An action that sends one fixed reply."""

    key: str

    @abc.abstractmethod
    def name(self) -> str: ...

    def handle(self, turn: Turn) -> None:
        turn.say_text(turn.text(self.key, **self.params(turn)))

    def params(self, turn: Turn) -> dict[str, object]:
        return {}
