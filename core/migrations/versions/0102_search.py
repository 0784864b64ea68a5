"""Faster search in what was said on PostgreSQL: the trigram index of migration 0101_staff is
replaced by one on ``lower(text)`` without a pending list.

The console searches with ``lower(text) LIKE lower(pattern)``, which is what ILIKE computes in
a multi-byte database, but ILIKE lowercases the pattern again for every row it re-checks: for
phrases of common words the index returns thousands of candidate rows, and the re-check was
most of the time. ``fastupdate = off`` writes new turns straight into the index, so a search
never scans a pending list of recent turns. SQLite has no trigram index and is unchanged.

Revision ID: 0102_search
Revises: 0101_staff
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0102_search"
down_revision = "0101_staff"
branch_labels = None
depends_on = None


def _trigram_schema() -> str:
    """Where 0101_staff installed pg_trgm (its operator class is named with it)."""
    schema = (
        op.get_bind()
        .exec_driver_sql(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
            " WHERE e.extname = 'pg_trgm'"
        )
        .scalar()
    )
    if schema is None:
        raise RuntimeError("pg_trgm is not installed (migration 0101_staff installs it)")
    return str(schema)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    schema = _trigram_schema()
    op.execute(
        "CREATE INDEX ix_turns_text_lower_trgm ON turns"
        f' USING gin (lower(text) "{schema}".gin_trgm_ops) WITH (fastupdate = off)'
    )
    op.drop_index("ix_turns_text_trgm", table_name="turns")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    schema = _trigram_schema()
    op.execute(f'CREATE INDEX ix_turns_text_trgm ON turns USING gin (text "{schema}".gin_trgm_ops)')
    op.drop_index("ix_turns_text_lower_trgm", table_name="turns")
