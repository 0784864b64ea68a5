"""The one place that wires the application together (style.md §4: an app factory).

Entry points (CLI, web app, action server) call :func:`bootstrap` once; nothing is created at
import time. Tests build a :class:`Frontdoor` on their own database URL and policy.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import configure_mappers

from core import language
from core.adapters import orm
from core.adapters.db import make_engine, make_session_factory, sqlite_file
from core.calendar import CalendarBook
from core.policy import Policy, load_policy
from core.settings import Settings, load_settings
from core.unit_of_work import AbstractUnitOfWork, SqlAlchemyUnitOfWork

log = logging.getLogger(__name__)


@dataclass
class Frontdoor:
    """Everything a channel needs: settings, the policy and its calendars, and units of work."""

    settings: Settings
    policy: Policy
    book: CalendarBook
    engine: Any
    uow: Callable[[], AbstractUnitOfWork]

    def warm(self, today: date) -> None:
        """Do once, at a server's start, what the first request would otherwise pay for:
        every calendar with its holiday tables around ``today``, the language detector's models,
        the ORM's mapper configuration and one pooled database connection (a web or
        action-server worker calls it after it started; the first caller of the day then waits
        no longer than the next one)."""
        self.book.warm(today)
        language.warm()
        configure_mappers()
        try:
            with self.uow() as uow:
                uow.ping()
        except SQLAlchemyError as error:  # a server must start even while its database is down
            log.warning("database not reachable at start (%s): the first request connects", error)

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
