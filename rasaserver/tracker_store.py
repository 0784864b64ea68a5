"""Rasa's SQL tracker store with a write-through cache of recent conversations.

Rasa's ``SQLTrackerStore`` reads every event of the conversation back from the database and
counts the stored ones again on each message; on this 2-core machine that alone costs 150-250 ms
per REST turn. This subclass keeps the last conversations of this process in memory, as the
tracker objects Rasa last stored (Rasa's in-memory store keeps serialised text, rebuilt event by
event on every message: a quarter of the Rasa process's time per turn here), and only *appends*
the new events to the same SQL table, so the database stays complete and a restarted Rasa
reads it back as usual. A kept tracker is handed out again only while it holds exactly the
events stored (a turn that failed before it was saved leaves more: the conversation is read
from the table instead).

Several Rasa processes on one database (behind a load balancer, with the Redis lock store so
that a conversation's turns run one at a time) stay correct: a cached conversation is used only
while the newest stored event id of that conversation is still the one this process wrote last
(one indexed query); when another process has stored a turn since, the conversation is read
again from the table.
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

MAX_CONVERSATIONS = 1000


class CachedSQLTrackerStore(SQLTrackerStore):  # type: ignore[misc]
    """``type: rasaserver.tracker_store.CachedSQLTrackerStore`` in endpoints.yml."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # sender id -> (the tracker last stored, events stored, id of the newest stored event)
        self._recent: OrderedDict[str, tuple[DialogueStateTracker, int, int]] = OrderedDict()
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
        unchanged = hit is not None and len(hit[0].events) == hit[1]
        if hit is not None and unchanged and hit[2] == self._newest_id(sender_id):
            self._recent.move_to_end(sender_id)
            return hit[0]
        self._recent.pop(sender_id, None)  # unknown here, or another process stored a turn
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            self._remember(tracker, self._newest_id(sender_id))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        hit = self._recent.get(tracker.sender_id)
        if hit is None:
            await super().save(tracker)
            self._remember(tracker, self._newest_id(tracker.sender_id))
            return
        await self.stream_events(tracker)
        new = itertools.islice(tracker.events, hit[1], len(tracker.events))
        rows = [self._row(tracker.sender_id, event) for event in new]
        newest = hit[2]
        with self.session_scope() as session:
            session.add_all(rows)
            session.flush()  # the new rows' ids
            newest = max((int(row.id) for row in rows), default=newest)
            session.commit()
        self._remember(tracker, newest)

    def _newest_id(self, sender_id: str) -> int:
        """The id of the newest stored event of ``sender_id`` (0: none)."""
        with self.session_scope() as session:
            newest = (
                session.query(sa.func.max(self.SQLEvent.id))
                .filter(self.SQLEvent.sender_id == sender_id)
                .scalar()
            )
        return int(newest or 0)

    def _remember(self, tracker: DialogueStateTracker, newest: int) -> None:
        self._recent[tracker.sender_id] = (tracker, len(tracker.events), newest)
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
