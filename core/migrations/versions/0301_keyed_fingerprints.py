"""Keyed replay fingerprints (security perimeter #4); merges the feature heads into one.

The IVR's ``calls.last_fingerprint`` was an unsalted SHA-256 over the webhook form, Digits
included: the PIN or customer code typed in the last step could be found by trying every value.
Fingerprints are now an HMAC keyed with the server's secret; the old ones are dropped. A
webhook retried across the upgrade then runs as a new delivery (its step runs once more on the
stored state, as for any first delivery), which is safe.

Revision ID: 0301_keyed_fingerprints
Revises: 0002_ivr_calls, 0102_search, 0201_alerts
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0301_keyed_fingerprints"
down_revision = ("0002_ivr_calls", "0102_search", "0201_alerts")
branch_labels = None
depends_on = None


def upgrade() -> None:
    calls = sa.table("calls", sa.column("last_fingerprint", sa.String(64)))
    op.execute(calls.update().values(last_fingerprint=None))


def downgrade() -> None:
    pass  # the unkeyed digests are not restored
