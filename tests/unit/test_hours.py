"""Office hours as the channels tell them: one reading of theatre, week and plan (core.hours)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from core.calendar import CalendarBook
from core.hours import office_hours, weekday_number
from core.model import Contract

ROME_SATURDAY_10 = datetime.fromisoformat("2026-11-21T10:00:00+01:00")
ROME_SUNDAY_10 = datetime.fromisoformat("2026-11-22T10:00:00+01:00")
DUBAI_FRIDAY_10 = datetime.fromisoformat("2026-11-20T10:00:00+04:00")


@pytest.mark.parametrize(
    ("plan", "at", "open_now", "reduced", "next_opening"),
    [
        ("gold", ROME_SATURDAY_10, True, ("sat",), None),
        ("platinum", ROME_SATURDAY_10, True, ("sat",), None),
        ("basic", ROME_SATURDAY_10, False, (), "2026-11-23T09:00:00+01:00"),
        ("gold", ROME_SUNDAY_10, False, ("sat",), "2026-11-23T09:00:00+01:00"),
    ],
)
def test_saturday_hours_exist_only_for_the_plans_that_have_them(
    book: CalendarBook,
    contract: Callable[..., Contract],
    plan: str,
    at: datetime,
    open_now: bool,
    reduced: tuple[str, ...],
    next_opening: str | None,
) -> None:
    """Gold and Platinum in Europe are open on Saturday 10:00; Basic is closed until Monday."""
    facts = office_hours(book, contract(plan=plan), at)
    assert (facts.open_now, facts.reduced_days) == (open_now, reduced)
    assert facts.working_days == ("mon", "tue", "wed", "thu", "fri")
    opening = facts.next_opening.isoformat() if facts.next_opening else None
    assert opening == next_opening
    assert (facts.zone, facts.phone) == ("Europe/Rome", "+390584943232")


def test_a_sun_thu_contract_in_dubai_reads_its_own_week(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """A Sun-Thu week: Sunday to Thursday, closed on Friday, next opening Saturday 12:00."""
    dubai = contract(theatre="middle_east", week="sun-thu", timezone="Asia/Dubai")
    facts = office_hours(book, dubai, DUBAI_FRIDAY_10)
    assert facts.working_days[0] == "sun" and facts.working_days[-1] == "thu"
    assert not facts.open_now
    assert facts.next_opening is not None
    assert facts.next_opening.isoformat() == "2026-11-21T12:00:00+04:00"


def test_an_unknown_week_falls_back_to_the_theatre_default(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """A contract that records no week gets its theatre's default week."""
    facts = office_hours(book, contract(theatre="middle_east", week=None), DUBAI_FRIDAY_10)
    assert facts.working_days[0] == "sun"


def test_weekday_numbers_follow_python() -> None:
    """Monday is 0 and Sunday 6, as datetime.weekday() counts."""
    assert [weekday_number(d) for d in ("mon", "sun")] == [0, 6]
