"""SQLAlchemy implementation of the outbox port: claiming rows with ``SKIP LOCKED``, and the
worker's two bulk writes (a claimed batch's lease and a round's sent rows, one ``UPDATE`` each
instead of one statement per row)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update

from core import repository
from core.adapters import orm
from core.adapters.repository import _flush
from core.model import OutboxEvent

CLAIMABLE = ("pending", "failed")


class SqlAlchemyOutboxRepository(repository.OutboxRepository):
    def __init__(self, session: Any):
        self.session = session

    def add(self, event: OutboxEvent) -> None:
        self.session.add(event)
        _flush(self.session)

    def for_ticket(self, ticket_id: int) -> list[OutboxEvent]:
        table = orm.outbox
        statement = (
            select(OutboxEvent)
            .where(table.c.ticket_id == ticket_id)
            .order_by(table.c.due_at, table.c.id)
        )
        return list(self.session.execute(statement).scalars())

    def claimable(self, at: datetime, limit: int) -> list[OutboxEvent]:
        table = orm.outbox
        statement = (
            select(OutboxEvent)
            .where(
                table.c.status.in_(CLAIMABLE),
                table.c.due_at <= at,
                or_(table.c.lease_until.is_(None), table.c.lease_until <= at),
            )
            .order_by(table.c.due_at, table.c.id)
            .limit(limit)
            # SQLite renders no FOR UPDATE: its transactions begin IMMEDIATE (one writer)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
        return list(self.session.execute(statement).scalars())

    def get(self, event_id: int, *, lock: bool = False) -> OutboxEvent | None:
        statement = select(OutboxEvent).where(orm.outbox.c.id == event_id)
        if lock:
            statement = statement.with_for_update().execution_options(populate_existing=True)
        found: OutboxEvent | None = self.session.execute(statement).scalars().first()
        return found

    def next_due(self) -> datetime | None:
        """The earliest of: an unleased row's due time, a leased or failed row's lease end
        (after its due time, as it always is once claimed). Two indexed ``MIN`` queries."""
        table = orm.outbox
        open_rows = table.c.status.in_(CLAIMABLE)
        due = select(func.min(table.c.due_at)).where(open_rows, table.c.lease_until.is_(None))
        leased = select(func.min(table.c.lease_until)).where(open_rows)
        found = [self.session.execute(q).scalar() for q in (due, leased)]
        return min((t for t in found if t is not None), default=None)

    def lease(self, event_ids: list[int], until: datetime) -> None:
        """One more attempt for each row, leased until ``until``, in one ``UPDATE``."""
        if not event_ids:
            return
        table = orm.outbox
        statement = (
            update(table)
            .where(table.c.id.in_(sorted(event_ids)))
            .values(lease_until=until, attempts=table.c.attempts + 1)
        )
        self.session.execute(statement)

    def mark_sent(self, event_ids: list[int], at: datetime) -> list[tuple[int, str, str]]:
        """Record the rows as sent at ``at`` (lease cleared), whatever their status, in one
        ``UPDATE``: (id, kind, delivery id) of those that still exist."""
        if not event_ids:
            return []
        table = orm.outbox
        statement = (
            update(table)
            .where(table.c.id.in_(sorted(event_ids)))
            .values(status="sent", sent_at=at, lease_until=None)
            .returning(table.c.id, table.c.kind, table.c.delivery_id)
        )
        rows = self.session.execute(statement).all()
        return [(int(row.id), str(row.kind), str(row.delivery_id)) for row in rows]
