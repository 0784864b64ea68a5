"""The shape every chat action shares: open a :class:`~bot.conversation.Turn`, reply, return
its events (language, transcript bookkeeping, slots)."""

from __future__ import annotations

import abc
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.conversation import Turn


class ChatAction(Action, abc.ABC):
    """An action that replies through a :class:`Turn`; subclasses implement :meth:`handle`."""

    @abc.abstractmethod
    def handle(self, turn: Turn) -> None: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        turn = Turn(dispatcher, tracker)
        self.handle(turn)
        turn.flush()
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
