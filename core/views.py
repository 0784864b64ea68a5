"""Read-side queries (views, cosmicpython ch. 12): plain rows for the staff console's pages,
one query per list (no N+1), on a session of :func:`reading`.

Writes never happen here: ticket actions and accounts go through core.services.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from core.adapters import orm
from core.model import PlanName, Ticket


@contextmanager
def reading(engine: Any) -> Iterator[Session]:
    """A session for the console's read-side queries (no unit of work: nothing is written)."""
    with Session(engine, future=True) as session:
        yield session


PAGE_SIZE = 50
t, turns, contracts, customers = orm.transcripts, orm.turns, orm.contracts, orm.customers
tickets = orm.tickets


@dataclass(frozen=True)
class ConversationFilter:
    """What the conversations page was asked for; empty strings mean "any"."""

    channel: str = ""
    theatre: str = ""
    language: str = ""
    outcome: str = ""
    reason: str = ""
    customer: str = ""
    since: date | None = None
    until: date | None = None
    q: str = ""

    def active(self) -> bool:
        return any(v not in ("", None) for v in self.__dict__.values())


@dataclass(frozen=True)
class Cursor:
    """Keyset position: the last row shown (newest first, ties by id)."""

    started_at: datetime
    id: int

    def token(self) -> str:
        return f"{self.started_at.astimezone(UTC).isoformat()}_{self.id}"

    @classmethod
    def parse(cls, token: str | None) -> Cursor | None:
        try:
            stamp, _, ident = (token or "").rpartition("_")
            parsed = datetime.fromisoformat(stamp)
            if parsed.tzinfo is None:
                return None
            return cls(parsed, int(ident))
        except ValueError:
            return None


@dataclass
class Page:
    rows: list[Any]
    next: Cursor | None = None


def like_pattern(text: str) -> str:
    """``%text%`` with the wildcard characters of ``text`` taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _contains(column: Any, text: str, dialect: str) -> Any:
    """Case-insensitive substring test. PostgreSQL: ``lower(column) LIKE lower(pattern)``, what
    ILIKE computes in a UTF-8 database, without lowercasing the pattern again for every row (the
    trigram index of turns is on ``lower(text)``, migration 0102_search). SQLite: LIKE, already
    case-insensitive for ASCII (lower() would cost a scan of its own)."""
    pattern = like_pattern(text)
    if dialect == "postgresql":
        return func.lower(column).like(func.lower(pattern), escape="\\")
    return column.like(pattern, escape="\\")


def _instant(day: date) -> datetime:
    return datetime.combine(day, time(0), UTC)


def conversation_conditions(f: ConversationFilter, dialect: str) -> list[Any]:
    conditions: list[Any] = []
    for name in ("channel", "theatre", "language", "outcome", "reason"):
        value = getattr(f, name)
        if value:
            conditions.append(t.c[name] == value)
    if f.customer:
        found = (
            select(contracts.c.id)
            .join(customers, customers.c.id == contracts.c.customer_id)
            .where(
                or_(
                    contracts.c.code == f.customer, _contains(customers.c.name, f.customer, dialect)
                )
            )
        )
        conditions.append(t.c.contract_id.in_(found))
    if f.since:
        conditions.append(t.c.started_at >= _instant(f.since))
    if f.until:
        conditions.append(t.c.started_at < _instant(f.until + timedelta(days=1)))
    if f.q:
        said = select(turns.c.transcript_id).where(_contains(turns.c.text, f.q, dialect))
        conditions.append(t.c.id.in_(said))
    return conditions


def conversations(
    session: Session, f: ConversationFilter, after: Cursor | None, limit: int = PAGE_SIZE
) -> Page:
    """One page of conversations, newest first, with contract code and customer name."""
    dialect = session.get_bind().dialect.name
    statement = (
        select(
            t.c.id,
            t.c.channel,
            t.c.conversation_id,
            t.c.started_at,
            t.c.theatre,
            t.c.language,
            t.c.caller,
            t.c.outcome,
            t.c.reason,
            contracts.c.code.label("contract"),
            customers.c.name.label("customer"),
        )
        .select_from(
            t.outerjoin(contracts, contracts.c.id == t.c.contract_id).outerjoin(
                customers, customers.c.id == contracts.c.customer_id
            )
        )
        .where(*conversation_conditions(f, dialect))
        .order_by(t.c.started_at.desc(), t.c.id.desc())
        .limit(limit + 1)
    )
    if after is not None:
        statement = statement.where(
            or_(
                t.c.started_at < after.started_at,
                and_(t.c.started_at == after.started_at, t.c.id < after.id),
            )
        )
    rows = list(session.execute(statement))
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if rows and more else None
    return Page(rows, Cursor(last.started_at, last.id) if last is not None else None)


@dataclass
class Conversation:
    transcript: Any
    turns: list[Any]
    tickets: list[Any]
    events: list[Any] = field(default_factory=list)
    recordings: list[Any] = field(default_factory=list)


RECORDING_KINDS = ("recording", "voicemail")


def conversation(session: Session, transcript_id: int) -> Conversation | None:
    """A conversation with its turns, linked tickets, call status events and recordings."""
    header = session.execute(
        select(t, contracts.c.code.label("contract"), customers.c.name.label("customer"))
        .select_from(
            t.outerjoin(contracts, contracts.c.id == t.c.contract_id).outerjoin(
                customers, customers.c.id == contracts.c.customer_id
            )
        )
        .where(t.c.id == transcript_id)
    ).first()
    if header is None:
        return None
    lines = list(
        session.execute(
            select(turns)
            .where(turns.c.transcript_id == transcript_id)
            .order_by(turns.c.at, turns.c.id)
        )
    )
    linked = list(
        session.execute(
            select(tickets.c.number, tickets.c.priority, tickets.c.status, tickets.c.due_at)
            .where(tickets.c.conversation_id == header.conversation_id)
            .order_by(tickets.c.opened_at)
        )
    )
    return Conversation(
        transcript=header,
        turns=lines,
        tickets=linked,
        events=[x for x in lines if x.kind == "event"],
        recordings=[x for x in lines if x.kind in RECORDING_KINDS and is_web_link(x.text)],
    )


def is_web_link(text: str) -> bool:
    """Only http(s) links are shown as links (never ``javascript:`` or ``data:``)."""
    return text.startswith(("https://", "http://")) and not any(c.isspace() for c in text)


@dataclass(frozen=True)
class TicketFilter:
    theatre: str = ""
    plan: str = ""
    priority: str = ""


@dataclass
class TicketRow:
    ticket: Ticket
    contract: str | None
    theatre: str | None
    week: str | None
    plan: PlanName | None


def open_tickets(session: Session, f: TicketFilter, limit: int = 200) -> list[TicketRow]:
    """Tickets not closed, by due time (those without one last), with their contract; their
    escalations and pauses come in one more query each (selectin)."""
    statement = (
        select(Ticket, contracts.c.code, contracts.c.theatre, contracts.c.week, contracts.c.plan)
        .outerjoin(contracts, contracts.c.id == tickets.c.contract_id)
        .where(tickets.c.status != "closed")
        .order_by(tickets.c.due_at.is_(None), tickets.c.due_at, tickets.c.opened_at)
        .limit(limit)
    )
    for name, column in (("theatre", contracts.c.theatre), ("plan", contracts.c.plan)):
        if getattr(f, name):
            statement = statement.where(column == getattr(f, name))
    if f.priority:
        statement = statement.where(tickets.c.priority == f.priority)
    return [TicketRow(*row) for row in session.execute(statement).unique()]


def ticket_by_number(session: Session, number: str) -> TicketRow | None:
    statement = (
        select(Ticket, contracts.c.code, contracts.c.theatre, contracts.c.week, contracts.c.plan)
        .outerjoin(contracts, contracts.c.id == tickets.c.contract_id)
        .where(tickets.c.number == number)
    )
    row = session.execute(statement).unique().first()
    return TicketRow(*row) if row is not None else None


def transcript_ids_for(session: Session, conversation_ids: Sequence[str]) -> dict[str, int]:
    """The transcript of each conversation id (a ticket names its conversation)."""
    if not conversation_ids:
        return {}
    rows = session.execute(
        select(t.c.conversation_id, t.c.id).where(t.c.conversation_id.in_(conversation_ids))
    )
    return {r.conversation_id: r.id for r in rows}


def pin_attempts(session: Session, limit: int = 200) -> list[Any]:
    pa = orm.pin_attempts
    statement = (
        select(pa, contracts.c.code.label("contract"))
        .outerjoin(contracts, contracts.c.id == pa.c.contract_id)
        .order_by(pa.c.at.desc(), pa.c.id.desc())
        .limit(limit)
    )
    return list(session.execute(statement))


def lockouts(session: Session, at: datetime) -> list[Any]:
    """PINs locked now, with when the lock ends."""
    pins = orm.on_call_pins
    statement = (
        select(contracts.c.code.label("contract"), pins.c.locked_until, pins.c.failures)
        .join(contracts, contracts.c.id == pins.c.contract_id)
        .where(pins.c.locked_until > at)
        .order_by(pins.c.locked_until.desc())
    )
    return list(session.execute(statement))


@dataclass
class OnCallCall:
    transcript: Any
    events: list[str]
    tickets: list[str]

    @property
    def answered(self) -> str:
        """From the call's status events: the engineer's leg answered, or not, or unknown."""
        text = " ".join(self.events).casefold()
        if any(word in text for word in ("answered", "completed", "in-progress")):
            return "yes"
        if any(word in text for word in ("no-answer", "busy", "failed", "canceled")):
            return "no"
        return "unknown"


def on_call_calls(session: Session, limit: int = 100) -> list[OnCallCall]:
    """Conversations that reached the on-call service, newest first, with their events and
    tickets (three queries whatever the number of calls)."""
    calls = list(
        session.execute(
            select(t).where(t.c.outcome == "on_call").order_by(t.c.started_at.desc()).limit(limit)
        )
    )
    ids = [c.id for c in calls]
    events: dict[int, list[str]] = {i: [] for i in ids}
    for row in session.execute(
        select(turns.c.transcript_id, turns.c.text)
        .where(turns.c.transcript_id.in_(ids), turns.c.kind == "event")
        .order_by(turns.c.at, turns.c.id)
    ):
        events[row.transcript_id].append(row.text)
    numbers: dict[str, list[str]] = {}
    for row in session.execute(
        select(tickets.c.conversation_id, tickets.c.number).where(
            tickets.c.conversation_id.in_([c.conversation_id for c in calls])
        )
    ):
        numbers.setdefault(row.conversation_id, []).append(row.number)
    return [OnCallCall(c, events[c.id], numbers.get(c.conversation_id, [])) for c in calls]


def handoff_queue(session: Session, limit: int = 200) -> list[Any]:
    """Chats flagged for a live agent (outcome ``handed_off``) that no ticket answers yet,
    oldest first."""
    answered = exists().where(tickets.c.conversation_id == t.c.conversation_id)
    statement = (
        select(t, contracts.c.code.label("contract"))
        .outerjoin(contracts, contracts.c.id == t.c.contract_id)
        .where(t.c.outcome == "handed_off", ~answered)
        .order_by(t.c.started_at, t.c.id)
        .limit(limit)
    )
    return list(session.execute(statement))


IVR_END = "ivr_end:"  # the reason prefix of a call's ending line (ivr/abandonment.py)


@dataclass
class PhoneTreeEndings:
    """A theatre's phone calls over a period: contained, abandoned per question, errors."""

    theatre: str
    contained: int = 0
    error: int = 0
    abandoned: dict[str, int] = field(default_factory=dict)

    @property
    def abandoned_total(self) -> int:
        return sum(self.abandoned.values())

    @property
    def total(self) -> int:
        return self.contained + self.error + self.abandoned_total

    @property
    def containment(self) -> float | None:
        """The share of the calls the tree finished (None without calls)."""
        return self.contained / self.total if self.total else None


def phone_tree_endings(session: Session, since: datetime) -> list[PhoneTreeEndings]:
    """Phone calls started at or after ``since`` by theatre and how they ended, from their
    ending lines (one query, by theatre name)."""
    statement = (
        select(t.c.theatre, turns.c.reason, func.count(func.distinct(t.c.id)).label("calls"))
        .join_from(t, turns, turns.c.transcript_id == t.c.id)
        .where(
            t.c.channel == "phone",
            t.c.started_at >= since,
            turns.c.kind == "event",
            turns.c.reason.like(IVR_END + "%"),
        )
        .group_by(t.c.theatre, turns.c.reason)
    )
    found: dict[str, PhoneTreeEndings] = {}
    for row in session.execute(statement):
        theatre = row.theatre or "none"
        counts = found.setdefault(theatre, PhoneTreeEndings(theatre))
        result, _, step = str(row.reason)[len(IVR_END) :].partition(":")
        if result == "contained":
            counts.contained += row.calls
        elif result == "error":
            counts.error += row.calls
        elif result == "abandoned":
            counts.abandoned[step or "start"] = counts.abandoned.get(step or "start", 0) + row.calls
    return [found[name] for name in sorted(found)]
