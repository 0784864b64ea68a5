"""Monitoring alerts (proactive support, issue #6).

Revision ID: 0201_alerts
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0201_alerts"
down_revision = "0001"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("starts_at", _TS, nullable=False),
        sa.Column("ends_at", _TS, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("received_at", _TS, nullable=False),
        sa.Column("resolved_at", _TS, nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("contract_code", sa.String(64), nullable=True),
        sa.Column("contract_id", sa.Integer, nullable=True),
        sa.Column("priority", sa.String(4), nullable=True),
        sa.Column("labels", sa.JSON, nullable=False),
        sa.Column("annotations", sa.JSON, nullable=False),
        sa.Column("ticket_id", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_alerts"),
        sa.UniqueConstraint("fingerprint", "starts_at", name="uq_alerts_fingerprint_starts_at"),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name="fk_alerts_contract_id_contracts"
        ),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name="fk_alerts_ticket_id_tickets"),
    )
    op.create_index("ix_alerts_ticket_id", "alerts", ["ticket_id"])
    op.create_index("ix_alerts_contract_id_outcome", "alerts", ["contract_id", "outcome"])
    op.create_index("ix_alerts_fingerprint_received_at", "alerts", ["fingerprint", "received_at"])


def downgrade() -> None:
    op.drop_table("alerts")
