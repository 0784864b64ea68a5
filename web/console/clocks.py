"""A ticket's response clock as staff read it: time left on its business calendar (core's
calendars), breached, paused or stopped by someone taking the case in charge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.calendar import CalendarBook
from core.model import Escalation, PlanName, Ticket


@dataclass(frozen=True)
class TicketClock:
    state: str  # running | breached | paused | taken | no_deadline
    left: timedelta | None = None  # business time left (negative: overdue by)
    next_escalation: Escalation | None = None


def ticket_clock(
    book: CalendarBook,
    ticket: Ticket,
    theatre: str | None,
    week: str | None,
    plan: PlanName | None,
    at: datetime,
) -> TicketClock:
    """Where the ticket's clock stands at ``at``."""
    upcoming = next((e for e in ticket.escalations if e.at > at), None)
    if ticket.taken_at is not None:
        return TicketClock("taken")
    if ticket.status == "waiting":
        return TicketClock("paused")
    if ticket.due_at is None:
        return TicketClock("no_deadline", next_escalation=upcoming)
    calendar = book.clock
    if ticket.basis != "clock" and theatre and plan and theatre in book.policy.theatres:
        calendar = book.for_plan(theatre, week, plan)
    if at < ticket.due_at:
        return TicketClock("running", calendar.elapsed(at, ticket.due_at), upcoming)
    return TicketClock("breached", -calendar.elapsed(ticket.due_at, at), upcoming)


def duration(value: timedelta | None) -> str:
    """``2 h 05 min``; negative values read ``-2 h 05 min``."""
    if value is None:
        return "—"
    sign = "-" if value < timedelta(0) else ""
    minutes = int(abs(value).total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{sign}{hours} h {minutes:02d} min" if hours else f"{sign}{minutes} min"
