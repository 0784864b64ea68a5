"""Alembic migrations and the ORM mapping, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import StatementError

from core.adapters import orm
from core.adapters.db import current_heads, make_engine, shipped_heads, upgrade
from core.bootstrap import Frontdoor
from core.model import Transcript

from .helpers import iso


def test_upgrade_from_empty_reaches_head(database_url: str) -> None:
    """An empty database is migrated to the latest revision."""
    assert current_heads(database_url) == frozenset()
    upgrade(database_url)
    assert current_heads(database_url) == shipped_heads()


def test_upgrade_twice_changes_nothing(database_url: str) -> None:
    """Running the migration again on an up-to-date database is a no-op."""
    upgrade(database_url)
    upgrade(database_url)
    assert current_heads(database_url) == shipped_heads()


def test_migrated_schema_matches_the_orm_tables(database_url: str) -> None:
    """The hand-written migration creates exactly the tables, columns and indexes mapped."""
    upgrade(database_url)
    engine = make_engine(database_url)
    with engine.connect() as connection:
        dialect = connection.dialect.name
        opts = {"compare_type": True, "include_object": _on_this_backend(dialect)}
        context = MigrationContext.configure(connection, opts=opts)
        assert compare_metadata(context, orm.metadata) == []
    engine.dispose()


def test_start_mappers_can_be_called_twice() -> None:
    """Mapping is idempotent (every bootstrap calls it): the domain classes stay mapped once."""
    from sqlalchemy import inspect

    from core.model import Ticket

    orm.start_mappers()
    first = inspect(Ticket)
    orm.start_mappers()
    assert inspect(Ticket) is first
    assert first.local_table is orm.tickets


@pytest.mark.parametrize(
    "stored",
    ["2026-03-29T01:30:00+01:00", "2026-10-25T02:30:00+01:00", "2026-06-08T10:00:00+04:00"],
)
def test_instants_come_back_aware_in_utc(frontdoor: Frontdoor, stored: str) -> None:
    """An aware instant is read back as the same instant, tagged UTC, on every backend."""
    with frontdoor.uow() as uow:
        uow.transcripts.add(
            Transcript(channel="chat", conversation_id="c1", started_at=iso(stored))
        )
        uow.commit()
    with frontdoor.uow() as uow:
        found = uow.transcripts.get("chat", "c1")
        assert found is not None
        assert found.started_at.utcoffset() == timedelta(0)
        assert found.started_at == iso(stored)


def test_naive_instants_are_refused(frontdoor: Frontdoor) -> None:
    """A naive datetime never reaches the database (it would be ambiguous)."""
    naive = Transcript(channel="chat", conversation_id="c2", started_at=datetime(2026, 1, 1))
    with frontdoor.uow() as uow, pytest.raises(StatementError, match="naive"):
        uow.transcripts.add(naive)


def test_utc_type_converts_other_offsets_to_utc() -> None:
    """The column type stores UTC whatever the offset given."""
    value = datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=4)))

    class Dialect:
        name = "sqlite"

    stored = orm.UtcDateTime().process_bind_param(value, Dialect())
    assert stored == datetime(2026, 1, 1, 8)


# PostgreSQL's trigram indexes of 0101_staff and 0102_search are not mapped (their operator class
# lives in whichever schema holds pg_trgm): test_console_search.py checks that searches use them.
UNMAPPED_INDEXES = {"ix_turns_text_trgm", "ix_turns_text_lower_trgm"}


def _on_this_backend(dialect: str) -> Any:
    """Leave out objects mapped for other backends only (``info["dialects"]``)."""

    def include(obj: Any, name: str, kind: str, reflected: bool, other: Any) -> bool:
        if name in UNMAPPED_INDEXES:
            return False
        dialects = getattr(obj, "info", {}).get("dialects") if not reflected else None
        return dialects is None or dialect in dialects

    return include
