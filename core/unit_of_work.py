"""Unit of work: one transaction per operation, owned by the entry point (cosmicpython ch. 6).

The entry point of an operation (a webhook, a chat action run, a console request, a CLI command)
opens the unit of work, calls the services it needs and commits once::

    with fd.uow() as uow:
        intake = submit_case(uow, fd.book, case)
        uow.commit()

Units of work do not nest: entering one that is open is an error. Services are decorated with
:func:`transactional`: handed an open unit of work they run inside it and never commit it, so a
row lock taken at the start of a step holds until the entry point commits. Called with one that
is not open yet (a one-off call from a script or a test), a service is its own transaction.
A service that expects a unique-key race (the same webhook delivered twice at once) wraps the
insert in :meth:`AbstractUnitOfWork.savepoint`, so a duplicate does not undo the rest.
"""

from __future__ import annotations

import abc
import contextlib
import functools
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import literal, select

from core import repository
from core.adapters import orm
from core.adapters.outbox_repository import SqlAlchemyOutboxRepository
from core.adapters.repository import (
    SqlAlchemyAlertRepository,
    SqlAlchemyApiTokenRepository,
    SqlAlchemyCallRepository,
    SqlAlchemyContractRepository,
    SqlAlchemyLiveChatRepository,
    SqlAlchemyPinRepository,
    SqlAlchemyStaffRepository,
    SqlAlchemyTicketRepository,
    SqlAlchemyTranscriptRepository,
)
from core.adapters.survey_repository import SqlAlchemySurveyRepository

P = ParamSpec("P")
R = TypeVar("R")
U = TypeVar("U", bound="AbstractUnitOfWork")


class NestedUnitOfWork(RuntimeError):
    """A unit of work was entered while open: the entry point owns it, services join it."""


class AbstractUnitOfWork(abc.ABC):
    contracts: repository.ContractRepository
    tickets: repository.TicketRepository
    transcripts: repository.TranscriptRepository
    pins: repository.PinRepository
    staff: repository.StaffRepository
    calls: repository.CallRepository
    alerts: repository.AlertRepository
    outbox: repository.OutboxRepository
    live: repository.LiveChatRepository
    api_tokens: repository.ApiTokenRepository
    surveys: repository.SurveyRepository
    active: bool = False

    def __enter__(self) -> AbstractUnitOfWork:
        if self.active:
            raise NestedUnitOfWork("this unit of work is open already: pass it, do not enter it")
        self.active = True
        self._open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self._close()
        finally:
            self.active = False
            self._forget_after_commit()

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run ``action`` once this transaction commits; a rollback drops it (metrics count
        what was stored, not what was tried). Outside a transaction it runs now."""
        if not self.active:
            action()
            return
        self.__dict__.setdefault("_after_commit", []).append(action)

    def _committed(self) -> None:
        """Run what waited for the commit (each concrete ``commit`` calls it last)."""
        for action in self.__dict__.pop("_after_commit", []):
            action()

    def _forget_after_commit(self) -> None:
        self.__dict__.pop("_after_commit", None)

    def _open(self) -> None:  # noqa: B027 - optional hook (the fake keeps its repositories)
        """Start the transaction's session."""

    def _close(self) -> None:
        """End the transaction: what was not committed is rolled back."""
        self.rollback()

    def ping(self) -> None:  # noqa: B027 - optional hook, the fake store is always reachable
        """Reach the store (health checks); raises when it cannot be reached."""

    @contextlib.contextmanager
    def savepoint(self) -> Iterator[None]:
        """A nested transaction: a failure inside undoes only what was done inside."""
        yield

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...


def transactional[U: "AbstractUnitOfWork", **P, R](
    service: Callable[Concatenate[U, P], R],
) -> Callable[Concatenate[U, P], R]:
    """Run ``service`` in the unit of work it is handed, without committing it; a unit of work
    that is not open yet is opened for the call and committed after it."""

    @functools.wraps(service)
    def run(uow: U, /, *args: P.args, **kwargs: P.kwargs) -> R:
        if uow.active:
            return service(uow, *args, **kwargs)
        with uow:
            result = service(uow, *args, **kwargs)
            uow.commit()
            return result

    return run


def in_transaction[R](
    uow_factory: Callable[[], AbstractUnitOfWork],
    work: Callable[[AbstractUnitOfWork], R],
    *,
    retries: int = 1,
) -> R:
    """``work`` in a unit of work of its own, committed when it returns. A unique-key race
    lost to a concurrent delivery of the same request (:class:`~core.repository.DuplicateError`)
    runs the whole of ``work`` again in a new transaction, which then sees the winner's rows."""
    for attempt in range(retries + 1):
        try:
            with uow_factory() as uow:
                result = work(uow)
                uow.commit()
                return result
        except repository.DuplicateError:
            if attempt == retries:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


class SqlAlchemyUnitOfWork(AbstractUnitOfWork):
    """A unit of work on a SQLAlchemy session from ``session_factory``."""

    def __init__(self, session_factory: Any):
        orm.start_mappers()
        self.session_factory = session_factory

    def _open(self) -> None:
        self.session = self.session_factory()
        self.contracts = SqlAlchemyContractRepository(self.session)
        self.tickets = SqlAlchemyTicketRepository(self.session)
        self.staff = SqlAlchemyStaffRepository(self.session)
        self.transcripts = SqlAlchemyTranscriptRepository(self.session)
        self.pins = SqlAlchemyPinRepository(self.session)
        self.calls = SqlAlchemyCallRepository(self.session)
        self.alerts = SqlAlchemyAlertRepository(self.session)
        self.outbox = SqlAlchemyOutboxRepository(self.session)
        self.live = SqlAlchemyLiveChatRepository(self.session)
        self.api_tokens = SqlAlchemyApiTokenRepository(self.session)
        self.surveys = SqlAlchemySurveyRepository(self.session)

    def _close(self) -> None:
        # close() rolls back what was not committed like rollback() would, but leaves the
        # objects loaded (not expired), so that what a service returns stays readable.
        self.session.close()

    def ping(self) -> None:
        self.session.execute(select(literal(1)))

    @contextlib.contextmanager
    def savepoint(self) -> Iterator[None]:
        with self.session.begin_nested():
            yield

    def commit(self) -> None:
        self.session.commit()
        self._committed()

    def rollback(self) -> None:
        self.session.rollback()
        self._forget_after_commit()
