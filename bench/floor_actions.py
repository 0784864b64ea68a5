"""The one custom action of the second floor (bench/floor.py ``with_action``): a fixed reply,
no database, no checks. It measures what a remote action call costs Rasa and rasa_sdk alone."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher


class ActionFixed(Action):
    def name(self) -> str:
        return "action_fixed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        dispatcher.utter_message(text=f"ok: {intent}")
        return []
