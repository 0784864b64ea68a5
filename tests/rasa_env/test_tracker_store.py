"""rasaserver/tracker_store.py: the write-through cache stays right when two Rasa processes share
one events table (a conversation's turns landing on either instance behind a load balancer)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasaserver.tracker_store import CachedSQLTrackerStore


def _store(path: Path) -> CachedSQLTrackerStore:
    return CachedSQLTrackerStore(dialect="sqlite", db=str(path))


def _turn(store: CachedSQLTrackerStore, sender: str, text: str) -> DialogueStateTracker:
    """What Rasa does for one message: read the conversation, add events, store it."""

    async def turn() -> DialogueStateTracker:
        tracker = await store.retrieve(sender) or DialogueStateTracker(sender, slots=[])
        tracker.update(UserUttered(text))
        tracker.update(ActionExecuted("action_listen"))
        await store.save(tracker)
        return tracker

    return asyncio.run(turn())


def _texts(tracker: DialogueStateTracker) -> list[str]:
    return [e.text for e in tracker.events if isinstance(e, UserUttered)]


def test_turns_alternating_between_two_processes_see_every_earlier_turn(tmp_path: Path) -> None:
    first, second = _store(tmp_path / "t.db"), _store(tmp_path / "t.db")
    _turn(first, "web-1", "one")
    _turn(second, "web-1", "two")
    third = _turn(first, "web-1", "three")  # first's cache is stale: it must read "two"
    assert _texts(third) == ["one", "two", "three"]
    fourth = _turn(second, "web-1", "four")
    assert _texts(fourth) == ["one", "two", "three", "four"]
    fresh = asyncio.run(_store(tmp_path / "t.db").retrieve("web-1"))
    assert fresh is not None and _texts(fresh) == ["one", "two", "three", "four"]


def test_a_conversation_served_by_one_process_is_stored_once_per_event(tmp_path: Path) -> None:
    store = _store(tmp_path / "t.db")
    for text in ("a", "b", "c"):
        _turn(store, "web-2", text)
    tracker = asyncio.run(store.retrieve("web-2"))
    assert tracker is not None and _texts(tracker) == ["a", "b", "c"]
    with store.session_scope() as session:
        rows = session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == "web-2").count()
    assert rows == 6  # three user messages, three action_listen: nothing written twice


def test_a_slot_set_elsewhere_is_seen_by_the_process_that_cached_the_conversation(
    tmp_path: Path,
) -> None:
    first, second = _store(tmp_path / "t.db"), _store(tmp_path / "t.db")
    _turn(first, "web-3", "hello")

    async def set_slot() -> None:
        tracker = await second.retrieve("web-3")
        assert tracker is not None
        tracker.update(SlotSet("priority", "P1"))
        await second.save(tracker)

    asyncio.run(set_slot())
    tracker = asyncio.run(first.retrieve("web-3"))
    assert tracker is not None
    assert any(isinstance(e, SlotSet) and e.value == "P1" for e in tracker.events)


def test_a_turn_that_failed_before_it_was_stored_leaves_nothing_for_the_next(
    tmp_path: Path,
) -> None:
    store = _store(tmp_path / "t.db")
    _turn(store, "web-4", "first")

    async def failed_turn() -> None:
        tracker = await store.retrieve("web-4")
        assert tracker is not None
        tracker.update(UserUttered("lost"))  # then an exception: never saved

    asyncio.run(failed_turn())
    after = _turn(store, "web-4", "second")
    assert _texts(after) == ["first", "second"]
    fresh = asyncio.run(_store(tmp_path / "t.db").retrieve("web-4"))
    assert fresh is not None and _texts(fresh) == ["first", "second"]
