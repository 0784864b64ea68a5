"""Read-side query of the REST API (views, cosmicpython ch. 12): one page of tickets with their
contract, filtered, in keyset order on the ticket id. Writes go through core.services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.adapters import orm
from core.model import Ticket
from core.views import TicketRow

tickets, contracts = orm.tickets, orm.contracts


@dataclass(frozen=True)
class TicketQuery:
    """What a client asked for; empty strings and None mean "any"."""

    status: str = ""
    theatre: str = ""
    plan: str = ""
    priority: str = ""
    updated_since: datetime | None = None  # tickets.updated_at at or after it


@dataclass
class TicketPage:
    rows: list[TicketRow]
    last_id: int | None  # the keyset position of the next page; None on the last page


def ticket_page(session: Session, q: TicketQuery, after: int | None, limit: int) -> TicketPage:
    """Up to ``limit`` tickets with an id above ``after``, by id (one query, and one more each
    for their escalations and pauses)."""
    statement = (
        select(Ticket, contracts.c.code, contracts.c.theatre, contracts.c.week, contracts.c.plan)
        .outerjoin(contracts, contracts.c.id == tickets.c.contract_id)
        .order_by(tickets.c.id)
        .limit(limit + 1)
    )
    conditions = [
        column == value
        for column, value in (
            (tickets.c.status, q.status),
            (contracts.c.theatre, q.theatre),
            (contracts.c.plan, q.plan),
            (tickets.c.priority, q.priority),
        )
        if value
    ]
    if q.updated_since is not None:
        conditions.append(tickets.c.updated_at >= q.updated_since)
    if after is not None:
        conditions.append(tickets.c.id > after)
    rows = [TicketRow(*row) for row in session.execute(statement.where(*conditions)).unique()]
    more = len(rows) > limit
    rows = rows[:limit]
    return TicketPage(rows, rows[-1].ticket.id if more and rows else None)
