"""IVR call state keyed by CallSid (issue #3: any worker answers the next step of a call).

Revision ID: 0002_ivr_calls
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_ivr_calls"
down_revision = "0001"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "calls",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("call_sid", sa.String(64), nullable=False),
        sa.Column("started_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("state", sa.JSON, nullable=False),
        sa.Column("last_step", sa.String(200), nullable=True),
        sa.Column("last_fingerprint", sa.String(64), nullable=True),
        sa.Column("last_answer", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_calls"),
        sa.UniqueConstraint("call_sid", name="uq_calls_call_sid"),
    )
    op.create_index("ix_calls_updated_at", "calls", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_calls_updated_at", table_name="calls")
    op.drop_table("calls")
