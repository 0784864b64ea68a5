"""REST API: bearer tokens (only their SHA-256), the answers kept for idempotency keys, and
``tickets.updated_at`` for the API's ``updated_since`` (docs/api.md).

``updated_at`` is when the row was last written, by the storage's clock; the ORM sets it on
every insert and update of a ticket. Existing tickets get the latest instant their own columns
and pauses record (opening, taking in charge, a pause's start or end): the best that can be
said of the past. The column stays nullable so that adding it needs no table rebuild on
SQLite (a rebuild of ``tickets`` would cascade deletes to its children).

Revision ID: 0501_api_tokens
Revises: 0401_outbox
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0501_api_tokens"
down_revision = "0401_outbox"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("tickets", sa.Column("updated_at", _TS, nullable=True))
    _backfill_updated_at()
    op.create_index("ix_tickets_updated_at", "tickets", ["updated_at"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("token_id", sa.String(16), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("scopes", sa.JSON, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("revoked_at", _TS, nullable=True),
        sa.Column("last_used_at", _TS, nullable=True),
        sa.Column("window_start", _TS, nullable=True),
        sa.Column("window_requests", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.UniqueConstraint("name", name="uq_api_tokens_name"),
        sa.UniqueConstraint("token_id", name="uq_api_tokens_token_id"),
    )
    op.create_table(
        "api_idempotency_keys",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("token_id", sa.Integer, nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("response", sa.JSON, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_api_idempotency_keys"),
        sa.UniqueConstraint("token_id", "key", name="uq_api_idempotency_keys_token_id_key"),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["api_tokens.id"],
            name="fk_api_idempotency_keys_token_id_api_tokens",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_api_idempotency_keys_created_at", "api_idempotency_keys", ["created_at"])


def _backfill_updated_at() -> None:
    """The latest of opened_at, taken_at and the pauses' starts and ends, in three updates
    that every backend runs (no GREATEST on SQLite)."""
    tickets = sa.table(
        "tickets",
        sa.column("id", sa.Integer),
        sa.column("opened_at", _TS),
        sa.column("taken_at", _TS),
        sa.column("updated_at", _TS),
    )
    pauses = sa.table(
        "pauses", sa.column("ticket_id", sa.Integer), sa.column("start", _TS), sa.column("end", _TS)
    )
    op.execute(tickets.update().values(updated_at=tickets.c.opened_at))
    op.execute(
        tickets.update()
        .where(tickets.c.taken_at.is_not(None), tickets.c.taken_at > tickets.c.updated_at)
        .values(updated_at=tickets.c.taken_at)
    )
    latest_pause = (
        sa.select(sa.func.max(sa.func.coalesce(pauses.c.end, pauses.c.start)))
        .where(pauses.c.ticket_id == tickets.c.id)
        .scalar_subquery()
    )
    op.execute(
        tickets.update().where(latest_pause > tickets.c.updated_at).values(updated_at=latest_pause)
    )


def downgrade() -> None:
    op.drop_table("api_idempotency_keys")
    op.drop_table("api_tokens")
    op.drop_index("ix_tickets_updated_at", table_name="tickets")
    op.drop_column("tickets", "updated_at")  # SQLite 3.35+: no table rebuild
