"""rasaserver/rest_channel.py: a user message whose id the conversation already holds is answered
with the bot messages stored after it, and processed no second time."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasaserver.rest_channel import IdempotentRestInput, replies_after
from rasaserver.tracker_store import CachedSQLTrackerStore

BUTTONS = [{"title": "Yes, open it", "payload": "/affirm"}]


def _events() -> list[Any]:
    return [
        UserUttered("fax broken", metadata={"message_id": "m1"}),
        BotUttered("Shall I open this ticket?", data={"buttons": BUTTONS}),
        ActionExecuted("action_listen"),
        UserUttered("/affirm", metadata={"message_id": "m2"}),
        BotUttered("I've opened ticket 0000042."),
        BotUttered("Is there another, separate problem?"),
        ActionExecuted("action_listen"),
    ]


def test_the_replies_of_a_known_message_are_the_bot_messages_up_to_the_next_user_message() -> None:
    assert replies_after(_events(), "m1") == [
        {"text": "Shall I open this ticket?", "buttons": BUTTONS}
    ]
    assert [r["text"] for r in replies_after(_events(), "m2") or []] == [
        "I've opened ticket 0000042.",
        "Is there another, separate problem?",
    ]


def test_an_unknown_message_id_is_processed_as_usual() -> None:
    assert replies_after(_events(), "m3") is None


def test_a_message_sent_again_is_answered_from_the_tracker_without_processing(
    tmp_path: Path,
) -> None:
    store = CachedSQLTrackerStore(dialect="sqlite", db=str(tmp_path / "t.db"))
    tracker = DialogueStateTracker("web-1", slots=[])
    for event in _events():
        tracker.update(event)
    asyncio.run(store.save(tracker))
    channel = IdempotentRestInput()
    channel._tracker_store = store
    processed: list[str] = []

    async def on_new_message(message: UserMessage) -> None:
        processed.append(message.text or "")

    async def deliver(text: str, message_id: str) -> list[dict[str, Any]]:
        collector = CollectingOutputChannel()
        message = UserMessage(text, collector, "web-1", metadata={"message_id": message_id})
        replayed = await channel._replayed(message)
        if replayed is None:
            await on_new_message(message)
        else:
            for reply in replayed:
                await collector.send_response("web-1", reply)
        return collector.messages

    again = asyncio.run(deliver("/affirm", "m2"))
    assert [m["text"] for m in again] == [
        "I've opened ticket 0000042.",
        "Is there another, separate problem?",
    ]
    assert processed == []
    assert asyncio.run(deliver("new problem", "m3")) == []
    assert processed == ["new problem"]
