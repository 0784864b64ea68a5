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


class ChatAction(Action, abc.ABC):
    """An action that replies through a :class:`Turn`; subclasses implement :meth:`handle`."""

    @abc.abstractmethod
    def handle(self, turn: Turn) -> None: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        client = get_client()
        with client.uow() as uow:
            turn = Turn(dispatcher, tracker, uow, client)
            self.handle(turn)
            turn.flush()
            uow.commit()
        return turn.events


class Say(ChatAction, abc.ABC):
    """An action that sends one fixed reply."""

    key: str

    @abc.abstractmethod
    def name(self) -> str: ...

    def handle(self, turn: Turn) -> None:
        turn.say_text(turn.text(self.key, **self.params(turn)))

    def params(self, turn: Turn) -> dict[str, object]:
        return {}
