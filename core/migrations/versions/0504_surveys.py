"""The two-question survey after a ticket (docs/phone.md "Survey"): one row per ticket and
channel in ``survey_answers`` (whether the request was understood, a score 1-5), so that a
retried webhook or a second click records nothing twice.

Revision ID: 0504_surveys
Revises: 0503_live_chat
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0504_surveys"
down_revision = "0503_live_chat"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_answers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("theatre", sa.String(32), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("ticket_number", sa.String(32), nullable=False),
        sa.Column("understood", sa.Boolean, nullable=False),
        sa.Column("score", sa.Integer, nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_survey_answers"),
        sa.UniqueConstraint(
            "channel", "ticket_number", name="uq_survey_answers_channel_ticket_number"
        ),
    )
    op.create_index("ix_survey_answers_at", "survey_answers", ["at"])


def downgrade() -> None:
    op.drop_table("survey_answers")
