"""The helpdesk sync's cursor in the database (:class:`core.helpdesk.Cursor`): one row of
``helpdesk_cursors`` per helpdesk, written in a transaction of its own after a round's changes
were applied (applying them again is harmless, so a crash between the two only repeats work)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from core.adapters import orm


class SqlCursor:
    def __init__(self, engine: Any, name: str = "request_tracker"):
        self.engine, self.name = engine, name

    def get(self) -> datetime | None:
        table = orm.helpdesk_cursors
        with self.engine.connect() as connection:
            value = connection.execute(
                select(table.c.value).where(table.c.name == self.name)
            ).scalar_one_or_none()
        return value if isinstance(value, datetime) else None

    def set(self, value: datetime) -> None:
        table = orm.helpdesk_cursors
        with self.engine.begin() as connection:
            done = connection.execute(
                update(table).where(table.c.name == self.name).values(value=value)
            )
            if done.rowcount == 0:
                connection.execute(table.insert().values(name=self.name, value=value))
