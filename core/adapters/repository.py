"""SQLAlchemy implementations of the repository ports (2.0 style: ``select`` + ``execute``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import delete, func, insert, inspect, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

from core import repository
from core.adapters import orm
from core.model import (
    Alert,
    ApiIdempotencyKey,
    ApiToken,
    Call,
    Contract,
    Customer,
    LiveChat,
    LiveEvent,
    OnCallPin,
    PinAttempt,
    SignInThrottle,
    StaffAccount,
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
    """Contracts by code are remembered for the session: one step of a call or chat reads its
    contract in several services (decision, ticket, transcript), but from the database once."""

    def __init__(self, session: Any):
        super().__init__(session)
        self._by_code: dict[str, Contract] = {}

    def add(self, contract: Contract) -> None:
        self.session.add(contract)

    def get(self, code: str) -> Contract | None:
        found: Contract | None = self._by_code.get(code)
        if found is not None and found in self.session:
            return found
        found = self._one(select(Contract).filter_by(code=code))
        if found is not None:
            self._by_code[code] = found
        return found

    def get_by_id(self, contract_id: int) -> Contract | None:
        found: Contract | None = self.session.get(Contract, contract_id)
        return found

    def by_phone(self, phone: str) -> list[Contract]:
        ids = select(orm.contacts.c.contract_id).where(orm.contacts.c.phone == phone)
        statement = (
            select(Contract).where(orm.contracts.c.id.in_(ids)).order_by(orm.contracts.c.code)
        )
        found = list(self.session.execute(statement).unique().scalars())
        self._by_code.update((contract.code, contract) for contract in found)
        return found

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

    def get_by_id(self, ticket_id: int) -> Ticket | None:
        found: Ticket | None = self.session.get(Ticket, ticket_id)
        return found

    def by_ids(self, ticket_ids: Iterable[int]) -> dict[int, Ticket]:
        wanted = sorted(set(ticket_ids))
        if not wanted:
            return {}
        # what the outbox worker reads (deadline, pauses): the escalation ladder only if asked
        ladder = lazyload(cast(Any, Ticket).escalations)
        statement = select(Ticket).where(orm.tickets.c.id.in_(wanted)).options(ladder)
        found = self.session.execute(statement).unique().scalars()
        return {ticket.id: ticket for ticket in found if ticket.id is not None}


class SqlAlchemyTranscriptRepository(_Base, repository.TranscriptRepository):
    def add(self, transcript: Transcript) -> None:
        self.session.add(transcript)
        _flush(self.session)

    def get(
        self, channel: str, conversation_id: str, *, with_turns: bool = True
    ) -> Transcript | None:
        statement = select(Transcript).filter_by(channel=channel, conversation_id=conversation_id)
        if not with_turns:
            statement = statement.options(lazyload(cast(Any, Transcript).turns))
        found: Transcript | None = self._one(statement)
        return found

    def delete_started_before(self, before: datetime) -> int:
        # turns go with their transcript (ON DELETE CASCADE; SQLite has foreign keys on)
        table = orm.transcripts
        result = self.session.execute(delete(table).where(table.c.started_at < before))
        return int(result.rowcount)

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


class SqlAlchemyStaffRepository(_Base, repository.StaffRepository):
    def add(self, account: StaffAccount) -> None:
        self.session.add(account)
        _flush(self.session)

    def get(self, email: str) -> StaffAccount | None:
        found: StaffAccount | None = self._one(select(StaffAccount).filter_by(email=email))
        return found

    def get_by_id(self, account_id: int) -> StaffAccount | None:
        found: StaffAccount | None = self.session.get(StaffAccount, account_id)
        return found

    def list(self) -> list[StaffAccount]:
        statement = select(StaffAccount).order_by(orm.staff_accounts.c.email)
        return list(self.session.execute(statement).scalars())

    def throttle(self, key: str) -> SignInThrottle:
        # INSERT ... ON CONFLICT DO NOTHING, then SELECT ... FOR UPDATE: there is always a row
        # to lock, so two first failures of a name cannot both go unthrottled
        table = orm.sign_in_throttles
        dialect = self.session.get_bind().dialect.name
        insert_into = postgresql_insert if dialect == "postgresql" else sqlite_insert
        row = {"key": key, "failures": 0}
        self.session.execute(insert_into(table).values(**row).on_conflict_do_nothing())
        found: SignInThrottle = self._one(_locked(select(SignInThrottle).filter_by(key=key)))
        return found


class SqlAlchemyCallRepository(_Base, repository.CallRepository):
    def add(self, call: Call) -> None:
        self.session.add(call)
        _flush(self.session)

    def get(self, call_sid: str, *, lock: bool = False) -> Call | None:
        statement = select(Call).filter_by(call_sid=call_sid)
        found: Call | None = self._one(_locked(statement) if lock else statement)
        return found


class SqlAlchemyAlertRepository(_Base, repository.AlertRepository):
    def add(self, alert: Alert) -> None:
        self.session.add(alert)
        _flush(self.session)

    def get(self, fingerprint: str, starts_at: datetime) -> Alert | None:
        statement = select(Alert).filter_by(fingerprint=fingerprint, starts_at=starts_at)
        found: Alert | None = self._one(statement)
        return found

    def latest(self, fingerprint: str) -> Alert | None:
        statement = (
            select(Alert)
            .filter_by(fingerprint=fingerprint)
            .order_by(orm.alerts.c.received_at.desc(), orm.alerts.c.id.desc())
        )
        found: Alert | None = self._one(statement)
        return found

    def lock(self, fingerprint: str) -> None:
        # INSERT ... ON CONFLICT DO NOTHING, then SELECT ... FOR UPDATE (as throttle): there is
        # always a row to lock, so two first deliveries of an alarm cannot both open a ticket
        table = orm.alert_locks
        dialect = self.session.get_bind().dialect.name
        insert_into = postgresql_insert if dialect == "postgresql" else sqlite_insert
        self.session.execute(
            insert_into(table).values(fingerprint=fingerprint).on_conflict_do_nothing()
        )
        statement = select(table.c.fingerprint).where(table.c.fingerprint == fingerprint)
        self.session.execute(statement.with_for_update()).one()

    def pending_for(self, contract_id: int) -> list[Alert]:
        statement = (
            select(Alert)
            .filter_by(contract_id=contract_id, outcome="enhanced", ticket_id=None)
            .order_by(orm.alerts.c.received_at, orm.alerts.c.id)
        )
        return list(self.session.execute(statement).scalars())

    def by_ticket(self, ticket_id: int) -> Alert | None:
        statement = (
            select(Alert)
            .where(orm.alerts.c.ticket_id == ticket_id, orm.alerts.c.outcome != "enhanced")
            .order_by(orm.alerts.c.id)
        )
        found: Alert | None = self._one(statement)
        return found


class SqlAlchemyApiTokenRepository(_Base, repository.ApiTokenRepository):
    def add(self, token: ApiToken) -> None:
        self.session.add(token)
        _flush(self.session)

    def get(self, name: str) -> ApiToken | None:
        found: ApiToken | None = self._one(select(ApiToken).filter_by(name=name))
        return found

    def by_token_id(self, token_id: str, *, lock: bool = False) -> ApiToken | None:
        statement = select(ApiToken).filter_by(token_id=token_id)
        found: ApiToken | None = self._one(_locked(statement) if lock else statement)
        return found

    def list(self) -> list[ApiToken]:
        statement = select(ApiToken).order_by(orm.api_tokens.c.name)
        return list(self.session.execute(statement).scalars())

    def answer(self, token_id: int, key: str) -> ApiIdempotencyKey | None:
        statement = select(ApiIdempotencyKey).filter_by(token_id=token_id, key=key)
        found: ApiIdempotencyKey | None = self._one(statement)
        return found

    def add_answer(self, answer: ApiIdempotencyKey) -> None:
        self.session.add(answer)
        _flush(self.session)


class SqlAlchemyLiveChatRepository(_Base, repository.LiveChatRepository):
    def add(self, chat: LiveChat) -> None:
        self.session.add(chat)
        _flush(self.session)

    def get(self, conversation_id: str, *, lock: bool = False) -> LiveChat | None:
        statement = select(LiveChat).filter_by(conversation_id=conversation_id)
        statement = _locked(statement) if lock else statement
        found: LiveChat | None = self._one(statement.execution_options(populate_existing=True))
        return found

    def get_by_id(self, chat_id: int, *, lock: bool = False) -> LiveChat | None:
        statement = select(LiveChat).filter_by(id=chat_id)
        statement = _locked(statement) if lock else statement
        found: LiveChat | None = self._one(statement.execution_options(populate_existing=True))
        return found

    def update_if(self, chat_id: int, states: Sequence[str], **values: object) -> bool:
        # PostgreSQL: a second UPDATE waits for the first one's row lock, then finds the state
        # changed and updates nothing; SQLite: transactions begin IMMEDIATE (one writer)
        table = orm.live_chats
        statement = (
            update(table)
            .where(table.c.id == chat_id, table.c.state.in_(list(states)))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        result = self.session.execute(statement)
        return bool(result.rowcount == 1)

    def active(self, states: Sequence[str]) -> list[LiveChat]:
        table = orm.live_chats
        statement = (
            select(LiveChat)
            .where(table.c.state.in_(list(states)))
            .order_by(table.c.requested_at, table.c.id)
            .execution_options(populate_existing=True)
        )
        return list(self.session.execute(statement).scalars())

    def add_event(self, event: LiveEvent) -> None:
        self.session.add(event)
        _flush(self.session)

    def events_after(self, chat_id: int, after: int, limit: int = 200) -> list[LiveEvent]:
        table = orm.live_events
        statement = (
            select(LiveEvent)
            .where(table.c.chat_id == chat_id, table.c.id > after)
            .order_by(table.c.id)
            .limit(limit)
        )
        return list(self.session.execute(statement).scalars())

    def last_event_id(self, chat_id: int) -> int:
        table = orm.live_events
        statement = select(func.max(table.c.id)).where(table.c.chat_id == chat_id)
        return int(self.session.execute(statement).scalar() or 0)
