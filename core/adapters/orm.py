"""Imperative SQLAlchemy mapping of the domain classes in :mod:`core.model`.

The domain never imports SQLAlchemy (style.md "What that means here" §1): tables are declared
here and :func:`start_mappers` maps the plain dataclasses onto them. Every instant is stored
timezone-aware and read back as an aware UTC ``datetime`` on every backend (issue #2).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import registry, relationship
from sqlalchemy.types import TypeDecorator

from core import model

# Stable constraint names, so that migrations can refer to them on every backend.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
mapper_registry = registry(metadata=metadata)


class UtcDateTime(TypeDecorator[datetime]):
    """An aware instant stored in UTC; naive values are refused, results come back aware UTC.

    SQLite has no time zone type: the UTC wall time is stored and tagged UTC when read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: store aware instants only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _id() -> Column[int]:
    return Column("id", Integer, primary_key=True, autoincrement=True)


customers = Table(
    "customers",
    metadata,
    _id(),
    Column("name", String(200), nullable=False, unique=True),
)

contracts = Table(
    "contracts",
    metadata,
    _id(),
    Column("code", String(32), nullable=False, unique=True),
    Column("customer_id", ForeignKey("customers.id"), nullable=False, index=True),
    Column("plan", String(16), nullable=False),
    Column("licence", String(16), nullable=False),
    Column("theatre", String(32), nullable=False),
    Column("week", String(16), nullable=False),
    Column("starts", Date, nullable=False),
    Column("ends", Date, nullable=False),
    Column("end_user_support", Boolean, nullable=False, default=False),
    Column("paid", Boolean, nullable=False, default=True),
    Column("timezone", String(64), nullable=False),
    Column("products", JSON, nullable=False),
    Column("telemetry", Boolean, nullable=False, default=True),
)

contacts = Table(
    "contacts",
    metadata,
    _id(),
    Column("contract_id", ForeignKey("contracts.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("role", String(16), nullable=True),  # NULL: unknown, the channels ask
    Column("phone", String(16), nullable=True, index=True),
    Column("email", String(254), nullable=True, index=True),
    Column("language", String(8), nullable=True),
    Column("available_24h", Boolean, nullable=False, default=False),
    Index("ix_contacts_contract_id", "contract_id"),
)

on_call_pins = Table(
    "on_call_pins",
    metadata,
    _id(),
    Column("contract_id", ForeignKey("contracts.id", ondelete="CASCADE"), nullable=False),
    Column("pin_hash", String(255), nullable=False),
    Column("locked_until", UtcDateTime, nullable=True),
    Column("failures", Integer, nullable=False, default=0),
    Column("set_at", UtcDateTime, nullable=True),
    UniqueConstraint("contract_id"),
)

pin_attempts = Table(
    "pin_attempts",
    metadata,
    _id(),
    Column("contract_id", ForeignKey("contracts.id", ondelete="CASCADE"), nullable=True),
    Column("at", UtcDateTime, nullable=False),
    Column("caller", String(64), nullable=False),
    Column("result", String(16), nullable=False),
    Column("call_sid", String(64), nullable=True),
    Column("attempt_key", String(128), nullable=True, unique=True),
    Index("ix_pin_attempts_contract_id_at", "contract_id", "at"),
)

tickets = Table(
    "tickets",
    metadata,
    _id(),
    Column("number", String(16), nullable=True, unique=True),
    Column("idempotency_key", String(200), nullable=False, unique=True),
    Column("contract_id", ForeignKey("contracts.id"), nullable=True, index=True),
    Column("conversation_id", String(200), nullable=True),
    Column("channel", String(16), nullable=False),
    Column("language", String(8), nullable=False),
    Column("priority", String(4), nullable=False),
    Column("topic", String(32), nullable=False),
    Column("summary", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", String(64), nullable=False),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("due_at", UtcDateTime, nullable=True),
    Column("guaranteed", Boolean, nullable=False, default=False),
    Column("basis", String(32), nullable=False),
    Column("taken_at", UtcDateTime, nullable=True),
    Column("taken_by", String(200), nullable=True),
    Column("notes", Text, nullable=False, default=""),
    Column("helpdesk_ref", String(64), nullable=True),  # migration 0502
    # when the row was last written, by the storage's clock: every ORM UPDATE of the ticket
    # (status, taken, clock, notes) sets it; the REST API's updated_since (migration 0501)
    Column("updated_at", UtcDateTime, nullable=True, default=_utc_now, onupdate=_utc_now),
    Index("ix_tickets_status_due_at", "status", "due_at"),
    Index("ix_tickets_due_at", "due_at"),
    Index("ix_tickets_conversation_id", "conversation_id"),
    Index("ix_tickets_updated_at", "updated_at"),
)

escalations = Table(
    "escalations",
    metadata,
    _id(),
    Column("ticket_id", ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("to", String(100), nullable=False),
    Column("after_hours", Integer, nullable=False),
    Index("ix_escalations_ticket_id", "ticket_id"),
    Index("ix_escalations_at", "at"),
)

pauses = Table(
    "pauses",
    metadata,
    _id(),
    Column("ticket_id", ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
    Column("start", UtcDateTime, nullable=False),
    Column("end", UtcDateTime, nullable=True),
    Column("reason", String(64), nullable=False),
    Index("ix_pauses_ticket_id", "ticket_id"),
)

transcripts = Table(
    "transcripts",
    metadata,
    _id(),
    Column("channel", String(16), nullable=False),
    Column("conversation_id", String(200), nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("theatre", String(32), nullable=True),
    Column("language", String(8), nullable=True),
    Column("contract_id", ForeignKey("contracts.id"), nullable=True, index=True),
    Column("caller", String(64), nullable=True),
    Column("outcome", String(32), nullable=True),
    Column("reason", String(64), nullable=True),
    UniqueConstraint("channel", "conversation_id"),
    Index("ix_transcripts_started_at", "started_at"),
    Index("ix_transcripts_channel_started_at", "channel", "started_at"),
    # the staff console's filters, each with the newest-first order (migration 0101_staff)
    Index("ix_transcripts_theatre_started_at", "theatre", "started_at"),
    Index("ix_transcripts_language_started_at", "language", "started_at"),
    Index("ix_transcripts_outcome_started_at", "outcome", "started_at"),
    Index("ix_transcripts_contract_id_started_at", "contract_id", "started_at"),
)

turns = Table(
    "turns",
    metadata,
    _id(),
    Column("transcript_id", ForeignKey("transcripts.id", ondelete="CASCADE"), nullable=False),
    Column("speaker", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("reason", String(64), nullable=True),
    Index("ix_turns_transcript_id", "transcript_id"),
)
# Substring search in what was said: on PostgreSQL only, a trigram GIN index of lower(text),
# ix_turns_text_lower_trgm (migration 0102_search). It is not mapped here: SQLAlchemy 1.4 can
# neither reflect nor compare expression indexes (tests/integration/test_console_search.py
# checks it instead).


staff_accounts = Table(
    "staff_accounts",
    metadata,
    _id(),
    Column("email", String(254), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
)

sign_in_throttles = Table(
    "sign_in_throttles",
    metadata,
    _id(),
    Column("key", String(254), nullable=False, unique=True),
    Column("failures", Integer, nullable=False, default=0),
    Column("last_failure_at", UtcDateTime, nullable=True),
    Column("retry_at", UtcDateTime, nullable=True),
)

# one row per alert fingerprint, locked while a delivery of that alarm is handled
alert_locks = Table(
    "alert_locks",
    metadata,
    Column("fingerprint", String(64), primary_key=True),
)

calls = Table(
    "calls",
    metadata,
    _id(),
    Column("call_sid", String(64), nullable=False, unique=True),
    Column("started_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("state", JSON, nullable=False),
    Column("last_step", String(200), nullable=True),
    Column("last_fingerprint", String(64), nullable=True),
    Column("last_answer", Text, nullable=True),
    Index("ix_calls_updated_at", "updated_at"),
)


alerts = Table(
    "alerts",
    metadata,
    _id(),
    Column("fingerprint", String(64), nullable=False),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=True),
    Column("status", String(16), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("resolved_at", UtcDateTime, nullable=True),
    Column("outcome", String(16), nullable=False),
    Column("reason", String(64), nullable=False),
    Column("contract_code", String(64), nullable=True),
    Column("contract_id", ForeignKey("contracts.id"), nullable=True),
    Column("priority", String(4), nullable=True),
    Column("labels", JSON, nullable=False),
    Column("annotations", JSON, nullable=False),
    Column("ticket_id", ForeignKey("tickets.id"), nullable=True, index=True),
    UniqueConstraint("fingerprint", "starts_at"),
    Index("ix_alerts_contract_id_outcome", "contract_id", "outcome"),
    Index("ix_alerts_fingerprint_received_at", "fingerprint", "received_at"),
)

# Notifications to send (escalations, breach warnings...): written in the transaction of the
# change that causes them, delivered by the worker (migration 0401_outbox).
outbox = Table(
    "outbox",
    metadata,
    _id(),
    Column("kind", String(32), nullable=False),
    Column("ticket_id", ForeignKey("tickets.id", ondelete="CASCADE"), nullable=True),
    Column("payload", JSON, nullable=False),
    Column("delivery_id", String(64), nullable=False, unique=True),
    Column("due_at", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
    Column("lease_until", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime, nullable=True),
    Index("ix_outbox_status_due_at", "status", "due_at"),
    Index("ix_outbox_ticket_id", "ticket_id"),
)


# The REST API's bearer tokens (only a hash) with their rate-limit window, and the answers
# kept for idempotency keys (migration 0501_api_tokens).
api_tokens = Table(
    "api_tokens",
    metadata,
    _id(),
    Column("name", String(64), nullable=False, unique=True),
    Column("token_id", String(16), nullable=False, unique=True),
    Column("secret_hash", String(64), nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    Column("last_used_at", UtcDateTime, nullable=True),
    Column("window_start", UtcDateTime, nullable=True),
    Column("window_requests", Integer, nullable=False, default=0),
)

# the helpdesk sync's progress: the latest helpdesk change applied (migration 0502)
helpdesk_cursors = Table(
    "helpdesk_cursors",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", UtcDateTime, nullable=False),
)

api_idempotency_keys = Table(
    "api_idempotency_keys",
    metadata,
    _id(),
    Column("token_id", ForeignKey("api_tokens.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(200), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    Column("response", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("token_id", "key"),
    Index("ix_api_idempotency_keys_created_at", "created_at"),
)


# Live hand-off of a chat to an agent (migration 0503_live_chat, docs/live-chat.md): one row
# per handed-off conversation, and its events, whose ids the streams resume from.
live_chats = Table(
    "live_chats",
    metadata,
    _id(),
    Column("conversation_id", String(200), nullable=False, unique=True),
    Column("requested_at", UtcDateTime, nullable=False),
    Column("state", String(16), nullable=False),
    Column("language", String(8), nullable=False),
    Column("contract_code", String(64), nullable=True),
    Column("customer", String(200), nullable=True),
    Column("plan", String(16), nullable=True),
    Column("requester", String(16), nullable=False),
    Column("summary", Text, nullable=False),
    Column("agent_id", ForeignKey("staff_accounts.id"), nullable=True),
    Column("agent_name", String(64), nullable=True),
    Column("taken_at", UtcDateTime, nullable=True),
    Column("customer_seen_at", UtcDateTime, nullable=True),
    Column("restart_bot", Boolean, nullable=False, default=False),
    Column("ticket_number", String(32), nullable=True),
    Column("ended_at", UtcDateTime, nullable=True),
    Index("ix_live_chats_state_requested_at", "state", "requested_at"),
)

live_events = Table(
    "live_events",
    metadata,
    _id(),
    Column("chat_id", ForeignKey("live_chats.id", ondelete="CASCADE"), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("speaker", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("staff_id", Integer, nullable=True),
    Column("name", String(64), nullable=True),
    Column("buttons", JSON, nullable=False),
    Index("ix_live_events_chat_id_id", "chat_id", "id"),
)

# the survey after a ticket (migration 0504_surveys, docs/phone.md "Survey"): one answer per
# ticket and channel
survey_answers = Table(
    "survey_answers",
    metadata,
    _id(),
    Column("channel", String(16), nullable=False),
    Column("theatre", String(32), nullable=False),
    Column("language", String(8), nullable=False),
    Column("ticket_number", String(32), nullable=False),
    Column("understood", Boolean, nullable=False),
    Column("score", Integer, nullable=True),
    Column("at", UtcDateTime, nullable=False),
    UniqueConstraint("channel", "ticket_number"),
    Index("ix_survey_answers_at", "at"),
)


def _owned(cls: type, order_by: Any) -> Any:
    """A child collection that lives and dies with its parent, loaded eagerly so that objects
    returned by a service stay usable after the unit of work has closed its session."""
    return relationship(cls, cascade="all, delete-orphan", lazy="selectin", order_by=order_by)


def start_mappers() -> None:
    """Map the domain classes onto the tables; calling it again does nothing."""
    if mapper_registry.mappers:
        return
    mapper_registry.map_imperatively(model.Customer, customers)
    mapper_registry.map_imperatively(model.Contact, contacts)
    mapper_registry.map_imperatively(
        model.Contract,
        contracts,
        properties={
            "customer": relationship(model.Customer, lazy="joined", innerjoin=True),
            "contacts": _owned(model.Contact, contacts.c.id),
        },
    )
    mapper_registry.map_imperatively(model.OnCallPin, on_call_pins)
    mapper_registry.map_imperatively(model.PinAttempt, pin_attempts)
    mapper_registry.map_imperatively(model.Escalation, escalations)
    mapper_registry.map_imperatively(model.Pause, pauses)
    mapper_registry.map_imperatively(
        model.Ticket,
        tickets,
        properties={
            "escalations": _owned(model.Escalation, (escalations.c.at, escalations.c.id)),
            "pauses": _owned(model.Pause, (pauses.c.start, pauses.c.id)),
        },
    )
    mapper_registry.map_imperatively(model.Alert, alerts)
    mapper_registry.map_imperatively(model.OutboxEvent, outbox)
    mapper_registry.map_imperatively(model.Turn, turns)
    mapper_registry.map_imperatively(
        model.Transcript,
        transcripts,
        properties={"turns": _owned(model.Turn, (turns.c.at, turns.c.id))},
    )
    mapper_registry.map_imperatively(model.Call, calls)
    mapper_registry.map_imperatively(model.StaffAccount, staff_accounts)
    mapper_registry.map_imperatively(model.SignInThrottle, sign_in_throttles)
    mapper_registry.map_imperatively(model.LiveChat, live_chats)
    mapper_registry.map_imperatively(model.LiveEvent, live_events)
    mapper_registry.map_imperatively(model.SurveyAnswer, survey_answers)
    mapper_registry.map_imperatively(model.ApiToken, api_tokens)
    mapper_registry.map_imperatively(model.ApiIdempotencyKey, api_idempotency_keys)
