"""Repository ports: how services reach stored aggregates, independent of the database.

``core.adapters.repository`` implements them with SQLAlchemy and ``core.testing`` in memory
(style.md, cosmicpython: every port has an abstract, a SQLAlchemy and a fake version).
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Sequence
from datetime import datetime

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
    OutboxEvent,
    PinAttempt,
    SignInThrottle,
    StaffAccount,
    SurveyAnswer,
    SurveyTally,
    Ticket,
    Transcript,
    Turn,
)


class DuplicateError(Exception):
    """A row with the same unique key already exists (for example a retried webhook won a race).

    The unit of work must be rolled back before it is used again.
    """


class ContractRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, contract: Contract) -> None: ...

    @abc.abstractmethod
    def get(self, code: str) -> Contract | None: ...

    @abc.abstractmethod
    def get_by_id(self, contract_id: int) -> Contract | None: ...

    @abc.abstractmethod
    def by_phone(self, phone: str) -> list[Contract]:
        """Contracts with a contact whose phone is ``phone`` (E.164), by code."""

    @abc.abstractmethod
    def customer_named(self, name: str) -> Customer | None: ...

    @abc.abstractmethod
    def list(self) -> list[Contract]: ...


class TicketRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, ticket: Ticket) -> None:
        """Store ``ticket`` and give it an id; :class:`DuplicateError` on a known key."""

    @abc.abstractmethod
    def get(self, number: str) -> Ticket | None: ...

    @abc.abstractmethod
    def by_key(self, idempotency_key: str) -> Ticket | None: ...

    @abc.abstractmethod
    def get_by_id(self, ticket_id: int) -> Ticket | None: ...

    @abc.abstractmethod
    def by_ids(self, ticket_ids: Iterable[int]) -> dict[int, Ticket]:
        """The tickets with these ids that exist, by id (one query), for reading their clock and
        notes (their escalation ladder is loaded only when read)."""


class TranscriptRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, transcript: Transcript) -> None:
        """Store ``transcript``; :class:`DuplicateError` if the conversation already has one."""

    @abc.abstractmethod
    def get(
        self, channel: str, conversation_id: str, *, with_turns: bool = True
    ) -> Transcript | None:
        """The transcript; ``with_turns=False`` leaves its turns unread (a step of a long call
        need not read the call so far: they load on first access inside the unit of work)."""

    @abc.abstractmethod
    def add_turns(self, transcript: Transcript, turns: Sequence[Turn]) -> None:
        """Append ``turns`` to a stored transcript, without reading the turns it has."""

    @abc.abstractmethod
    def delete_started_before(self, before: datetime) -> int:
        """Delete transcripts (and their turns) started before ``before``; how many."""


class PinRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, contract_id: int, *, lock: bool = False) -> OnCallPin | None:
        """The contract's PIN; ``lock`` holds its row until commit (attempts are serialised)."""

    @abc.abstractmethod
    def add(self, pin: OnCallPin) -> None: ...

    @abc.abstractmethod
    def add_attempt(self, attempt: PinAttempt) -> None:
        """Audit one attempt; :class:`DuplicateError` when its ``attempt_key`` is known."""

    @abc.abstractmethod
    def attempt_by_key(self, attempt_key: str) -> PinAttempt | None: ...

    @abc.abstractmethod
    def attempts_since(self, contract_id: int, since: datetime) -> list[PinAttempt]:
        """Attempts on a contract strictly after ``since``, oldest first."""


class StaffRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, account: StaffAccount) -> None:
        """Store ``account``; :class:`DuplicateError` when the e-mail is taken."""

    @abc.abstractmethod
    def get(self, email: str) -> StaffAccount | None:
        """The account with this (casefolded) e-mail."""

    @abc.abstractmethod
    def get_by_id(self, account_id: int) -> StaffAccount | None: ...

    @abc.abstractmethod
    def list(self) -> list[StaffAccount]: ...

    @abc.abstractmethod
    def throttle(self, key: str) -> SignInThrottle:
        """The failure record of a sign-in name (created with no failures the first time), its
        row locked until the transaction ends: concurrent tries of one name, the very first
        ones included, are counted one after the other."""


class CallRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, call: Call) -> None:
        """Store ``call``; :class:`DuplicateError` when its call id is already known."""

    @abc.abstractmethod
    def get(self, call_sid: str, *, lock: bool = False) -> Call | None:
        """The call; ``lock`` holds its row until commit (concurrent steps are serialised)."""


class AlertRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, alert: Alert) -> None:
        """Store ``alert``; :class:`DuplicateError` when its fingerprint and start are known."""

    @abc.abstractmethod
    def get(self, fingerprint: str, starts_at: datetime) -> Alert | None: ...

    @abc.abstractmethod
    def latest(self, fingerprint: str) -> Alert | None:
        """The most recently received occurrence of this fingerprint."""

    @abc.abstractmethod
    def lock(self, fingerprint: str) -> None:
        """Hold this fingerprint until the unit of work ends: deliveries of one alarm are
        handled one after the other, whatever their start instants."""

    @abc.abstractmethod
    def pending_for(self, contract_id: int) -> list[Alert]:
        """Enhanced-support alerts of the contract not yet shown on a ticket, oldest first."""

    @abc.abstractmethod
    def by_ticket(self, ticket_id: int) -> Alert | None:
        """The alert that opened this ticket."""


class OutboxRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, event: OutboxEvent) -> None:
        """Store ``event``; :class:`DuplicateError` when its delivery id is known."""

    @abc.abstractmethod
    def for_ticket(self, ticket_id: int) -> list[OutboxEvent]:
        """The ticket's events, by due time."""

    @abc.abstractmethod
    def claimable(self, at: datetime, limit: int) -> list[OutboxEvent]:
        """Up to ``limit`` events to send at ``at``, oldest due first: pending or failed, due,
        and not leased (or the lease or backoff is over). Their rows stay locked until the
        transaction ends, and rows another transaction holds are skipped (PostgreSQL ``FOR
        UPDATE SKIP LOCKED``; SQLite serialises write transactions instead)."""

    @abc.abstractmethod
    def get(self, event_id: int, *, lock: bool = False) -> OutboxEvent | None: ...

    @abc.abstractmethod
    def next_due(self) -> datetime | None:
        """The earliest instant a pending or failed row can be claimed (its due time, or the
        end of its lease or backoff), or None when there is none."""

    @abc.abstractmethod
    def lease(self, event_ids: list[int], until: datetime) -> None:
        """One more attempt for each row, leased until ``until`` (one statement)."""

    @abc.abstractmethod
    def mark_sent(self, event_ids: list[int], at: datetime) -> list[tuple[int, str, str]]:
        """Record the rows as sent at ``at`` (lease cleared, whatever their status; one
        statement): (id, kind, delivery id) of each row that still exists."""


class ApiTokenRepository(abc.ABC):
    """The REST API's tokens and the answers kept for idempotency keys."""

    @abc.abstractmethod
    def add(self, token: ApiToken) -> None:
        """Store ``token``; :class:`DuplicateError` when its name or token id is taken."""

    @abc.abstractmethod
    def get(self, name: str) -> ApiToken | None: ...

    @abc.abstractmethod
    def by_token_id(self, token_id: str, *, lock: bool = False) -> ApiToken | None:
        """The token with this public id; ``lock`` holds its row until the transaction ends
        (the requests of one token are counted one after the other)."""

    @abc.abstractmethod
    def list(self) -> list[ApiToken]: ...

    @abc.abstractmethod
    def answer(self, token_id: int, key: str) -> ApiIdempotencyKey | None:
        """The answer kept for this token's idempotency key."""

    @abc.abstractmethod
    def add_answer(self, answer: ApiIdempotencyKey) -> None:
        """Keep an answer; :class:`DuplicateError` when the token used the key already."""


class LiveChatRepository(abc.ABC):
    """Live hand-offs of chats (docs/live-chat.md) and their events."""

    @abc.abstractmethod
    def add(self, chat: LiveChat) -> None:
        """Store ``chat``; :class:`DuplicateError` when its conversation has one."""

    @abc.abstractmethod
    def get(self, conversation_id: str, *, lock: bool = False) -> LiveChat | None:
        """The conversation's hand-off; ``lock`` holds its row until commit (the events of one
        chat are appended one transaction after the other, so their ids commit in order)."""

    @abc.abstractmethod
    def get_by_id(self, chat_id: int, *, lock: bool = False) -> LiveChat | None: ...

    @abc.abstractmethod
    def update_if(self, chat_id: int, states: Sequence[str], **values: object) -> bool:
        """Set ``values`` on the chat only if it is in one of ``states``, in one conditional
        ``UPDATE``; whether it was (two agents taking one chat: exactly one wins)."""

    @abc.abstractmethod
    def active(self, states: Sequence[str]) -> list[LiveChat]:
        """Chats in ``states``, oldest request first."""

    @abc.abstractmethod
    def add_event(self, event: LiveEvent) -> None:
        """Append an event and give it its id."""

    @abc.abstractmethod
    def events_after(self, chat_id: int, after: int, limit: int = 200) -> list[LiveEvent]:
        """The chat's events with an id above ``after``, in order."""

    @abc.abstractmethod
    def last_event_id(self, chat_id: int) -> int:
        """The chat's latest event id (0 when it has none)."""


class SurveyRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, answer: SurveyAnswer) -> None:
        """Store ``answer``; :class:`DuplicateError` when its ticket and channel have one."""

    @abc.abstractmethod
    def get(self, channel: str, ticket_number: str) -> SurveyAnswer | None: ...

    @abc.abstractmethod
    def tallies(self, since: datetime | None = None) -> list[SurveyTally]:
        """Answers per channel, theatre and language (those at or after ``since``)."""

    @abc.abstractmethod
    def chat_ticket(self, conversation_id: str) -> str | None:
        """The number of the latest ticket a chat conversation opened, if any."""
