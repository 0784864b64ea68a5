"""SQLAlchemy implementations of the repository ports (2.0 style: ``select`` + ``execute``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

from core import repository
from core.adapters import orm
from core.model import (
    Call,
    Contract,
    Customer,
    OnCallPin,
    PinAttempt,
    Ticket,
    Transcript,
    Turn,
)


def _flush(session: Any) -> None:
    """Flush now so that ids exist and unique keys are checked; translate the violation."""
    try:
        session.flush()
    except IntegrityError as exc:
        raise repository.DuplicateError(str(exc.orig)) from exc


def _locked(statement: Any) -> Any:
    """``SELECT ... FOR UPDATE``, and the row as it is once locked, even when the session had
    read it before (a unit of work joined by several services)."""
    return statement.with_for_update().execution_options(populate_existing=True)


class _Base:
    def __init__(self, session: Any):
        self.session = session

    def _one(self, statement: Any) -> Any:
        return self.session.execute(statement).unique().scalars().first()


class SqlAlchemyContractRepository(_Base, repository.ContractRepository):
    def add(self, contract: Contract) -> None:
        self.session.add(contract)

    def get(self, code: str) -> Contract | None:
        found: Contract | None = self._one(select(Contract).filter_by(code=code))
        return found

    def get_by_id(self, contract_id: int) -> Contract | None:
        found: Contract | None = self.session.get(Contract, contract_id)
        return found

    def by_phone(self, phone: str) -> list[Contract]:
        ids = select(orm.contacts.c.contract_id).where(orm.contacts.c.phone == phone)
        statement = (
            select(Contract).where(orm.contracts.c.id.in_(ids)).order_by(orm.contracts.c.code)
        )
        return list(self.session.execute(statement).unique().scalars())

    def customer_named(self, name: str) -> Customer | None:
        found: Customer | None = self._one(select(Customer).filter_by(name=name))
        return found

    def list(self) -> list[Contract]:
        statement = select(Contract).order_by(orm.contracts.c.code)
        return list(self.session.execute(statement).unique().scalars())


class SqlAlchemyTicketRepository(_Base, repository.TicketRepository):
    def add(self, ticket: Ticket) -> None:
        self.session.add(ticket)
        _flush(self.session)

    def get(self, number: str) -> Ticket | None:
        found: Ticket | None = self._one(select(Ticket).filter_by(number=number))
        return found

    def by_key(self, idempotency_key: str) -> Ticket | None:
        found: Ticket | None = self._one(select(Ticket).filter_by(idempotency_key=idempotency_key))
        return found


class SqlAlchemyTranscriptRepository(_Base, repository.TranscriptRepository):
    def add(self, transcript: Transcript) -> None:
        self.session.add(transcript)
        _flush(self.session)

    def get(
        self, channel: str, conversation_id: str, *, with_turns: bool = True
    ) -> Transcript | None:
        statement = select(Transcript).filter_by(channel=channel, conversation_id=conversation_id)
        if not with_turns:
            statement = statement.options(lazyload(Transcript.turns))
        found: Transcript | None = self._one(statement)
        return found

    def add_turns(self, transcript: Transcript, turns: Sequence[Turn]) -> None:
        if not turns:
            return
        if "turns" not in inspect(transcript).unloaded:  # read already: keep it up to date
            transcript.turns.extend(turns)
            return
        _flush(self.session)  # the transcript has its id
        rows = [
            {
                "transcript_id": transcript.id,
                "speaker": turn.speaker,
                "text": turn.text,
                "at": turn.at,
                "kind": turn.kind,
                "reason": turn.reason,
            }
            for turn in turns
        ]
        self.session.execute(insert(orm.turns), rows)  # one statement, whatever the length


class SqlAlchemyPinRepository(_Base, repository.PinRepository):
    def get(self, contract_id: int, *, lock: bool = False) -> OnCallPin | None:
        statement = select(OnCallPin).filter_by(contract_id=contract_id)
        found: OnCallPin | None = self._one(_locked(statement) if lock else statement)
        return found

    def add(self, pin: OnCallPin) -> None:
        self.session.add(pin)

    def add_attempt(self, attempt: PinAttempt) -> None:
        self.session.add(attempt)
        _flush(self.session)

    def attempt_by_key(self, attempt_key: str) -> PinAttempt | None:
        found: PinAttempt | None = self._one(select(PinAttempt).filter_by(attempt_key=attempt_key))
        return found

    def attempts_since(self, contract_id: int, since: datetime) -> list[PinAttempt]:
        statement = (
            select(PinAttempt)
            .where(orm.pin_attempts.c.contract_id == contract_id, orm.pin_attempts.c.at > since)
            .order_by(orm.pin_attempts.c.at, orm.pin_attempts.c.id)
        )
        return list(self.session.execute(statement).scalars())


class SqlAlchemyCallRepository(_Base, repository.CallRepository):
    def add(self, call: Call) -> None:
        self.session.add(call)
        _flush(self.session)

    def get(self, call_sid: str, *, lock: bool = False) -> Call | None:
        statement = select(Call).filter_by(call_sid=call_sid)
        found: Call | None = self._one(_locked(statement) if lock else statement)
        return found
