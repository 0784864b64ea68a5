"""Engines, sessions and migrations. Nothing connects at import time (style.md §4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


SQLITE_BUSY_SECONDS = 30  # how long a transaction waits for the write lock before failing


def make_engine(url: str, **kwargs: Any) -> Any:
    """A 2.0-style engine: SQLite with foreign keys (and WAL and a pool for a file), every
    transaction begun with ``BEGIN IMMEDIATE``; PostgreSQL with ``pool_pre_ping`` so that a
    restarted server does not fail the next request."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        file_based = parsed.database not in (None, "", ":memory:")
        if file_based:
            # a pool of open connections, as SQLAlchemy 2.0 does for a file (1.4 opens and
            # closes one per session, and closing a WAL connection checkpoints the file: about
            # a fifth of the action server's time per chat turn); a pooled connection is used
            # by one thread at a time, so sqlite3's same-thread check is lifted
            kwargs.setdefault("poolclass", QueuePool)
            kwargs.setdefault(
                "connect_args", {"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS}
            )
        engine = create_engine(url, future=True, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas(file_based))
        event.listen(engine, "begin", _begin_immediate)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, future=True, **kwargs)


def _sqlite_pragmas(file_based: bool) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite would begin a transaction only before the first write, so a read-check-write
        # sequence ran unisolated; SQLAlchemy begins them instead (see _begin_immediate)
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if file_based:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    return on_connect


def _begin_immediate(connection: Any) -> None:
    """SQLAlchemy's documented pysqlite recipe, with the write lock taken at the start: a
    transaction reads what it will update only once no other can write (SQLite ignores
    ``FOR UPDATE``), so every unit of work on one database file is serialised."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: Any) -> Any:
    """Sessions whose objects stay readable after commit (services return domain objects)."""
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL, or None for another backend or an in-memory one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration pointing at the packaged migrations, usable from any cwd."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    """Create or migrate the database at ``url`` (``alembic upgrade heads``: features may add
    migrations on parallel branches of the history; all of them are applied)."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def current_heads(url: str) -> frozenset[str]:
    """The revisions the database at ``url`` is at (empty when it was never migrated)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            heads = MigrationContext.configure(connection).get_current_heads()
            return frozenset(heads)
    finally:
        engine.dispose()


def current_revision(url: str) -> str | None:
    """The database's revision (several joined by "+" on a branched history), or None."""
    heads = current_heads(url)
    return "+".join(sorted(heads)) if heads else None


def shipped_heads() -> frozenset[str]:
    """The newest migrations shipped with this code."""
    from alembic.script import ScriptDirectory

    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def is_current(url: str) -> bool:
    """True when the database at ``url`` is migrated to every shipped head."""
    return current_heads(url) == shipped_heads()
