"""Alembic environment: the URL or an open connection comes from the caller.

``core.adapters.db.upgrade`` passes a connection in ``config.attributes``; the ``alembic``
command line (``alembic -c core/migrations/alembic.ini ...``) uses ``DATABASE_URL`` or the
default SQLite file of :mod:`core.settings`.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from core.adapters.db import make_engine
from core.adapters.orm import metadata
from core.settings import load_settings

config = context.config


def _url() -> str:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    return url or load_settings().database_url


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite alters tables by copy
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
