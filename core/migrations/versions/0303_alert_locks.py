"""One lockable row per alert fingerprint (security perimeter #8).

Deliveries of one alarm with different start instants, posted in parallel, each found no
firing occurrence and each opened a ticket. A delivery now locks its fingerprint's row (created
on first use with INSERT ... ON CONFLICT DO NOTHING, then SELECT ... FOR UPDATE) before it
reads the alarm's occurrences.

Revision ID: 0303_alert_locks
Revises: 0302_contact_roles
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0303_alert_locks"
down_revision = "0302_contact_roles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("alert_locks", sa.Column("fingerprint", sa.String(64), primary_key=True))


def downgrade() -> None:
    op.drop_table("alert_locks")
