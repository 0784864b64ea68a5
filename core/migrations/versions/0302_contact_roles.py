"""A contact's role may be unknown (security perimeter #6).

``contacts.role`` becomes nullable: NULL means the role is not known, and the IVR and the chat
ask the caller. The contacts that ``frontdoor contracts import`` created from the ``phones``
column were given the administrator role by default; they are recognised by what that import
wrote (named after the customer, a phone number, no e-mail address, no language, not a 24-hour
contact, role admin) and their role is set to NULL.

Revision ID: 0302_contact_roles
Revises: 0301_keyed_fingerprints
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0302_contact_roles"
down_revision = "0301_keyed_fingerprints"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.alter_column("role", existing_type=sa.String(16), nullable=True)
    contacts = sa.table(
        "contacts",
        sa.column("contract_id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("role", sa.String),
        sa.column("phone", sa.String),
        sa.column("email", sa.String),
        sa.column("language", sa.String),
        sa.column("available_24h", sa.Boolean),
    )
    contracts = sa.table("contracts", sa.column("id", sa.Integer), sa.column("customer_id"))
    customers = sa.table("customers", sa.column("id", sa.Integer), sa.column("name", sa.String))
    customer_name = (
        sa.select(customers.c.name)
        .select_from(customers.join(contracts, contracts.c.customer_id == customers.c.id))
        .where(contracts.c.id == contacts.c.contract_id)
        .scalar_subquery()
    )
    op.execute(
        contacts.update()
        .where(
            contacts.c.role == "admin",
            contacts.c.phone.is_not(None),
            contacts.c.email.is_(None),
            contacts.c.language.is_(None),
            contacts.c.available_24h.is_(sa.false()),
            contacts.c.name == customer_name,
        )
        .values(role=None)
    )


def downgrade() -> None:
    # the old schema needs a role: the least privileged one, not the old default
    contacts = sa.table("contacts", sa.column("role", sa.String))
    op.execute(contacts.update().where(contacts.c.role.is_(None)).values(role="end_user"))
    with op.batch_alter_table("contacts") as batch:
        batch.alter_column("role", existing_type=sa.String(16), nullable=False)
