"""Domain objects: customers, contracts, contacts, PINs, tickets, transcripts.

Plain classes with no persistence imports; ``core.adapters.orm`` maps them imperatively.
Instants are timezone-aware ``datetime`` values; dates are the contract's calendar dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

PlanName = Literal["basic", "gold", "platinum"]  # guide §3: the three support plans

Channel = Literal["phone", "chat", "web", "email", "proactive"]
CHANNELS: tuple[Channel, ...] = ("phone", "chat", "web", "email", "proactive")
Role = Literal["admin", "partner", "end_user"]
ROLES: tuple[Role, ...] = ("admin", "partner", "end_user")
TicketStatus = Literal["open", "taken", "waiting", "closed"]


@dataclass(eq=False)
class Customer:
    name: str
    id: int | None = None


@dataclass(eq=False)
class Contact:
    """A person allowed to ask for support on a contract."""

    name: str
    role: Role | None  # None: not known (imported without one), so the channels ask
    phone: str | None = None  # E.164
    email: str | None = None
    language: str | None = None  # preferred language code, one of the seven
    available_24h: bool = False  # a 24-hour phone contact (proactive on-call, guide §10.2)
    id: int | None = None
    contract_id: int | None = None


@dataclass(eq=False)
class Contract:
    """A customer's support contract: plan, licence, theatre, dates and options."""

    code: str
    customer: Customer
    plan: PlanName
    licence: str  # perpetual | subscription | cloud
    theatre: str
    week: str
    starts: date
    ends: date
    end_user_support: bool = False
    paid: bool = True
    timezone: str = "UTC"  # IANA zone of the customer site (Asia-Pacific test)
    products: list[str] = field(default_factory=list)
    telemetry: bool = True
    contacts: list[Contact] = field(default_factory=list)
    id: int | None = None

    def in_force(self, at: datetime, theatre_zone: ZoneInfo) -> bool:
        """Covered from ``starts`` 00:00 to the end of ``ends``, in the theatre's time zone."""
        start = datetime.combine(self.starts, time(0), theatre_zone)
        end = datetime.combine(self.ends + timedelta(days=1), time(0), theatre_zone)
        return start <= at < end

    def has_started(self, at: datetime, theatre_zone: ZoneInfo) -> bool:
        return at >= datetime.combine(self.starts, time(0), theatre_zone)

    def contact_by_phone(self, phone: str) -> Contact | None:
        return next((c for c in self.contacts if c.phone == phone), None)

    def contact_by_email(self, email: str) -> Contact | None:
        wanted = email.strip().casefold()
        return next((c for c in self.contacts if (c.email or "").casefold() == wanted), None)


@dataclass(eq=False)
class OnCallPin:
    """The salted hash of a contract's on-call PIN, with its lockout state."""

    contract_id: int
    pin_hash: str
    locked_until: datetime | None = None
    failures: int = 0  # wrong PINs in the current failure window (issue #2: counter)
    set_at: datetime | None = None  # failures before a new PIN was set do not count
    id: int | None = None


@dataclass(eq=False)
class PinAttempt:
    """One audited PIN attempt; the PIN itself is never stored."""

    contract_id: int | None
    at: datetime
    caller: str
    result: str  # ok | wrong | locked | no_pin
    call_sid: str | None = None
    attempt_key: str | None = None  # a retried webhook with the same key is not counted twice
    id: int | None = None


@dataclass(eq=False)
class Pause:
    """A window when the response clock stood still (waiting for the customer or a third party)."""

    start: datetime
    end: datetime | None = None
    reason: str = "waiting_for_customer"
    id: int | None = None
    ticket_id: int | None = None


@dataclass(eq=False)
class Escalation:
    at: datetime
    to: str
    after_hours: int
    id: int | None = None
    ticket_id: int | None = None


@dataclass(eq=False)
class Ticket:
    """One problem that cannot be split further (guide §5.1), with its response clock."""

    contract_id: int | None
    channel: str
    language: str
    priority: str
    topic: str
    summary: str
    opened_at: datetime
    idempotency_key: str
    due_at: datetime | None = None
    guaranteed: bool = False
    basis: str = "none"  # business | clock | end_of_business_day | none (core.sla.Deadline)
    status: str = "open"
    number: str | None = None
    reason: str = "ok"
    conversation_id: str | None = None
    taken_at: datetime | None = None
    taken_by: str | None = None
    notes: str = ""
    helpdesk_ref: str | None = None  # the helpdesk's id of this ticket (docs/helpdesk.md)
    escalations: list[Escalation] = field(default_factory=list)
    pauses: list[Pause] = field(default_factory=list)
    # when the store last wrote the ticket's row (the storage's clock, set by the adapter, not
    # the instant an event claims): what the REST API's ``updated_since`` compares
    updated_at: datetime | None = None
    id: int | None = None


@dataclass(eq=False)
class Turn:
    """One line of a conversation: who spoke, what (secrets masked), when."""

    speaker: str  # caller | customer | bot | ivr | system
    text: str
    at: datetime
    kind: str = "say"  # say | keys | speech | decision | event | ticket
    reason: str | None = None
    id: int | None = None
    transcript_id: int | None = None


@dataclass(eq=False)
class Transcript:
    """A phone call or chat conversation as staff will read it."""

    channel: str
    conversation_id: str
    started_at: datetime
    theatre: str | None = None
    language: str | None = None
    contract_id: int | None = None
    caller: str | None = None
    outcome: str | None = None
    reason: str | None = None
    turns: list[Turn] = field(default_factory=list)
    id: int | None = None


StaffRole = Literal["agent", "admin"]
STAFF_ROLES: tuple[StaffRole, ...] = ("agent", "admin")


@dataclass(eq=False)
class StaffAccount:
    """A support person who signs in to the staff console (issue #5); only a hash is stored."""

    email: str  # stored casefolded: the sign-in name
    role: str  # agent | admin
    password_hash: str
    created_at: datetime
    active: bool = True
    id: int | None = None


@dataclass(eq=False)
class SignInThrottle:
    """Failed sign-ins for one name, kept in the database so that every worker sees them:
    after a few failures the next try must wait, after more the name is locked for a while."""

    key: str
    failures: int = 0
    last_failure_at: datetime | None = None
    retry_at: datetime | None = None  # no password is checked before this instant
    id: int | None = None


@dataclass(eq=False)
class Call:
    """A phone call in progress, keyed by the provider's call id (Twilio ``CallSid``).

    The IVR keeps its progress in ``state`` (plain JSON data) so that any web worker can answer
    the call's next step; ``last_*`` remember the answer to the latest webhook delivery, so that
    a retried delivery gets the same answer and causes nothing twice.
    """

    call_sid: str
    started_at: datetime
    updated_at: datetime
    state: dict[str, Any] = field(default_factory=dict)
    last_step: str | None = None
    last_fingerprint: str | None = None
    last_answer: str | None = None
    id: int | None = None


@dataclass(eq=False)
class Alert:
    """One monitoring alarm occurrence (fingerprint + start), as received and what it did.

    ``outcome`` says what the front door did: ``ticket`` (opened one), ``on_call`` (opened one
    and paged the on-call engineer), ``enhanced`` (Basic on-prem: kept for the customer's next
    ticket, policy-notes "Proactive support") or ``ignored`` (``reason`` says why).
    """

    fingerprint: str
    starts_at: datetime
    status: str  # firing | resolved (the latest state received)
    received_at: datetime
    outcome: str
    reason: str
    contract_code: str | None = None  # the label value as sent, also when no contract has it
    contract_id: int | None = None
    priority: str | None = None
    ends_at: datetime | None = None
    resolved_at: datetime | None = None  # when the front door learnt of the resolution
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    ticket_id: int | None = None  # the ticket it opened, or (enhanced) the one it was shown on
    id: int | None = None

    @property
    def conversation_id(self) -> str:
        """The transcript of this occurrence: fingerprint and start instant."""
        return f"{self.fingerprint}@{self.starts_at.isoformat()}"


LiveState = Literal["waiting", "taken", "offered", "bot", "closed"]
LIVE_ACTIVE: tuple[str, ...] = ("waiting", "taken", "offered")  # the bot does not answer


@dataclass(eq=False)
class LiveChat:
    """A chat the assistant handed to a person (docs/live-chat.md): ``waiting`` for an agent,
    ``taken`` by one agent, ``offered`` (nobody took it: the bot came back and offers a
    ticket), then ``bot`` again or ``closed``. What the queue shows is copied here when the
    hand-off starts, so that the queue is one read of one table."""

    conversation_id: str  # the chat transcript's conversation id (the Rasa sender id)
    requested_at: datetime
    state: str = "waiting"
    language: str = "en"
    contract_code: str | None = None
    customer: str | None = None
    plan: str | None = None
    requester: str = "admin"  # the role a ticket opened from the chat is asked for
    summary: str = ""  # what the transcript says was asked and decided before the hand-off
    agent_id: int | None = None
    agent_name: str | None = None  # the first name the customer sees
    taken_at: datetime | None = None
    customer_seen_at: datetime | None = None  # the customer's stream's latest heartbeat
    restart_bot: bool = False  # the bot is paused since the hand-off: restart it first
    ticket_number: str | None = None
    ended_at: datetime | None = None
    id: int | None = None


@dataclass(eq=False)
class SurveyAnswer:
    """A caller's or chatter's answer to the two-question survey after a ticket (docs/phone.md
    "Survey"): one per ticket and channel."""

    channel: str  # phone | chat
    theatre: str
    language: str
    ticket_number: str
    understood: bool
    score: int | None  # 1-5; None when the score question was left unanswered
    at: datetime
    id: int | None = None


@dataclass(frozen=True)
class SurveyTally:
    """The survey answers of one channel, theatre and language: how many, how many said
    "understood", and the sum and count of the scores given (the console's table)."""

    channel: str
    theatre: str
    language: str
    answers: int
    understood: int
    scores: int
    score_sum: int

    @property
    def understood_share(self) -> float:
        return self.understood / self.answers if self.answers else 0.0

    @property
    def mean_score(self) -> float | None:
        return self.score_sum / self.scores if self.scores else None


@dataclass(eq=False)
class LiveEvent:
    """One event of a live chat (a message or a change of state); its id is the event id the
    streams send and resume from."""

    chat_id: int
    at: datetime
    kind: str  # message | status
    speaker: str  # customer | agent | bot | system
    text: str  # a message, or the status (taken, returned, closed, ticket, waiting)
    staff_id: int | None = None
    name: str | None = None  # the agent's first name
    buttons: list[dict[str, str]] = field(default_factory=list)
    id: int | None = None


OutboxKind = Literal[
    "ticket_opened", "escalation_due", "breach_warning", "breach", "taken_in_charge"
]
OutboxStatus = Literal["pending", "sent", "failed", "dead", "cancelled"]
LADDER_KINDS: tuple[str, ...] = ("escalation_due", "breach_warning", "breach")


@dataclass(eq=False)
class OutboxEvent:
    """One notification to send, written in the transaction of the change that causes it.

    ``delivery_id`` is stable across attempts: receivers drop a message they already have.
    ``due_at`` is when it may first be sent; ``lease_until`` is when a worker that claimed it
    (or a failed attempt's backoff) lets another attempt claim it again. ``failed`` rows are
    retried; ``dead`` ones gave up (too old or no one to send to).
    """

    kind: str
    ticket_id: int | None
    payload: dict[str, Any]
    delivery_id: str
    due_at: datetime
    created_at: datetime
    status: str = "pending"
    attempts: int = 0
    last_error: str | None = None
    lease_until: datetime | None = None
    sent_at: datetime | None = None
    id: int | None = None


ApiScope = Literal["read", "write"]
API_SCOPES: tuple[ApiScope, ...] = ("read", "write")


@dataclass(eq=False)
class ApiToken:
    """A bearer token of the REST API (docs/api.md). Only the SHA-256 of the token is stored;
    ``token_id``, the token's first characters after ``fd_``, is not secret and finds the row.
    The current rate-limit window is kept on the row, so that every web worker counts the
    same requests. A revoked token stays, for the record."""

    name: str
    token_id: str
    secret_hash: str  # hex SHA-256 of the whole token
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    window_start: datetime | None = None
    window_requests: int = 0
    id: int | None = None


@dataclass(eq=False)
class ApiIdempotencyKey:
    """The answer given to a write sent with an ``Idempotency-Key``: a repeat of the same
    request by the same token gets it again, and nothing is done twice."""

    token_id: int  # ApiToken.id
    key: str
    request_hash: str  # hex SHA-256 of the method, path and body
    status: int
    response: dict[str, Any]
    created_at: datetime
    id: int | None = None
