"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, and a Frontdoor on it.

PostgreSQL comes from ``FRONTDOOR_TEST_POSTGRES_URL`` (``scripts/postgres-up.sh`` prints one);
without it those tests are skipped, unless ``FRONTDOOR_REQUIRE_POSTGRES=1`` (CI), which makes
them fail.

The migrations run once per session, not once per test (they cost about half a second on
PostgreSQL): ``database_url`` is an empty database, for the tests that run migrations
themselves; ``migrated_database_url`` (under ``frontdoor``) is a copy of a database migrated
once, on SQLite a copy of the migrated file, on PostgreSQL one migrated schema per session whose
rows are deleted and sequences restarted before each test (about 15 ms, where a fresh schema,
a template database or a schema replayed from the recorded DDL cost 70 to 700 ms). Only the
rows are new: the planner's statistics and the free space of the deleted rows stay, so a test
that EXPLAINs a query uses ``postgres_frontdoor`` (a schema migrated for the test).
"""

from __future__ import annotations

import os
import shutil
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import MetaData
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from core.adapters.db import make_engine, upgrade
from core.bootstrap import Frontdoor, bootstrap
from core.policy import Policy, load_policy
from core.settings import load_settings

# tests/rasa_env runs in the Rasa environment (make test: .venv-rasa/bin/python -m pytest ...)
collect_ignore = ["rasa_env"]

RESET_LOCK_TIMEOUT = "5s"  # a reset that waits longer (a leaked transaction) migrates anew


@pytest.fixture(scope="session")
def shipped_policy() -> Policy:
    return load_policy()


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The test server's URL, or skip (fail when FRONTDOOR_REQUIRE_POSTGRES=1)."""
    url = os.environ.get("FRONTDOOR_TEST_POSTGRES_URL", "").strip()
    if url:
        return url
    if os.environ.get("FRONTDOOR_REQUIRE_POSTGRES") == "1":
        pytest.fail("FRONTDOOR_REQUIRE_POSTGRES=1 but FRONTDOOR_TEST_POSTGRES_URL is not set")
    pytest.skip("PostgreSQL not configured (set FRONTDOOR_TEST_POSTGRES_URL)")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_backend(request: pytest.FixtureRequest) -> str:
    """The backend of ``database_url`` and ``frontdoor``: each test runs on both."""
    return str(request.param)


@pytest.fixture
def database_url(
    database_backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An empty database: a fresh SQLite file, or a fresh schema on the PostgreSQL server."""
    if database_backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'frontdoor.sqlite3'}"
        return
    yield from _postgres_schema(request.getfixturevalue("postgres_url"))


@pytest.fixture
def migrated_database_url(
    database_backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """A database at the shipped migrations, with no rows: a copy of a SQLite file migrated once
    per session, or the session's migrated PostgreSQL schema, emptied."""
    if database_backend == "sqlite":
        template: Path = request.getfixturevalue("_sqlite_template")
        copy = tmp_path_factory.mktemp("db") / "frontdoor.sqlite3"
        shutil.copyfile(template, copy)
        return f"sqlite:///{copy}"
    migrated: _MigratedSchema = request.getfixturevalue("_postgres_migrated")
    return migrated.reset()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once (closed, so its WAL is checkpointed: one file to copy)."""
    path = tmp_path_factory.mktemp("db-template") / "frontdoor.sqlite3"
    upgrade(f"sqlite:///{path}")
    for suffix in ("-wal", "-shm"):
        assert not Path(f"{path}{suffix}").exists(), "the template must be one closed file"
    return path


@pytest.fixture(scope="session")
def _postgres_migrated(postgres_url: str) -> Iterator[_MigratedSchema]:
    migrated = _MigratedSchema(postgres_url)
    yield migrated
    migrated.drop()


class _MigratedSchema:
    """One migrated schema per test session, emptied before each test that uses it: every
    table but ``alembic_version`` loses its rows (children first) and every sequence starts
    again, as in a schema just migrated (migrations insert no rows). The schema's name is unique
    to the session, so sessions running at the same time on one server do not meet."""

    def __init__(self, server_url: str):
        self.server_url = server_url
        self.admin = make_engine(server_url)
        self.dropped: list[str] = []
        self._migrate()

    def _migrate(self) -> None:
        self.schema = f"test_{uuid.uuid4().hex[:12]}"
        with self.admin.begin() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{self.schema}"')
        self.url = _schema_url(self.server_url, self.schema)
        upgrade(self.url)
        reflected = MetaData()
        with self.admin.connect() as connection:
            reflected.reflect(connection, schema=self.schema)
            sequences = connection.exec_driver_sql(
                "SELECT sequencename, start_value FROM pg_sequences WHERE schemaname = %s",
                (self.schema,),
            ).all()
        statements = [f"SET LOCAL lock_timeout = '{RESET_LOCK_TIMEOUT}'"]
        statements += [
            f'DELETE FROM "{self.schema}"."{table.name}"'
            for table in reversed(reflected.sorted_tables)
            if table.name != "alembic_version"
        ]
        statements += [
            f'SELECT setval(\'"{self.schema}"."{name}"\', {start}, false)'
            for name, start in sequences
        ]
        self.reset_sql = ";\n".join(statements)
        self.dirty = False

    def reset(self) -> str:
        """The schema's URL, emptied (migrated anew when a leaked lock holds the reset up)."""
        if self.dirty:
            try:
                with self.admin.begin() as connection:
                    connection.exec_driver_sql(self.reset_sql)
            except DBAPIError:  # a lock timeout, or the schema gone: a fresh one
                self.dropped.append(self.schema)
                self._migrate()
        self.dirty = True
        return self.url

    def drop(self) -> None:
        for schema in [*self.dropped, self.schema]:
            try:
                with self.admin.begin() as connection:
                    connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{RESET_LOCK_TIMEOUT}'")
                    connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            except DBAPIError as error:  # a connection leaked by a test still holds it
                warnings.warn(f"test schema {schema} left on the server: {error}", stacklevel=1)
        self.admin.dispose()


def _schema_url(server_url: str, schema: str) -> str:
    url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def _postgres_schema(server_url: str) -> Iterator[str]:
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server_url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield _schema_url(server_url, schema)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def _wired(url: str, policy: Policy) -> Iterator[Frontdoor]:
    fd = bootstrap(load_settings({"DATABASE_URL": url}), policy=policy)
    yield fd
    fd.dispose()


@pytest.fixture
def frontdoor(migrated_database_url: str, shipped_policy: Policy) -> Iterator[Frontdoor]:
    """The application wired on a migrated test database with the shipped policy."""
    yield from _wired(migrated_database_url, shipped_policy)


@pytest.fixture
def postgres_frontdoor(postgres_url: str, shipped_policy: Policy) -> Iterator[Frontdoor]:
    """Like ``frontdoor``, on PostgreSQL only (concurrency tests need a real server), in a
    schema migrated for the test: what the planner does (EXPLAIN) is that of a new database,
    whose tables were never analysed, never of the session schema with its deleted rows."""
    for url in _postgres_schema(postgres_url):
        upgrade(url)
        yield from _wired(url, shipped_policy)
