"""Staff console: staff accounts, sign-in throttles, indexes for the conversation filters and,
on PostgreSQL, a trigram index for the search in what was said (issue #5).

Revision ID: 0101_staff
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0101_staff"
down_revision = "0001"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)
_FILTERS = ("theatre", "language", "outcome", "contract_id")


def upgrade() -> None:
    op.create_table(
        "staff_accounts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff_accounts"),
        sa.UniqueConstraint("email", name="uq_staff_accounts_email"),
    )
    op.create_table(
        "sign_in_throttles",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(254), nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_failure_at", _TS, nullable=True),
        sa.Column("retry_at", _TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sign_in_throttles"),
        sa.UniqueConstraint("key", name="uq_sign_in_throttles_key"),
    )
    for column in _FILTERS:
        op.create_index(f"ix_transcripts_{column}_started_at", "transcripts", [column, "started_at"])
    op.create_index("ix_tickets_conversation_id", "tickets", ["conversation_id"])
    if op.get_bind().dialect.name == "postgresql":
        _create_trigram_index()


def _create_trigram_index() -> None:
    """pg_trgm lets ILIKE '%words%' use a GIN index. The extension is installed once per
    database (in ``public`` when there is one), so its operator class is named with its schema:
    a search_path without that schema still finds it."""
    bind = op.get_bind()
    schema = bind.exec_driver_sql(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
        " WHERE e.extname = 'pg_trgm'"
    ).scalar()
    if schema is None:
        public = bind.exec_driver_sql("SELECT 1 FROM pg_namespace WHERE nspname = 'public'")
        where = " SCHEMA public" if public.scalar() else ""
        op.execute(f"CREATE EXTENSION IF NOT EXISTS pg_trgm{where}")
        schema = bind.exec_driver_sql(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
            " WHERE e.extname = 'pg_trgm'"
        ).scalar()
    op.execute(f'CREATE INDEX ix_turns_text_trgm ON turns USING gin (text "{schema}".gin_trgm_ops)')


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_turns_text_trgm", table_name="turns")
    op.drop_index("ix_tickets_conversation_id", table_name="tickets")
    for column in _FILTERS:
        op.drop_index(f"ix_transcripts_{column}_started_at", table_name="transcripts")
    op.drop_table("sign_in_throttles")
    op.drop_table("staff_accounts")
