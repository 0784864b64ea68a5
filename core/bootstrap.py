"""The one place that wires the application together (style.md §4: an app factory).

Entry points (CLI, web app, action server) call :func:`bootstrap` once; nothing is created at
import time. Tests build a :class:`Frontdoor` on their own database URL and policy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.adapters import orm
from core.adapters.db import make_engine, make_session_factory, sqlite_file
from core.calendar import CalendarBook
from core.policy import Policy, load_policy
from core.settings import Settings, load_settings
from core.unit_of_work import AbstractUnitOfWork, SqlAlchemyUnitOfWork


@dataclass
class Frontdoor:
    """Everything a channel needs: settings, the policy and its calendars, and units of work."""

    settings: Settings
    policy: Policy
    book: CalendarBook
    engine: Any
    uow: Callable[[], AbstractUnitOfWork]

    def dispose(self) -> None:
        """Close the database connections (tests, and the end of a command)."""
        self.engine.dispose()


def bootstrap(settings: Settings | None = None, *, policy: Policy | None = None) -> Frontdoor:
    """Load settings and policy (unless given), map the domain, and connect lazily to the
    database (the default SQLite file's folder is created)."""
    settings = settings or load_settings()
    settings.require_production_settings()
    policy = policy or load_policy(settings.policy_path)
    database = sqlite_file(settings.database_url)
    if database is not None:
        database.parent.mkdir(parents=True, exist_ok=True)
    orm.start_mappers()
    engine = make_engine(settings.database_url)
    session_factory = make_session_factory(engine)
    return Frontdoor(
        settings=settings,
        policy=policy,
        book=CalendarBook(policy),
        engine=engine,
        uow=lambda: SqlAlchemyUnitOfWork(session_factory),
    )
