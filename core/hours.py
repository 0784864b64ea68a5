"""Office hours as every channel tells them (policy-notes "Theatres, numbers, office hours").

One place reads a contract's theatre, working week and plan into what a caller or a chat user is
told: the working days and hours, the days with reduced hours (Saturdays and national holidays,
only for the plans that have them, and only on the days the contract's week has them), whether
the office is open at an instant, when it closes or next opens. The IVR speaks these facts and
the chat writes them; neither reads the policy's tables itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.calendar import CalendarBook
from core.model import Contract
from core.policy import WEEKDAYS, Hours, Policy, Week, Weekday


@dataclass(frozen=True)
class OfficeHours:
    """What to say about a contract's office hours at ``at``."""

    theatre: str
    zone: str  # the theatre's IANA time zone: every time below is said in it
    phone: str  # the theatre's support number
    working_days: tuple[Weekday, ...]
    hours: Hours
    reduced_days: tuple[Weekday, ...]  # () when the plan has no reduced-hours days
    reduced_hours: Hours
    open_now: bool
    closes_at: datetime | None  # when open now
    next_opening: datetime | None  # when closed now


def contract_week(policy: Policy, contract: Contract) -> Week:
    """The contract's working week: the one it records, else its theatre's default."""
    theatre = policy.theatres[contract.theatre]
    return theatre.weeks.get(contract.week or "") or theatre.weeks[theatre.default_week]


def weekday_number(day: Weekday) -> int:
    """Monday 0 ... Sunday 6, as :meth:`datetime.weekday` counts."""
    return WEEKDAYS.index(day)


def office_hours(book: CalendarBook, contract: Contract, at: datetime) -> OfficeHours:
    """The contract's office hours and whether they are open at ``at``."""
    policy = book.policy
    theatre = policy.theatres[contract.theatre]
    week = contract_week(policy, contract)
    reduced = week.extended_days if policy.plans[contract.plan].extended_hours else ()
    calendar = book.for_plan(contract.theatre, contract.week, contract.plan)
    open_now = calendar.is_open(at)
    return OfficeHours(
        theatre=contract.theatre,
        zone=theatre.timezone,
        phone=theatre.phone,
        working_days=week.working_days,
        hours=theatre.office_hours,
        reduced_days=reduced,
        reduced_hours=theatre.extended_hours,
        open_now=open_now,
        closes_at=calendar.next_closing(at) if open_now else None,
        next_opening=None if open_now else calendar.next_opening(at),
    )
