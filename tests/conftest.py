"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, and a Frontdoor on it.

PostgreSQL comes from ``FRONTDOOR_TEST_POSTGRES_URL`` (``scripts/postgres-up.sh`` prints one);
without it those tests are skipped, unless ``FRONTDOOR_REQUIRE_POSTGRES=1`` (CI), which makes
them fail. Each PostgreSQL test runs in a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from core.adapters.db import make_engine, upgrade
from core.bootstrap import Frontdoor, bootstrap
from core.policy import Policy, load_policy
from core.settings import load_settings

# tests/rasa_env runs in the Rasa environment (make test: .venv-rasa/bin/python -m pytest ...)
collect_ignore = ["rasa_env"]


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
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An empty database: a fresh SQLite file, or a fresh schema on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'frontdoor.sqlite3'}"
        return
    yield from _postgres_schema(request.getfixturevalue("postgres_url"))


def _postgres_schema(server_url: str) -> Iterator[str]:
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server_url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def _wired(url: str, policy: Policy) -> Iterator[Frontdoor]:
    upgrade(url)
    fd = bootstrap(load_settings({"DATABASE_URL": url}), policy=policy)
    yield fd
    fd.dispose()


@pytest.fixture
def frontdoor(database_url: str, shipped_policy: Policy) -> Iterator[Frontdoor]:
    """The application wired on a migrated test database with the shipped policy."""
    yield from _wired(database_url, shipped_policy)


@pytest.fixture
def postgres_frontdoor(postgres_url: str, shipped_policy: Policy) -> Iterator[Frontdoor]:
    """Like ``frontdoor``, on PostgreSQL only (concurrency tests need a real server)."""
    for url in _postgres_schema(postgres_url):
        yield from _wired(url, shipped_policy)
