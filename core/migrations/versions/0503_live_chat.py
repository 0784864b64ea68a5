"""Live hand-off of a chat to an agent (docs/live-chat.md): one row per handed-off
conversation (``live_chats``, its state taken by one agent with a conditional UPDATE) and its
events (``live_events``), whose ids the Server-Sent Events streams send and resume from.

Revision ID: 0503_live_chat
Revises: 0502_helpdesk_ref
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0503_live_chat"
down_revision = "0502_helpdesk_ref"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "live_chats",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(200), nullable=False),
        sa.Column("requested_at", _TS, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("contract_code", sa.String(64), nullable=True),
        sa.Column("customer", sa.String(200), nullable=True),
        sa.Column("plan", sa.String(16), nullable=True),
        sa.Column("requester", sa.String(16), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("agent_id", sa.Integer, nullable=True),
        sa.Column("agent_name", sa.String(64), nullable=True),
        sa.Column("taken_at", _TS, nullable=True),
        sa.Column("customer_seen_at", _TS, nullable=True),
        sa.Column("restart_bot", sa.Boolean, nullable=False),
        sa.Column("ticket_number", sa.String(32), nullable=True),
        sa.Column("ended_at", _TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_live_chats"),
        sa.UniqueConstraint("conversation_id", name="uq_live_chats_conversation_id"),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["staff_accounts.id"], name="fk_live_chats_agent_id_staff_accounts"
        ),
    )
    op.create_index("ix_live_chats_state_requested_at", "live_chats", ["state", "requested_at"])
    op.create_table(
        "live_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("chat_id", sa.Integer, nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("speaker", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("staff_id", sa.Integer, nullable=True),
        sa.Column("name", sa.String(64), nullable=True),
        sa.Column("buttons", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_live_events"),
        sa.ForeignKeyConstraint(
            ["chat_id"],
            ["live_chats.id"],
            name="fk_live_events_chat_id_live_chats",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_live_events_chat_id_id", "live_events", ["chat_id", "id"])


def downgrade() -> None:
    op.drop_table("live_events")
    op.drop_table("live_chats")
