"""Rasa's SQL tracker store with a write-through cache of recent conversations.

Rasa's ``SQLTrackerStore`` reads every event of the conversation back from the database and
counts the stored ones again on each message; on this 2-core machine that alone costs 150-250 ms
per REST turn. This subclass keeps the last conversations of this process in memory (as Rasa's
in-memory store does: serialised text) and only *appends* the new events to the same SQL table,
so the database stays complete and a restarted Rasa reads it back as usual.

One Rasa process only (the default in-memory lock store implies it): with several processes,
use ``type: SQL`` and the Redis lock store instead (endpoints.yml).
"""

from __future__ import annotations

import itertools
import json
from collections import OrderedDict
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import SingletonThreadPool

MAX_CONVERSATIONS = 2000


class CachedSQLTrackerStore(SQLTrackerStore):  # type: ignore[misc]
    """``type: rasaserver.tracker_store.CachedSQLTrackerStore`` in endpoints.yml."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._recent: OrderedDict[str, tuple[str, int]] = OrderedDict()
        self.engine: Any
        if self.engine.dialect.name == "sqlite":
            self._keep_sqlite_open()

    def _keep_sqlite_open(self) -> None:
        """SQLite: one kept connection in WAL mode (SQLAlchemy 1.4 opens and closes a file
        connection per session, and the default journal syncs twice per commit)."""
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, poolclass=SingletonThreadPool)
        with self.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        self.sessionmaker = sessionmaker(bind=self.engine)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        hit = self._recent.get(sender_id)
        if hit is None:
            tracker = await super().retrieve(sender_id)
            if tracker is not None:
                self._remember(tracker)
            return tracker
        self._recent.move_to_end(sender_id)
        cached: DialogueStateTracker | None = self.deserialise_tracker(sender_id, hit[0])
        return cached

    async def save(self, tracker: DialogueStateTracker) -> None:
        hit = self._recent.get(tracker.sender_id)
        if hit is None:
            await super().save(tracker)
        else:
            await self.stream_events(tracker)
            new = itertools.islice(tracker.events, hit[1], len(tracker.events))
            with self.session_scope() as session:
                session.add_all(self._row(tracker.sender_id, event) for event in new)
                session.commit()
        self._remember(tracker)

    def _remember(self, tracker: DialogueStateTracker) -> None:
        self._recent[tracker.sender_id] = (self.serialise_tracker(tracker), len(tracker.events))
        self._recent.move_to_end(tracker.sender_id)
        while len(self._recent) > MAX_CONVERSATIONS:
            self._recent.popitem(last=False)

    def _row(self, sender_id: str, event: Any) -> Any:
        """The same row ``SQLTrackerStore.save`` writes for one event."""
        data = event.as_dict()
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"),
            data=json.dumps(data),
        )
