"""In-memory fakes of the repositories and the unit of work, for fast service tests.

Like structlog's ``testing`` module: public, so that channel tests (IVR, bot, console) can use
them too. Ids are given on ``add`` and unique keys are enforced like the database does.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from core import repository
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
from core.notify import DeliveryError, Message
from core.unit_of_work import AbstractUnitOfWork

_ids: Iterator[int] = itertools.count(1)


class FakeContractRepository(repository.ContractRepository):
    def __init__(self) -> None:
        self.items: dict[str, Contract] = {}

    def add(self, contract: Contract) -> None:
        contract.id = contract.id or next(_ids)
        contract.customer.id = contract.customer.id or next(_ids)
        for contact in contract.contacts:
            contact.id = contact.id or next(_ids)
            contact.contract_id = contract.id
        self.items[contract.code] = contract

    def get(self, code: str) -> Contract | None:
        return self.items.get(code)

    def get_by_id(self, contract_id: int) -> Contract | None:
        return next((c for c in self.items.values() if c.id == contract_id), None)

    def by_phone(self, phone: str) -> list[Contract]:
        found = [c for c in self.items.values() if c.contact_by_phone(phone)]
        return sorted(found, key=lambda c: c.code)

    def customer_named(self, name: str) -> Customer | None:
        return next((c.customer for c in self.items.values() if c.customer.name == name), None)

    def list(self) -> list[Contract]:
        return sorted(self.items.values(), key=lambda c: c.code)


class FakeTicketRepository(repository.TicketRepository):
    def __init__(self) -> None:
        self.items: list[Ticket] = []

    def add(self, ticket: Ticket) -> None:
        if self.by_key(ticket.idempotency_key):
            raise repository.DuplicateError(ticket.idempotency_key)
        ticket.id = next(_ids)
        self.items.append(ticket)

    def get(self, number: str) -> Ticket | None:
        return next((t for t in self.items if t.number == number), None)

    def by_key(self, idempotency_key: str) -> Ticket | None:
        return next((t for t in self.items if t.idempotency_key == idempotency_key), None)

    def get_by_id(self, ticket_id: int) -> Ticket | None:
        return next((t for t in self.items if t.id == ticket_id), None)

    def by_ids(self, ticket_ids: Iterable[int]) -> dict[int, Ticket]:
        wanted = set(ticket_ids)
        return {t.id: t for t in self.items if t.id is not None and t.id in wanted}


class FakeTranscriptRepository(repository.TranscriptRepository):
    def __init__(self) -> None:
        self.items: list[Transcript] = []

    def add(self, transcript: Transcript) -> None:
        if self.get(transcript.channel, transcript.conversation_id):
            raise repository.DuplicateError(transcript.conversation_id)
        transcript.id = next(_ids)
        self.items.append(transcript)

    def add_turns(self, transcript: Transcript, turns: Sequence[Turn]) -> None:
        transcript.turns.extend(turns)

    def get(
        self, channel: str, conversation_id: str, *, with_turns: bool = True
    ) -> Transcript | None:
        return next(
            (
                t
                for t in self.items
                if t.channel == channel and t.conversation_id == conversation_id
            ),
            None,
        )

    def delete_started_before(self, before: datetime) -> int:
        kept = [t for t in self.items if t.started_at >= before]
        deleted, self.items = len(self.items) - len(kept), kept
        return deleted


class FakeStaffRepository(repository.StaffRepository):
    def __init__(self) -> None:
        self.items: list[StaffAccount] = []
        self.throttles: dict[str, SignInThrottle] = {}

    def add(self, account: StaffAccount) -> None:
        if self.get(account.email):
            raise repository.DuplicateError(account.email)
        account.id = next(_ids)
        self.items.append(account)

    def get(self, email: str) -> StaffAccount | None:
        return next((a for a in self.items if a.email == email), None)

    def get_by_id(self, account_id: int) -> StaffAccount | None:
        return next((a for a in self.items if a.id == account_id), None)

    def list(self) -> list[StaffAccount]:
        return sorted(self.items, key=lambda a: a.email)

    def throttle(self, key: str) -> SignInThrottle:
        if key not in self.throttles:
            self.throttles[key] = SignInThrottle(key=key, id=next(_ids))
        return self.throttles[key]


class FakePinRepository(repository.PinRepository):
    def __init__(self) -> None:
        self.pins: dict[int, OnCallPin] = {}
        self.attempts: list[PinAttempt] = []

    def get(self, contract_id: int, *, lock: bool = False) -> OnCallPin | None:
        return self.pins.get(contract_id)

    def add(self, pin: OnCallPin) -> None:
        pin.id = next(_ids)
        self.pins[pin.contract_id] = pin

    def add_attempt(self, attempt: PinAttempt) -> None:
        if attempt.attempt_key and self.attempt_by_key(attempt.attempt_key):
            raise repository.DuplicateError(attempt.attempt_key)
        attempt.id = next(_ids)
        self.attempts.append(attempt)

    def attempt_by_key(self, attempt_key: str) -> PinAttempt | None:
        return next((a for a in self.attempts if a.attempt_key == attempt_key), None)

    def attempts_since(self, contract_id: int, since: datetime) -> list[PinAttempt]:
        found = [a for a in self.attempts if a.contract_id == contract_id and a.at > since]
        return sorted(found, key=lambda a: a.at)


class FakeCallRepository(repository.CallRepository):
    def __init__(self) -> None:
        self.items: dict[str, Call] = {}

    def add(self, call: Call) -> None:
        if call.call_sid in self.items:
            raise repository.DuplicateError(call.call_sid)
        call.id = next(_ids)
        self.items[call.call_sid] = call

    def get(self, call_sid: str, *, lock: bool = False) -> Call | None:
        return self.items.get(call_sid)


class FakeAlertRepository(repository.AlertRepository):
    def __init__(self) -> None:
        self.items: list[Alert] = []

    def add(self, alert: Alert) -> None:
        if self.get(alert.fingerprint, alert.starts_at):
            raise repository.DuplicateError(alert.fingerprint)
        alert.id = next(_ids)
        self.items.append(alert)

    def get(self, fingerprint: str, starts_at: datetime) -> Alert | None:
        return next(
            (a for a in self.items if a.fingerprint == fingerprint and a.starts_at == starts_at),
            None,
        )

    def lock(self, fingerprint: str) -> None:
        pass  # one thread per fake unit of work

    def latest(self, fingerprint: str) -> Alert | None:
        found = [a for a in self.items if a.fingerprint == fingerprint]
        return max(found, key=lambda a: (a.received_at, a.id or 0), default=None)

    def pending_for(self, contract_id: int) -> list[Alert]:
        return [
            a
            for a in self.items
            if a.contract_id == contract_id and a.outcome == "enhanced" and a.ticket_id is None
        ]

    def by_ticket(self, ticket_id: int) -> Alert | None:
        return next(
            (a for a in self.items if a.ticket_id == ticket_id and a.outcome != "enhanced"), None
        )


class FakeOutboxRepository(repository.OutboxRepository):
    def __init__(self) -> None:
        self.items: list[OutboxEvent] = []

    def add(self, event: OutboxEvent) -> None:
        if any(e.delivery_id == event.delivery_id for e in self.items):
            raise repository.DuplicateError(event.delivery_id)
        event.id = next(_ids)
        self.items.append(event)

    def for_ticket(self, ticket_id: int) -> list[OutboxEvent]:
        found = [e for e in self.items if e.ticket_id == ticket_id]
        return sorted(found, key=lambda e: (e.due_at, e.id or 0))

    def claimable(self, at: datetime, limit: int) -> list[OutboxEvent]:
        found = [
            e
            for e in self.items
            if e.status in ("pending", "failed")
            and e.due_at <= at
            and (e.lease_until is None or e.lease_until <= at)
        ]
        return sorted(found, key=lambda e: (e.due_at, e.id or 0))[:limit]

    def get(self, event_id: int, *, lock: bool = False) -> OutboxEvent | None:
        return next((e for e in self.items if e.id == event_id), None)

    def next_due(self) -> datetime | None:
        times = [
            max(e.due_at, e.lease_until or e.due_at)
            for e in self.items
            if e.status in ("pending", "failed")
        ]
        return min(times, default=None)

    def lease(self, event_ids: list[int], until: datetime) -> None:
        for event in self.items:
            if event.id in event_ids:
                event.lease_until, event.attempts = until, event.attempts + 1

    def mark_sent(self, event_ids: list[int], at: datetime) -> list[tuple[int, str, str]]:
        done: list[tuple[int, str, str]] = []
        for event in self.items:
            if event.id is not None and event.id in event_ids:
                event.status, event.sent_at, event.lease_until = "sent", at, None
                done.append((event.id, event.kind, event.delivery_id))
        return done


class FakeApiTokenRepository(repository.ApiTokenRepository):
    def __init__(self) -> None:
        self.items: list[ApiToken] = []
        self.answers: list[ApiIdempotencyKey] = []

    def add(self, token: ApiToken) -> None:
        if self.get(token.name) or self.by_token_id(token.token_id):
            raise repository.DuplicateError(token.name)
        token.id = next(_ids)
        self.items.append(token)

    def get(self, name: str) -> ApiToken | None:
        return next((t for t in self.items if t.name == name), None)

    def by_token_id(self, token_id: str, *, lock: bool = False) -> ApiToken | None:
        return next((t for t in self.items if t.token_id == token_id), None)

    def list(self) -> list[ApiToken]:
        return sorted(self.items, key=lambda t: t.name)

    def answer(self, token_id: int, key: str) -> ApiIdempotencyKey | None:
        return next((a for a in self.answers if (a.token_id, a.key) == (token_id, key)), None)

    def add_answer(self, answer: ApiIdempotencyKey) -> None:
        if self.answer(answer.token_id, answer.key):
            raise repository.DuplicateError(answer.key)
        answer.id = next(_ids)
        self.answers.append(answer)


class FakeLiveChatRepository(repository.LiveChatRepository):
    def __init__(self) -> None:
        self.items: list[LiveChat] = []
        self.events: list[LiveEvent] = []

    def add(self, chat: LiveChat) -> None:
        if self.get(chat.conversation_id):
            raise repository.DuplicateError(chat.conversation_id)
        chat.id = next(_ids)
        self.items.append(chat)

    def get(self, conversation_id: str, *, lock: bool = False) -> LiveChat | None:
        return next((c for c in self.items if c.conversation_id == conversation_id), None)

    def get_by_id(self, chat_id: int, *, lock: bool = False) -> LiveChat | None:
        return next((c for c in self.items if c.id == chat_id), None)

    def update_if(self, chat_id: int, states: Sequence[str], **values: object) -> bool:
        chat = self.get_by_id(chat_id)
        if chat is None or chat.state not in states:
            return False
        for name, value in values.items():
            setattr(chat, name, value)
        return True

    def active(self, states: Sequence[str]) -> list[LiveChat]:
        found = [c for c in self.items if c.state in states]
        return sorted(found, key=lambda c: (c.requested_at, c.id or 0))

    def add_event(self, event: LiveEvent) -> None:
        event.id = next(_ids)
        self.events.append(event)

    def events_after(self, chat_id: int, after: int, limit: int = 200) -> list[LiveEvent]:
        found = [e for e in self.events if e.chat_id == chat_id and (e.id or 0) > after]
        return found[:limit]

    def last_event_id(self, chat_id: int) -> int:
        return max((e.id or 0 for e in self.events if e.chat_id == chat_id), default=0)


class FakeSurveyRepository(repository.SurveyRepository):
    def __init__(self, tickets: FakeTicketRepository) -> None:
        self.items: list[SurveyAnswer] = []
        self.tickets = tickets

    def add(self, answer: SurveyAnswer) -> None:
        if self.get(answer.channel, answer.ticket_number):
            raise repository.DuplicateError(f"{answer.channel}:{answer.ticket_number}")
        answer.id = next(_ids)
        self.items.append(answer)

    def get(self, channel: str, ticket_number: str) -> SurveyAnswer | None:
        found = (a for a in self.items if (a.channel, a.ticket_number) == (channel, ticket_number))
        return next(found, None)

    def tallies(self, since: datetime | None = None) -> list[SurveyTally]:
        groups: dict[tuple[str, str, str], list[SurveyAnswer]] = {}
        for a in self.items:
            if since is None or a.at >= since:
                groups.setdefault((a.channel, a.theatre, a.language), []).append(a)
        return [
            SurveyTally(
                *key,
                answers=len(found),
                understood=sum(a.understood for a in found),
                scores=sum(a.score is not None for a in found),
                score_sum=sum(a.score or 0 for a in found),
            )
            for key, found in sorted(groups.items())
        ]

    def chat_ticket(self, conversation_id: str) -> str | None:
        found = [
            t
            for t in self.tickets.items
            if t.conversation_id == conversation_id and t.channel == "chat" and t.number
        ]
        return found[-1].number if found else None


class FakeUnitOfWork(AbstractUnitOfWork):
    """Keeps everything in memory; ``committed`` counts commits. Rollback does not undo
    in-memory changes (services must not rely on it beyond retrying a duplicate)."""

    def __init__(self) -> None:
        self.contracts = FakeContractRepository()
        self.tickets = FakeTicketRepository()
        self.transcripts = FakeTranscriptRepository()
        self.pins = FakePinRepository()
        self.calls = FakeCallRepository()
        self.alerts = FakeAlertRepository()
        self.staff = FakeStaffRepository()
        self.outbox = FakeOutboxRepository()
        self.live = FakeLiveChatRepository()
        self.api_tokens = FakeApiTokenRepository()
        self.surveys = FakeSurveyRepository(self.tickets)
        self.committed = 0

    def commit(self) -> None:
        self.committed += 1
        self._committed()

    def rollback(self) -> None:
        self._forget_after_commit()


class FakeNotifier:
    """Keeps what it is asked to send in ``sent``; ``failing`` makes every send fail."""

    def __init__(self) -> None:
        self.sent: list[Message] = []
        self.failing: str | None = None

    def send(self, message: Message) -> None:
        if self.failing:
            raise DeliveryError(self.failing)
        self.sent.append(message)
