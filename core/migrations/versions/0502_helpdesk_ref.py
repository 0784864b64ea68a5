"""Helpdesk: the helpdesk's id of each ticket handed to it, and the sync's progress
(docs/helpdesk.md).

``tickets.helpdesk_ref`` is nullable (tickets of the built-in console have none; adding it needs
no table rebuild on SQLite). ``helpdesk_cursors`` keeps, per helpdesk, the time of the latest
change the sync applied.

Revision ID: 0502_helpdesk_ref
Revises: 0501_api_tokens
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0502_helpdesk_ref"
down_revision = "0501_api_tokens"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tickets", sa.Column("helpdesk_ref", sa.String(64), nullable=True))
    op.create_table(
        "helpdesk_cursors",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_helpdesk_cursors"),
    )


def downgrade() -> None:
    op.drop_table("helpdesk_cursors")
    op.drop_column("tickets", "helpdesk_ref")  # SQLite 3.35+: no table rebuild
