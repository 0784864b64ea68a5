"""Read-side queries of the outbox for the staff console: a ticket's notifications, and the
outbox page (what is failing or dead first). Plain rows; writes go through core.services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from core.adapters import orm

OUTBOX_PAGE = 200
_ORDER = {"dead": 0, "failed": 1, "pending": 2, "sent": 3, "cancelled": 4}


@dataclass(frozen=True)
class Notification:
    id: int
    kind: str
    ticket: str | None  # the ticket's number
    recipient: str  # "Name <address>", or the role nobody holds
    role: str | None
    due_at: datetime
    status: str
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    delivery_id: str


def _recipient(payload: dict[str, Any]) -> str:
    """Who and how: "Name <address>", "SMS to Name +39...", "webhook chatops", ..."""
    channel = payload.get("channel") or "email"
    if channel == "webhook":
        return f"webhook {(payload.get('endpoint') or {}).get('name') or '?'}"
    if channel == "oncall":
        return f"on-call call to {payload.get('to') or '?'}"
    if channel == "callback":
        return f"callback to {payload.get('to') or '?'}"
    person = payload.get("recipient") or {}
    name = person.get("name") or ""
    if channel in ("sms", "call") and person.get("phone"):
        return f"{channel.upper() if channel == 'sms' else 'call'} to {name} {person['phone']}"
    if person.get("email"):
        return f"{name} <{person['email']}>".strip()
    return f"nobody holds {payload.get('role') or 'this role'}"


def _rows(session: Session, statement: Any) -> list[Notification]:
    return [
        Notification(
            id=row.id,
            kind=row.kind,
            ticket=row.number,
            recipient=_recipient(row.payload or {}),
            role=(row.payload or {}).get("role"),
            due_at=row.due_at,
            status=row.status,
            attempts=row.attempts,
            last_error=row.last_error,
            sent_at=row.sent_at,
            delivery_id=row.delivery_id,
        )
        for row in session.execute(statement)
    ]


def _select() -> Any:
    o, t = orm.outbox, orm.tickets
    return select(o, t.c.number).select_from(o.outerjoin(t, t.c.id == o.c.ticket_id))


def ticket_notifications(session: Session, ticket_id: int) -> list[Notification]:
    """Every notification of one ticket, planned, sent, failed, dead or cancelled, by due time."""
    o = orm.outbox
    return _rows(session, _select().where(o.c.ticket_id == ticket_id).order_by(o.c.due_at, o.c.id))


def outbox_page(session: Session, status: str = "", limit: int = OUTBOX_PAGE) -> list[Notification]:
    """The outbox, dead and failed first, then by due time; ``status`` filters ("" = any)."""
    o = orm.outbox
    rank = case(_ORDER, value=o.c.status, else_=len(_ORDER))
    statement = _select().order_by(rank, o.c.due_at, o.c.id).limit(limit)
    if status:
        statement = statement.where(o.c.status == status)
    return _rows(session, statement)
