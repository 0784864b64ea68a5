"""The console's search in what was said on PostgreSQL: same answers as ILIKE, through the
trigram index of ``lower(text)`` (migration 0102_search)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import views as queries
from core.adapters import orm
from core.bootstrap import Frontdoor

from .console import conversation, iso

START = iso("2026-06-01T08:00:00+00:00")
SAID = [
    "The Queue is SLOW since Monday",
    "queue is slow",
    "the queue isslow",
    "Été très CHAUD, la FILE est lente",
    "discount 50% off_now",
    "discount 50 percent offXnow",
    "path C:\\Temp\\log",
    "STRASSE und Straße",
]
PHRASES = [
    "queue is slow",
    "QUEUE IS SLOW",
    "ueue is sl",
    "été",
    "ÉTÉ TRÈS",
    "50%",
    "off_now",
    "c:\\temp",
    "straße",
    "STRASSE",
    "nothing like this",
]


def _seed(fd: Frontdoor) -> None:
    for n, text in enumerate(SAID):
        started = START + timedelta(minutes=n)
        conversation(fd, "chat", f"s{n}", started, [("customer", "say", text)])


def _ilike(session: Session, phrase: str) -> list[int]:
    """What the console answered before 0102_search: ILIKE, newest first."""
    said = select(orm.turns.c.transcript_id).where(
        orm.turns.c.text.ilike(queries.like_pattern(phrase), escape="\\")
    )
    statement = (
        select(orm.transcripts.c.id)
        .where(orm.transcripts.c.id.in_(said))
        .order_by(orm.transcripts.c.started_at.desc(), orm.transcripts.c.id.desc())
    )
    return list(session.execute(statement).scalars())


@pytest.mark.postgres
def test_search_finds_exactly_what_ilike_finds(postgres_frontdoor: Frontdoor) -> None:
    """Every phrase (any case, accents, %, _ and backslash) finds the conversations ILIKE finds."""
    _seed(postgres_frontdoor)
    with Session(postgres_frontdoor.engine) as session:
        for phrase in PHRASES:
            found = queries.conversations(session, queries.ConversationFilter(q=phrase), None)
            assert [r.id for r in found.rows] == _ilike(session, phrase), phrase
        everything = queries.conversations(session, queries.ConversationFilter(q="été"), None)
        assert len(everything.rows) == 1


@pytest.mark.postgres
def test_search_reads_the_lower_text_trigram_index(postgres_frontdoor: Frontdoor) -> None:
    """The search is answered from ix_turns_text_lower_trgm, which has no pending list; the
    ILIKE index of 0101_staff is gone."""
    _seed(postgres_frontdoor)
    engine = postgres_frontdoor.engine
    with engine.connect() as connection:
        indexes = dict(
            connection.exec_driver_sql(
                "SELECT c.relname,"
                " pg_get_indexdef(c.oid) || ' ' || coalesce(c.reloptions::text, '')"
                " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                " WHERE i.indrelid = 'turns'::regclass"
            ).all()
        )
        assert "ix_turns_text_trgm" not in indexes
        definition = indexes["ix_turns_text_lower_trgm"]
        assert "USING gin (lower(text)" in definition and "gin_trgm_ops" in definition
        assert definition.endswith("{fastupdate=off}")
        connection.exec_driver_sql("SET enable_seqscan = off")
        search = queries.ConversationFilter(q="Queue is slow")
        statement = select(orm.transcripts.c.id).where(
            *queries.conversation_conditions(search, "postgresql")
        )
        sql = str(statement.compile(engine, compile_kwargs={"literal_binds": True}))
        plan = "\n".join(connection.exec_driver_sql(f"EXPLAIN {sql}").scalars())
        assert "ix_turns_text_lower_trgm" in plan
