"""Unit of work: one transaction per service operation (cosmicpython chapter 6).

Use as a context manager; nothing is written unless :meth:`commit` is called, and leaving the
block rolls back whatever was not committed. Entering a unit of work that is already entered
joins it: a channel may pass one unit of work to every service of a request (one session, one
database connection); each service still commits its own work, and only the outermost block
closes the session.
"""

from __future__ import annotations

import abc
from types import TracebackType
from typing import Any

from sqlalchemy import literal, select

from core import repository
from core.adapters import orm
from core.adapters.repository import (
    SqlAlchemyAlertRepository,
    SqlAlchemyCallRepository,
    SqlAlchemyContractRepository,
    SqlAlchemyPinRepository,
    SqlAlchemyStaffRepository,
    SqlAlchemyTicketRepository,
    SqlAlchemyTranscriptRepository,
)


class AbstractUnitOfWork(abc.ABC):
    contracts: repository.ContractRepository
    tickets: repository.TicketRepository
    transcripts: repository.TranscriptRepository
    pins: repository.PinRepository
    staff: repository.StaffRepository
    calls: repository.CallRepository
    alerts: repository.AlertRepository

    def __enter__(self) -> AbstractUnitOfWork:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def ping(self) -> None:  # noqa: B027 - optional hook, the fake store is always reachable
        """Reach the store (health checks); raises when it cannot be reached."""

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...


class SqlAlchemyUnitOfWork(AbstractUnitOfWork):
    """A unit of work on a SQLAlchemy session from ``session_factory``."""

    def __init__(self, session_factory: Any):
        orm.start_mappers()
        self.session_factory = session_factory
        self.depth = 0  # nested blocks that joined the open session

    def __enter__(self) -> AbstractUnitOfWork:
        self.depth += 1
        if self.depth > 1:
            return self
        self.session = self.session_factory()
        self.contracts = SqlAlchemyContractRepository(self.session)
        self.tickets = SqlAlchemyTicketRepository(self.session)
        self.staff = SqlAlchemyStaffRepository(self.session)
        self.transcripts = SqlAlchemyTranscriptRepository(self.session)
        self.pins = SqlAlchemyPinRepository(self.session)
        self.calls = SqlAlchemyCallRepository(self.session)
        self.alerts = SqlAlchemyAlertRepository(self.session)
        return super().__enter__()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.depth -= 1
        if self.depth:
            return  # a nested block: the outermost one closes the session
        # close() rolls back what was not committed like rollback() would, but leaves the
        # objects loaded (not expired), so that what a service returns stays readable.
        self.session.close()

    def ping(self) -> None:
        self.session.execute(select(literal(1)))

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
