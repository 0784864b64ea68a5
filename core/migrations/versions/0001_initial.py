"""Initial schema: customers, contracts, contacts, PINs, tickets, transcripts.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def _pk() -> sa.Column[int]:
    return sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)


def upgrade() -> None:
    op.create_table(
        "customers",
        _pk(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_customers"),
        sa.UniqueConstraint("name", name="uq_customers_name"),
    )
    op.create_table(
        "contracts",
        _pk(),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("customer_id", sa.Integer, nullable=False),
        sa.Column("plan", sa.String(16), nullable=False),
        sa.Column("licence", sa.String(16), nullable=False),
        sa.Column("theatre", sa.String(32), nullable=False),
        sa.Column("week", sa.String(16), nullable=False),
        sa.Column("starts", sa.Date, nullable=False),
        sa.Column("ends", sa.Date, nullable=False),
        sa.Column("end_user_support", sa.Boolean, nullable=False),
        sa.Column("paid", sa.Boolean, nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("products", sa.JSON, nullable=False),
        sa.Column("telemetry", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_contracts"),
        sa.UniqueConstraint("code", name="uq_contracts_code"),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name="fk_contracts_customer_id_customers"
        ),
    )
    op.create_index("ix_contracts_customer_id", "contracts", ["customer_id"])
    op.create_table(
        "contacts",
        _pk(),
        sa.Column("contract_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("phone", sa.String(16), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("available_24h", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_contacts"),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name="fk_contacts_contract_id_contracts",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_contacts_contract_id", "contacts", ["contract_id"])
    op.create_index("ix_contacts_phone", "contacts", ["phone"])
    op.create_index("ix_contacts_email", "contacts", ["email"])
    op.create_table(
        "on_call_pins",
        _pk(),
        sa.Column("contract_id", sa.Integer, nullable=False),
        sa.Column("pin_hash", sa.String(255), nullable=False),
        sa.Column("locked_until", _TS, nullable=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("set_at", _TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_on_call_pins"),
        sa.UniqueConstraint("contract_id", name="uq_on_call_pins_contract_id"),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name="fk_on_call_pins_contract_id_contracts",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "pin_attempts",
        _pk(),
        sa.Column("contract_id", sa.Integer, nullable=True),
        sa.Column("at", _TS, nullable=False),
        sa.Column("caller", sa.String(64), nullable=False),
        sa.Column("result", sa.String(16), nullable=False),
        sa.Column("call_sid", sa.String(64), nullable=True),
        sa.Column("attempt_key", sa.String(128), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_pin_attempts"),
        sa.UniqueConstraint("attempt_key", name="uq_pin_attempts_attempt_key"),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name="fk_pin_attempts_contract_id_contracts",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_pin_attempts_contract_id_at", "pin_attempts", ["contract_id", "at"])
    _create_tickets()
    _create_transcripts()


def _create_tickets() -> None:
    op.create_table(
        "tickets",
        _pk(),
        sa.Column("number", sa.String(16), nullable=True),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("contract_id", sa.Integer, nullable=True),
        sa.Column("conversation_id", sa.String(200), nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("priority", sa.String(4), nullable=False),
        sa.Column("topic", sa.String(32), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("opened_at", _TS, nullable=False),
        sa.Column("due_at", _TS, nullable=True),
        sa.Column("guaranteed", sa.Boolean, nullable=False),
        sa.Column("basis", sa.String(32), nullable=False),
        sa.Column("taken_at", _TS, nullable=True),
        sa.Column("taken_by", sa.String(200), nullable=True),
        sa.Column("notes", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tickets"),
        sa.UniqueConstraint("number", name="uq_tickets_number"),
        sa.UniqueConstraint("idempotency_key", name="uq_tickets_idempotency_key"),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name="fk_tickets_contract_id_contracts"
        ),
    )
    op.create_index("ix_tickets_contract_id", "tickets", ["contract_id"])
    op.create_index("ix_tickets_status_due_at", "tickets", ["status", "due_at"])
    op.create_index("ix_tickets_due_at", "tickets", ["due_at"])
    ladder_tables: tuple[tuple[str, list[sa.Column[Any]]], ...] = (
        ("escalations", [sa.Column("at", _TS, nullable=False), sa.Column("to", sa.String(100), nullable=False), sa.Column("after_hours", sa.Integer, nullable=False)]),
        ("pauses", [sa.Column("start", _TS, nullable=False), sa.Column("end", _TS, nullable=True), sa.Column("reason", sa.String(64), nullable=False)]),
    )
    for name, columns in ladder_tables:
        op.create_table(
            name,
            _pk(),
            sa.Column("ticket_id", sa.Integer, nullable=False),
            *columns,
            sa.PrimaryKeyConstraint("id", name=f"pk_{name}"),
            sa.ForeignKeyConstraint(
                ["ticket_id"], ["tickets.id"], name=f"fk_{name}_ticket_id_tickets", ondelete="CASCADE"
            ),
        )
        op.create_index(f"ix_{name}_ticket_id", name, ["ticket_id"])
    op.create_index("ix_escalations_at", "escalations", ["at"])


def _create_transcripts() -> None:
    op.create_table(
        "transcripts",
        _pk(),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("conversation_id", sa.String(200), nullable=False),
        sa.Column("started_at", _TS, nullable=False),
        sa.Column("theatre", sa.String(32), nullable=True),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("contract_id", sa.Integer, nullable=True),
        sa.Column("caller", sa.String(64), nullable=True),
        sa.Column("outcome", sa.String(32), nullable=True),
        sa.Column("reason", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_transcripts"),
        sa.UniqueConstraint(
            "channel", "conversation_id", name="uq_transcripts_channel_conversation_id"
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name="fk_transcripts_contract_id_contracts"
        ),
    )
    op.create_index("ix_transcripts_contract_id", "transcripts", ["contract_id"])
    op.create_index("ix_transcripts_started_at", "transcripts", ["started_at"])
    op.create_index("ix_transcripts_channel_started_at", "transcripts", ["channel", "started_at"])
    op.create_table(
        "turns",
        _pk(),
        sa.Column("transcript_id", sa.Integer, nullable=False),
        sa.Column("speaker", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_turns"),
        sa.ForeignKeyConstraint(
            ["transcript_id"],
            ["transcripts.id"],
            name="fk_turns_transcript_id_transcripts",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_turns_transcript_id", "turns", ["transcript_id"])


def downgrade() -> None:
    for table in (
        "turns",
        "transcripts",
        "pauses",
        "escalations",
        "tickets",
        "pin_attempts",
        "on_call_pins",
        "contacts",
        "contracts",
        "customers",
    ):
        op.drop_table(table)
