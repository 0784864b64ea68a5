"""Business calendars as tables of literal instants (policy-notes "Theatres, ... office hours").

Reference week (no holiday in the US, Italy or the UAE): Mon 2026-06-08 .. Sun 2026-06-14;
offsets New York -04:00, Rome +02:00, Dubai +04:00. Monday 2026-06-15 is Islamic New Year 1448 in
the UAE (the `holidays` package's table, 0.109 as locked; moon-sighted dates can move by a day
between its releases, which is what the policy's add/remove override is for).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from core.calendar import BusinessCalendar, CalendarBook, clock_calendar
from core.policy import Policy

iso = datetime.fromisoformat
H = timedelta(hours=1)
M = timedelta(minutes=1)
US = timedelta(microseconds=1)
Cal = Callable[..., BusinessCalendar]


def same_instant_and_offset(got: datetime, want: str) -> None:
    """The instant is right and it is expressed at the theatre's offset of that moment."""
    expected = iso(want)
    # compared in UTC: PEP 495 makes inter-zone == False for a local time inside a fold
    assert got.astimezone(UTC) == expected.astimezone(UTC), f"{got.isoformat()} != {want}"
    assert got.utcoffset() == expected.utcoffset(), f"{got.isoformat()} != {want}"


# (theatre, week, plan, instant, open?)
IS_OPEN = [
    # Americas: Mon-Fri 07:00-17:00; Gold/Platinum Saturday 08:00-12:00.
    ("americas", None, "basic", "2026-06-08T06:59:59-04:00", False),
    ("americas", None, "basic", "2026-06-08T07:00:00-04:00", True),
    ("americas", None, "basic", "2026-06-12T16:59:59-04:00", True),
    ("americas", None, "basic", "2026-06-12T17:00:00-04:00", False),
    ("americas", None, "basic", "2026-06-13T10:00:00-04:00", False),
    ("americas", None, "gold", "2026-06-13T07:59:59-04:00", False),
    ("americas", None, "gold", "2026-06-13T08:00:00-04:00", True),
    ("americas", None, "gold", "2026-06-13T11:59:59-04:00", True),
    ("americas", None, "gold", "2026-06-13T12:00:00-04:00", False),
    ("americas", None, "gold", "2026-06-14T10:00:00-04:00", False),
    ("americas", None, "platinum", "2026-06-13T09:00:00-04:00", True),
    ("americas", None, "platinum", "2026-06-13T13:00:00-04:00", False),
    # the same instant written in another zone is the same instant
    ("americas", None, "basic", "2026-06-08T11:00:00+00:00", True),
    ("americas", None, "basic", "2026-06-08T10:59:59+00:00", False),
    # Europe: Mon-Fri 09:00-18:00; Gold/Platinum Saturday 09:00-18:00.
    ("europe", None, "basic", "2026-06-08T08:59:59+02:00", False),
    ("europe", None, "basic", "2026-06-08T09:00:00+02:00", True),
    ("europe", None, "basic", "2026-06-11T17:59:59+02:00", True),
    ("europe", None, "basic", "2026-06-11T18:00:00+02:00", False),
    ("europe", None, "basic", "2026-06-13T10:00:00+02:00", False),
    ("europe", None, "basic", "2026-06-14T10:00:00+02:00", False),
    ("europe", None, "gold", "2026-06-13T08:59:59+02:00", False),
    ("europe", None, "gold", "2026-06-13T09:00:00+02:00", True),
    ("europe", None, "gold", "2026-06-13T17:59:59+02:00", True),
    ("europe", None, "gold", "2026-06-13T18:00:00+02:00", False),
    ("europe", None, "gold", "2026-06-14T12:00:00+02:00", False),
    ("europe", None, "platinum", "2026-06-13T12:00:00+02:00", True),
    ("europe", None, "platinum", "2026-06-14T12:00:00+02:00", False),
    # Middle East Sun-Thu: Sunday works, Friday is weekend, Saturday 12:00-18:00 for Gold.
    ("middle_east", "sun-thu", "basic", "2026-06-14T09:00:00+04:00", True),
    ("middle_east", "sun-thu", "basic", "2026-06-11T17:59:59+04:00", True),
    ("middle_east", "sun-thu", "basic", "2026-06-11T18:00:00+04:00", False),
    ("middle_east", "sun-thu", "basic", "2026-06-12T10:00:00+04:00", False),
    ("middle_east", "sun-thu", "basic", "2026-06-13T13:00:00+04:00", False),
    ("middle_east", "sun-thu", "gold", "2026-06-12T13:00:00+04:00", False),
    ("middle_east", "sun-thu", "gold", "2026-06-13T11:59:59+04:00", False),
    ("middle_east", "sun-thu", "gold", "2026-06-13T12:00:00+04:00", True),
    ("middle_east", "sun-thu", "gold", "2026-06-13T17:59:59+04:00", True),
    ("middle_east", "sun-thu", "gold", "2026-06-13T18:00:00+04:00", False),
    ("middle_east", "sun-thu", "platinum", "2026-06-14T09:30:00+04:00", True),
    # the Middle East default week is Sun-Thu
    ("middle_east", None, "basic", "2026-06-12T10:00:00+04:00", False),
    ("middle_east", None, "basic", "2026-06-14T10:00:00+04:00", True),
    # Middle East Mon-Fri: Friday works, Sunday is weekend.
    ("middle_east", "mon-fri", "basic", "2026-06-12T10:00:00+04:00", True),
    ("middle_east", "mon-fri", "basic", "2026-06-14T10:00:00+04:00", False),
    ("middle_east", "mon-fri", "basic", "2026-06-13T13:00:00+04:00", False),
    ("middle_east", "mon-fri", "gold", "2026-06-13T12:00:00+04:00", True),
    ("middle_east", "mon-fri", "gold", "2026-06-14T13:00:00+04:00", False),
    ("middle_east", "mon-fri", "platinum", "2026-06-12T09:00:00+04:00", True),
]

# National holidays (policy-notes: Basic closed; Gold/Platinum open at the reduced hours).
HOLIDAYS = [
    # US Thanksgiving, Thursday 2026-11-26: reduced 08:00-12:00.
    ("americas", None, "basic", "2026-11-26T10:00:00-05:00", False),
    ("americas", None, "gold", "2026-11-26T07:30:00-05:00", False),
    ("americas", None, "gold", "2026-11-26T07:59:59-05:00", False),
    ("americas", None, "gold", "2026-11-26T08:00:00-05:00", True),
    ("americas", None, "gold", "2026-11-26T11:59:59-05:00", True),
    ("americas", None, "gold", "2026-11-26T12:00:00-05:00", False),
    ("americas", None, "gold", "2026-11-26T16:00:00-05:00", False),
    ("americas", None, "platinum", "2026-11-26T09:00:00-05:00", True),
    ("americas", None, "basic", "2026-11-27T07:00:00-05:00", True),
    # US Independence Day observed on Friday 2026-07-03.
    ("americas", None, "basic", "2026-07-03T09:00:00-04:00", False),
    ("americas", None, "gold", "2026-07-03T09:00:00-04:00", True),
    ("americas", None, "gold", "2026-07-03T13:00:00-04:00", False),
    # Italy: Immacolata Tuesday 2026-12-08, Christmas Friday 2026-12-25 (reduced = 09:00-18:00).
    ("europe", None, "basic", "2026-12-08T10:00:00+01:00", False),
    ("europe", None, "gold", "2026-12-08T08:59:59+01:00", False),
    ("europe", None, "gold", "2026-12-08T09:00:00+01:00", True),
    ("europe", None, "gold", "2026-12-08T17:59:59+01:00", True),
    ("europe", None, "gold", "2026-12-08T18:00:00+01:00", False),
    ("europe", None, "basic", "2026-12-25T10:00:00+01:00", False),
    ("europe", None, "platinum", "2026-12-25T10:00:00+01:00", True),
    ("europe", None, "basic", "2026-12-24T10:00:00+01:00", True),
    # Italy: Liberation Day on Saturday 2026-04-25 is a Saturday for everyone.
    ("europe", None, "basic", "2026-04-25T10:00:00+02:00", False),
    ("europe", None, "gold", "2026-04-25T10:00:00+02:00", True),
    # UAE National Day, Wednesday 2026-12-02 and Thursday 2026-12-03: reduced 12:00-18:00.
    ("middle_east", "sun-thu", "basic", "2026-12-02T10:00:00+04:00", False),
    ("middle_east", "sun-thu", "gold", "2026-12-02T10:00:00+04:00", False),
    ("middle_east", "sun-thu", "gold", "2026-12-02T11:59:59+04:00", False),
    ("middle_east", "sun-thu", "gold", "2026-12-02T12:00:00+04:00", True),
    ("middle_east", "sun-thu", "gold", "2026-12-02T17:59:59+04:00", True),
    ("middle_east", "sun-thu", "gold", "2026-12-02T18:00:00+04:00", False),
    ("middle_east", "sun-thu", "platinum", "2026-12-03T13:00:00+04:00", True),
    ("middle_east", "mon-fri", "basic", "2026-12-03T10:00:00+04:00", False),
    ("middle_east", "mon-fri", "gold", "2026-12-03T10:00:00+04:00", False),
    ("middle_east", "mon-fri", "gold", "2026-12-03T12:00:00+04:00", True),
    ("middle_east", "mon-fri", "basic", "2026-12-04T10:00:00+04:00", True),
]

# A national holiday on a weekly rest day (policy-notes: Gold/Platinum "open on Saturdays and
# national holidays", with no exception for a holiday on a rest day).
HOLIDAYS_ON_REST_DAYS = [
    # Italy: St Francis, Sunday 2026-10-04.
    ("europe", None, "basic", "2026-10-04T10:00:00+02:00", False),
    ("europe", None, "gold", "2026-10-04T10:00:00+02:00", True),
    ("europe", None, "gold", "2026-10-04T18:00:00+02:00", False),
    # UAE Eid al-Fitr (estimated) on Friday 2026-03-20: a rest day of the Sun-Thu week.
    ("middle_east", "sun-thu", "basic", "2026-03-20T13:00:00+04:00", False),
    ("middle_east", "sun-thu", "gold", "2026-03-20T11:00:00+04:00", False),
    ("middle_east", "sun-thu", "gold", "2026-03-20T13:00:00+04:00", True),
    # ... and on Sunday 2026-03-22: a working day of Sun-Thu, a rest day of Mon-Fri.
    ("middle_east", "sun-thu", "basic", "2026-03-22T10:00:00+04:00", False),
    ("middle_east", "sun-thu", "gold", "2026-03-22T12:00:00+04:00", True),
    ("middle_east", "mon-fri", "basic", "2026-03-22T13:00:00+04:00", False),
    ("middle_east", "mon-fri", "gold", "2026-03-22T13:00:00+04:00", True),
    # An ordinary Sunday stays closed for every plan.
    ("europe", None, "platinum", "2026-10-11T10:00:00+02:00", False),
]


def _ids(rows: list[tuple[Any, ...]]) -> list[str]:
    return [f"{t}-{w or 'default'}-{p}-{at}" for t, w, p, at, *_ in rows]


@pytest.mark.parametrize(("theatre", "week", "plan", "at", "expected"), IS_OPEN, ids=_ids(IS_OPEN))
def test_office_hours_by_theatre_week_and_plan(
    calendar: Cal, theatre: str, week: str | None, plan: str, at: str, expected: bool
) -> None:
    """Open exactly from the opening instant up to (not including) the closing instant."""
    assert calendar(theatre, plan, week).is_open(iso(at)) is expected


@pytest.mark.parametrize(
    ("theatre", "week", "plan", "at", "expected"), HOLIDAYS, ids=_ids(HOLIDAYS)
)
def test_national_holidays_closed_for_basic_reduced_for_gold_and_platinum(
    calendar: Cal, theatre: str, week: str | None, plan: str, at: str, expected: bool
) -> None:
    """Basic is closed on a national holiday; Gold and Platinum open at the reduced hours."""
    assert calendar(theatre, plan, week).is_open(iso(at)) is expected


@pytest.mark.parametrize(
    ("theatre", "week", "plan", "at", "expected"),
    HOLIDAYS_ON_REST_DAYS,
    ids=_ids(HOLIDAYS_ON_REST_DAYS),
)
def test_national_holiday_on_a_rest_day_opens_gold_at_reduced_hours(
    calendar: Cal, theatre: str, week: str | None, plan: str, at: str, expected: bool
) -> None:
    """A national holiday on a Sunday (or Friday in Sun-Thu) opens Gold/Platinum, not Basic."""
    assert calendar(theatre, plan, week).is_open(iso(at)) is expected


# (theatre, week, plan, from, next opening)
NEXT_OPENING = [
    ("europe", None, "basic", "2026-06-10T12:00:00+02:00", "2026-06-10T12:00:00+02:00"),
    ("europe", None, "basic", "2026-06-10T07:00:00+02:00", "2026-06-10T09:00:00+02:00"),
    ("europe", None, "basic", "2026-06-12T18:00:00+02:00", "2026-06-15T09:00:00+02:00"),
    ("europe", None, "gold", "2026-06-12T18:00:00+02:00", "2026-06-13T09:00:00+02:00"),
    ("europe", None, "gold", "2026-06-13T18:00:00+02:00", "2026-06-15T09:00:00+02:00"),
    ("europe", None, "basic", "2026-12-24T18:00:00+01:00", "2026-12-28T09:00:00+01:00"),
    ("europe", None, "gold", "2026-12-24T18:00:00+01:00", "2026-12-25T09:00:00+01:00"),
    ("americas", None, "basic", "2026-06-12T17:00:00-04:00", "2026-06-15T07:00:00-04:00"),
    ("americas", None, "gold", "2026-06-12T17:00:00-04:00", "2026-06-13T08:00:00-04:00"),
    ("americas", None, "gold", "2026-06-13T12:00:00-04:00", "2026-06-15T07:00:00-04:00"),
    ("americas", None, "basic", "2026-11-25T17:00:00-05:00", "2026-11-27T07:00:00-05:00"),
    ("americas", None, "gold", "2026-11-25T17:00:00-05:00", "2026-11-26T08:00:00-05:00"),
    ("middle_east", "sun-thu", "basic", "2026-06-11T18:00:00+04:00", "2026-06-14T09:00:00+04:00"),
    ("middle_east", "sun-thu", "gold", "2026-06-11T18:00:00+04:00", "2026-06-13T12:00:00+04:00"),
    # Monday 2026-06-15 is Islamic New Year: closed for Basic
    ("middle_east", "mon-fri", "basic", "2026-06-12T18:00:00+04:00", "2026-06-16T09:00:00+04:00"),
    ("middle_east", "mon-fri", "gold", "2026-06-12T18:00:00+04:00", "2026-06-13T12:00:00+04:00"),
    ("middle_east", "mon-fri", "basic", "2026-12-01T18:00:00+04:00", "2026-12-04T09:00:00+04:00"),
    # an instant given in UTC comes back in the theatre's zone
    ("europe", None, "basic", "2026-06-13T00:00:00+00:00", "2026-06-15T09:00:00+02:00"),
]


@pytest.mark.parametrize(
    ("theatre", "week", "plan", "at", "expected"), NEXT_OPENING, ids=_ids(NEXT_OPENING)
)
def test_next_opening(
    calendar: Cal, theatre: str, week: str | None, plan: str, at: str, expected: str
) -> None:
    """The next opening is the instant itself when open, else the start of the next interval."""
    same_instant_and_offset(calendar(theatre, plan, week).next_opening(iso(at)), expected)


NEXT_CLOSING = [
    ("europe", None, "basic", "2026-06-10T12:00:00+02:00", "2026-06-10T18:00:00+02:00"),
    ("europe", None, "basic", "2026-06-10T18:00:00+02:00", "2026-06-11T18:00:00+02:00"),
    ("europe", None, "basic", "2026-06-12T20:00:00+02:00", "2026-06-15T18:00:00+02:00"),
    ("americas", None, "gold", "2026-06-12T20:00:00-04:00", "2026-06-13T12:00:00-04:00"),
    ("middle_east", "sun-thu", "gold", "2026-06-12T10:00:00+04:00", "2026-06-13T18:00:00+04:00"),
]


@pytest.mark.parametrize(
    ("theatre", "week", "plan", "at", "expected"), NEXT_CLOSING, ids=_ids(NEXT_CLOSING)
)
def test_next_closing(
    calendar: Cal, theatre: str, week: str | None, plan: str, at: str, expected: str
) -> None:
    """The next closing ends the interval containing the instant, or the next interval."""
    same_instant_and_offset(calendar(theatre, plan, week).next_closing(iso(at)), expected)


# (theatre, week, plan, from, business time, result)
ADD = [
    # exact closing instant: Thu 10:00 + 8 h is Thu 18:00, not Fri 09:00
    ("europe", None, "basic", "2026-06-11T10:00:00+02:00", 8 * H, "2026-06-11T18:00:00+02:00"),
    (
        "europe",
        None,
        "basic",
        "2026-06-11T10:00:00+02:00",
        8 * H + US,
        "2026-06-12T09:00:00.000001+02:00",
    ),
    ("europe", None, "basic", "2026-06-11T10:00:00+02:00", 9 * H, "2026-06-12T10:00:00+02:00"),
    ("europe", None, "basic", "2026-06-11T10:00:00+02:00", 0 * H, "2026-06-11T10:00:00+02:00"),
    # zero from a closing instant or from closed time is the next opening
    ("europe", None, "basic", "2026-06-11T18:00:00+02:00", 0 * H, "2026-06-12T09:00:00+02:00"),
    ("europe", None, "basic", "2026-06-13T10:00:00+02:00", 1 * H, "2026-06-15T10:00:00+02:00"),
    # the policy's own example: Gold P2 opened Friday 17:00 in Europe is due Saturday 10:00
    ("europe", None, "gold", "2026-06-12T17:00:00+02:00", 2 * H, "2026-06-13T10:00:00+02:00"),
    ("europe", None, "platinum", "2026-06-12T17:00:00+02:00", 2 * H, "2026-06-13T10:00:00+02:00"),
    ("europe", None, "basic", "2026-06-12T17:00:00+02:00", 2 * H, "2026-06-15T10:00:00+02:00"),
    ("europe", None, "gold", "2026-06-13T17:00:00+02:00", 2 * H, "2026-06-15T10:00:00+02:00"),
    # Americas: Friday 16:00 + 6 h = 1 h Fri + 4 h Sat (08-12) + 1 h Mon
    ("americas", None, "gold", "2026-06-12T16:00:00-04:00", 2 * H, "2026-06-13T09:00:00-04:00"),
    ("americas", None, "gold", "2026-06-12T16:00:00-04:00", 6 * H, "2026-06-15T08:00:00-04:00"),
    ("americas", None, "gold", "2026-06-12T16:00:00-04:00", 5 * H, "2026-06-13T12:00:00-04:00"),
    ("americas", None, "basic", "2026-06-12T16:00:00-04:00", 2 * H, "2026-06-15T08:00:00-04:00"),
    # Thanksgiving: Wed 16:00 + 2 h is Thu 09:00 for Gold, Fri 08:00 for Basic
    ("americas", None, "gold", "2026-11-25T16:00:00-05:00", 2 * H, "2026-11-26T09:00:00-05:00"),
    ("americas", None, "basic", "2026-11-25T16:00:00-05:00", 2 * H, "2026-11-27T08:00:00-05:00"),
    # Middle East weeks
    (
        "middle_east",
        "sun-thu",
        "basic",
        "2026-06-11T17:00:00+04:00",
        2 * H,
        "2026-06-14T10:00:00+04:00",
    ),
    (
        "middle_east",
        "sun-thu",
        "gold",
        "2026-06-11T17:00:00+04:00",
        2 * H,
        "2026-06-13T13:00:00+04:00",
    ),
    (
        "middle_east",
        "mon-fri",
        "basic",
        "2026-06-11T17:00:00+04:00",
        2 * H,
        "2026-06-12T10:00:00+04:00",
    ),
    (
        "middle_east",
        "mon-fri",
        "gold",
        "2026-06-12T17:00:00+04:00",
        2 * H,
        "2026-06-13T13:00:00+04:00",
    ),
    # UAE National Day (Wed-Thu 2026-12-02/03): Basic skips both days
    (
        "middle_east",
        "sun-thu",
        "basic",
        "2026-12-01T17:00:00+04:00",
        2 * H,
        "2026-12-06T10:00:00+04:00",
    ),
    (
        "middle_east",
        "mon-fri",
        "basic",
        "2026-12-01T17:00:00+04:00",
        2 * H,
        "2026-12-04T10:00:00+04:00",
    ),
    (
        "middle_east",
        "sun-thu",
        "gold",
        "2026-12-01T17:00:00+04:00",
        2 * H,
        "2026-12-02T13:00:00+04:00",
    ),
    # Italy 2026-12-25 (Fri) and 26 (Sat): Basic resumes on Monday 28
    ("europe", None, "basic", "2026-12-24T17:00:00+01:00", 2 * H, "2026-12-28T10:00:00+01:00"),
    ("europe", None, "gold", "2026-12-24T17:00:00+01:00", 2 * H, "2026-12-25T10:00:00+01:00"),
]


@pytest.mark.parametrize(
    ("theatre", "week", "plan", "at", "amount", "expected"), ADD, ids=_ids(ADD)
)
def test_add_business_time(
    calendar: Cal,
    theatre: str,
    week: str | None,
    plan: str,
    at: str,
    amount: timedelta,
    expected: str,
) -> None:
    """Adding business time counts only open time and may end exactly at a close."""
    same_instant_and_offset(calendar(theatre, plan, week).add(iso(at), amount), expected)


def test_add_rejects_a_negative_amount(calendar: Cal) -> None:
    """Business time cannot be subtracted."""
    with pytest.raises(ValueError, match="negative"):
        calendar("europe", "gold").add(iso("2026-06-10T10:00:00+02:00"), -M)


def test_naive_datetimes_are_refused(calendar: Cal) -> None:
    """Time is an aware instant; a naive datetime is a programming error."""
    with pytest.raises(ValueError, match="naive"):
        calendar("europe", "gold").is_open(datetime(2026, 6, 10, 10))


# Daylight saving: Europe 2026-03-29 and 2026-10-25, New York 2026-03-08 and 2026-11-01 (Sundays).
# (theatre, plan, from, to, open time between them)
DST_ELAPSED = [
    ("europe", "basic", "2026-03-27T09:00:00+01:00", "2026-03-30T18:00:00+02:00", 18 * H),
    ("europe", "gold", "2026-03-27T09:00:00+01:00", "2026-03-30T18:00:00+02:00", 27 * H),
    ("europe", "basic", "2026-10-23T09:00:00+02:00", "2026-10-26T18:00:00+01:00", 18 * H),
    ("europe", "gold", "2026-10-23T09:00:00+02:00", "2026-10-26T18:00:00+01:00", 27 * H),
    ("americas", "basic", "2026-03-06T07:00:00-05:00", "2026-03-09T17:00:00-04:00", 20 * H),
    ("americas", "gold", "2026-03-06T07:00:00-05:00", "2026-03-09T17:00:00-04:00", 24 * H),
    ("americas", "basic", "2026-10-30T07:00:00-04:00", "2026-11-02T17:00:00-05:00", 20 * H),
    ("americas", "gold", "2026-10-30T07:00:00-04:00", "2026-11-02T17:00:00-05:00", 24 * H),
]


@pytest.mark.parametrize(
    ("theatre", "plan", "start", "end", "expected"),
    DST_ELAPSED,
    ids=[f"{t}-{p}-{s}" for t, p, s, *_ in DST_ELAPSED],
)
def test_business_hours_across_a_dst_weekend_are_exact_real_hours(
    calendar: Cal, theatre: str, plan: str, start: str, end: str, expected: timedelta
) -> None:
    """Across the weekend of a clock change each business day is its full wall-clock span."""
    assert calendar(theatre, plan).elapsed(iso(start), iso(end)) == expected


DST_ADD = [
    ("europe", "basic", "2026-03-27T17:00:00+01:00", 2 * H, "2026-03-30T10:00:00+02:00"),
    ("europe", "gold", "2026-03-28T17:00:00+01:00", 2 * H, "2026-03-30T10:00:00+02:00"),
    ("europe", "basic", "2026-10-23T17:00:00+02:00", 2 * H, "2026-10-26T10:00:00+01:00"),
    ("europe", "gold", "2026-10-24T17:00:00+02:00", 2 * H, "2026-10-26T10:00:00+01:00"),
    ("americas", "basic", "2026-03-06T16:00:00-05:00", 2 * H, "2026-03-09T08:00:00-04:00"),
    ("americas", "gold", "2026-03-07T11:00:00-05:00", 2 * H, "2026-03-09T08:00:00-04:00"),
    ("americas", "basic", "2026-10-30T16:00:00-04:00", 2 * H, "2026-11-02T08:00:00-05:00"),
    ("americas", "gold", "2026-10-31T11:00:00-04:00", 2 * H, "2026-11-02T08:00:00-05:00"),
]


@pytest.mark.parametrize(
    ("theatre", "plan", "start", "amount", "expected"),
    DST_ADD,
    ids=[f"{t}-{p}-{s}" for t, p, s, *_ in DST_ADD],
)
def test_deadline_across_a_dst_weekend_keeps_wall_clock_opening(
    calendar: Cal, theatre: str, plan: str, start: str, amount: timedelta, expected: str
) -> None:
    """A deadline after the change lands at the wall-clock time, with the new offset."""
    same_instant_and_offset(calendar(theatre, plan).add(iso(start), amount), expected)


DST_OPEN = [
    # Monday after the spring change: 09:00 CEST, i.e. 08:00 CET, is the opening.
    ("europe", "basic", "2026-03-30T08:59:59+02:00", False),
    ("europe", "basic", "2026-03-30T08:00:00+01:00", True),
    ("europe", "basic", "2026-03-30T17:59:59+02:00", True),
    ("europe", "basic", "2026-03-30T17:00:00+01:00", False),
    # Monday after the autumn change: 09:00 CET, i.e. 10:00 CEST.
    ("europe", "basic", "2026-10-26T09:30:00+02:00", False),
    ("europe", "basic", "2026-10-26T09:00:00+01:00", True),
    ("europe", "basic", "2026-10-26T18:30:00+02:00", True),
    ("americas", "basic", "2026-03-09T06:30:00-04:00", False),
    ("americas", "basic", "2026-03-09T06:30:00-05:00", True),
    ("americas", "basic", "2026-03-09T07:00:00-04:00", True),
    ("americas", "basic", "2026-11-02T07:30:00-04:00", False),
    ("americas", "basic", "2026-11-02T07:00:00-05:00", True),
]


@pytest.mark.parametrize(
    ("theatre", "plan", "at", "expected"), DST_OPEN, ids=[f"{t}-{p}-{a}" for t, p, a, _ in DST_OPEN]
)
def test_open_and_close_stay_at_wall_clock_after_a_dst_change(
    calendar: Cal, theatre: str, plan: str, at: str, expected: bool
) -> None:
    """After the change the office opens and closes at the same wall-clock times."""
    assert calendar(theatre, plan).is_open(iso(at)) is expected


# 24x7 clock across the night of a change: (zone, from, clock minutes, result)
CLOCK = [
    ("Europe/Rome", "2026-03-29T01:30:00+01:00", 60, "2026-03-29T03:30:00+02:00"),
    ("Europe/Rome", "2026-10-25T02:30:00+02:00", 60, "2026-10-25T02:30:00+01:00"),
    ("Europe/Rome", "2026-10-25T01:30:00+02:00", 120, "2026-10-25T02:30:00+01:00"),
    ("America/New_York", "2026-03-08T01:30:00-05:00", 60, "2026-03-08T03:30:00-04:00"),
    ("America/New_York", "2026-11-01T01:30:00-04:00", 60, "2026-11-01T01:30:00-05:00"),
    ("Asia/Dubai", "2026-06-12T23:30:00+04:00", 60, "2026-06-13T00:30:00+04:00"),
]


@pytest.mark.parametrize(
    ("zone", "start", "minutes", "expected"), CLOCK, ids=[f"{z}-{s}" for z, s, *_ in CLOCK]
)
def test_clock_counts_real_elapsed_time_across_a_dst_night(
    book: CalendarBook, zone: str, start: str, minutes: int, expected: str
) -> None:
    """The 24x7 clock adds real minutes: a skipped hour is not counted, a doubled one is."""
    local = clock_calendar(ZoneInfo(zone))
    same_instant_and_offset(local.add(iso(start), minutes * M), expected)
    assert book.clock.add(iso(start), minutes * M) == iso(expected).astimezone(UTC)


@pytest.mark.parametrize(
    ("day", "hours"), [("2026-03-29", 23), ("2026-10-25", 25), ("2026-06-10", 24)]
)
def test_clock_day_is_its_real_length(day: str, hours: int) -> None:
    """A Rome calendar day on the 24x7 clock lasts 23, 25 or 24 real hours."""
    rome = ZoneInfo("Europe/Rome")
    start = datetime.combine(date.fromisoformat(day), datetime.min.time(), rome)
    end = datetime.combine(date.fromisoformat(day) + timedelta(days=1), datetime.min.time(), rome)
    assert clock_calendar(rome).elapsed(start, end) == hours * H


def test_clock_is_always_open(book: CalendarBook) -> None:
    """The 24x7 clock is open on a Sunday night and on Christmas."""
    assert book.clock.is_open(iso("2026-06-14T03:00:00+02:00"))
    assert book.clock.is_open(iso("2026-12-25T00:00:00+01:00"))


# end of the n-th business day after the day of the request: (theatre, week, plan, from, n, end)
END_OF_DAY = [
    ("europe", None, "basic", "2026-06-08T10:00:00+02:00", 1, "2026-06-09T18:00:00+02:00"),
    ("europe", None, "basic", "2026-06-08T10:00:00+02:00", 2, "2026-06-10T18:00:00+02:00"),
    ("europe", None, "basic", "2026-06-08T07:00:00+02:00", 1, "2026-06-09T18:00:00+02:00"),
    ("europe", None, "basic", "2026-06-12T10:00:00+02:00", 1, "2026-06-15T18:00:00+02:00"),
    ("europe", None, "basic", "2026-06-12T10:00:00+02:00", 2, "2026-06-16T18:00:00+02:00"),
    ("europe", None, "basic", "2026-06-13T10:00:00+02:00", 1, "2026-06-15T18:00:00+02:00"),
    ("europe", None, "basic", "2026-06-14T23:59:59+02:00", 1, "2026-06-15T18:00:00+02:00"),
    ("europe", None, "basic", "2026-12-24T10:00:00+01:00", 1, "2026-12-28T18:00:00+01:00"),
    ("europe", None, "basic", "2026-12-24T10:00:00+01:00", 2, "2026-12-29T18:00:00+01:00"),
    ("europe", None, "gold", "2026-06-12T10:00:00+02:00", 1, "2026-06-13T18:00:00+02:00"),
    ("americas", None, "gold", "2026-06-12T10:00:00-04:00", 1, "2026-06-13T12:00:00-04:00"),
    ("americas", None, "basic", "2026-11-25T10:00:00-05:00", 1, "2026-11-27T17:00:00-05:00"),
    ("americas", None, "basic", "2026-11-25T10:00:00-05:00", 2, "2026-11-30T17:00:00-05:00"),
    (
        "middle_east",
        "sun-thu",
        "basic",
        "2026-06-11T10:00:00+04:00",
        1,
        "2026-06-14T18:00:00+04:00",
    ),
    (
        "middle_east",
        "mon-fri",
        "basic",
        "2026-06-11T10:00:00+04:00",
        1,
        "2026-06-12T18:00:00+04:00",
    ),
    # the local date decides: 23:30 UTC on Thursday is already Friday in Dubai (and Monday
    # 2026-06-15 is Islamic New Year)
    (
        "middle_east",
        "mon-fri",
        "basic",
        "2026-06-11T23:30:00+00:00",
        1,
        "2026-06-16T18:00:00+04:00",
    ),
]


@pytest.mark.parametrize(
    ("theatre", "week", "plan", "at", "n", "expected"), END_OF_DAY, ids=_ids(END_OF_DAY)
)
def test_end_of_nth_business_day(
    calendar: Cal, theatre: str, week: str | None, plan: str, at: str, n: int, expected: str
) -> None:
    """The n-th business day after the request's local date ends at that day's closing time."""
    same_instant_and_offset(calendar(theatre, plan, week).end_of_business_day(iso(at), n), expected)


def test_end_of_business_day_needs_at_least_one_day(calendar: Cal) -> None:
    """Zero business days is not a target."""
    with pytest.raises(ValueError, match="at least 1"):
        calendar("europe", "basic").end_of_business_day(iso("2026-06-10T10:00:00+02:00"), 0)


# Pauses (waiting for the customer or a third party) in Europe, Basic, Mon 2026-06-08.
MON = "2026-06-08T"
TUE = "2026-06-09T"
P = "+02:00"


def _p(start: str, end: str | None) -> tuple[datetime, datetime | None]:
    return iso(start), (iso(end) if end else None)


PAUSED_ADD = [
    ("pause-inside", [_p(f"{MON}11:00{P}", f"{MON}13:00{P}")], 4 * H, f"{MON}16:00:00{P}"),
    (
        "pause-overlapping-start",
        [_p(f"{MON}08:00{P}", f"{MON}11:00{P}")],
        4 * H,
        f"{MON}15:00:00{P}",
    ),
    ("pause-across-close", [_p(f"{MON}17:00{P}", f"{TUE}10:00{P}")], 8 * H, f"{TUE}11:00:00{P}"),
    ("pause-in-closed-time", [_p(f"{MON}19:00{P}", f"{MON}23:00{P}")], 8 * H, f"{MON}18:00:00{P}"),
    (
        "overlapping-pauses",
        [_p(f"{MON}12:00{P}", f"{MON}14:00{P}"), _p(f"{MON}11:00{P}", f"{MON}13:00{P}")],
        4 * H,
        f"{MON}17:00:00{P}",
    ),
    (
        "pause-ending-at-deadline",
        [_p(f"{MON}13:00{P}", f"{MON}14:00{P}")],
        3 * H,
        f"{MON}13:00:00{P}",
    ),
]


@pytest.mark.parametrize(
    ("pauses", "amount", "expected"),
    [row[1:] for row in PAUSED_ADD],
    ids=[row[0] for row in PAUSED_ADD],
)
def test_pauses_push_the_deadline(
    calendar: Cal,
    pauses: list[tuple[datetime, datetime | None]],
    amount: timedelta,
    expected: str,
) -> None:
    """Open time inside a pause does not count towards the deadline."""
    start = iso(f"{MON}10:00{P}")
    same_instant_and_offset(calendar("europe", "basic").add(start, amount, pauses), expected)


PAUSED_ELAPSED = [
    ("no-pause", [], f"{MON}16:00{P}", 6 * H),
    ("pause-inside", [_p(f"{MON}11:00{P}", f"{MON}13:00{P}")], f"{MON}16:00{P}", 4 * H),
    (
        "overlapping-pauses",
        [_p(f"{MON}12:00{P}", f"{MON}14:00{P}"), _p(f"{MON}11:00{P}", f"{MON}13:00{P}")],
        f"{MON}16:00{P}",
        3 * H,
    ),
    ("open-ended-pause", [_p(f"{MON}12:00{P}", None)], f"{TUE}10:00{P}", 2 * H),
    ("pause-before-start", [_p(f"{MON}07:00{P}", f"{MON}09:30{P}")], f"{MON}12:00{P}", 2 * H),
    ("pause-across-close", [_p(f"{MON}17:00{P}", f"{TUE}10:00{P}")], f"{TUE}12:00{P}", 9 * H),
]


@pytest.mark.parametrize(
    ("pauses", "end", "expected"),
    [row[1:] for row in PAUSED_ELAPSED],
    ids=[row[0] for row in PAUSED_ELAPSED],
)
def test_pauses_are_excluded_from_elapsed_time(
    calendar: Cal,
    pauses: list[tuple[datetime, datetime | None]],
    end: str,
    expected: timedelta,
) -> None:
    """Elapsed business time leaves out the pause windows."""
    start = iso(f"{MON}10:00{P}")
    assert calendar("europe", "basic").elapsed(start, iso(end), pauses) == expected


def test_elapsed_backwards_is_zero(calendar: Cal) -> None:
    """Elapsed time from a later to an earlier instant is zero, never negative."""
    cal = calendar("europe", "basic")
    assert cal.elapsed(iso(f"{MON}16:00{P}"), iso(f"{MON}10:00{P}")) == timedelta(0)


# Operator overrides of the holiday list (policy-notes: add or remove a holiday by date).
def _add_holiday(day: date) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        data["theatres"]["middle_east"]["holidays"]["add"] = {day: "Eid (moon sighted)"}

    return edit


def _remove_holiday(day: date) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        data["theatres"]["middle_east"]["holidays"]["remove"] = [day]

    return edit


OVERRIDES = [
    # Added holiday on Wednesday 2026-06-10: Basic closed, Gold at the reduced 12:00-18:00.
    ("add", "basic", "2026-06-10T10:00:00+04:00", False),
    ("add", "gold", "2026-06-10T10:00:00+04:00", False),
    ("add", "gold", "2026-06-10T12:00:00+04:00", True),
    ("add", "basic", "2026-06-09T10:00:00+04:00", True),
    # Removed National Day Wednesday 2026-12-02: an ordinary working day 09:00-18:00 again.
    ("remove", "basic", "2026-12-02T10:00:00+04:00", True),
    ("remove", "gold", "2026-12-02T09:00:00+04:00", True),
    ("remove", "basic", "2026-12-03T10:00:00+04:00", False),
]


@pytest.mark.parametrize(
    ("change", "plan", "at", "expected"),
    OVERRIDES,
    ids=[f"{c}-{p}-{a}" for c, p, a, _ in OVERRIDES],
)
def test_operator_holiday_overrides(
    edited_policy: Callable[..., Policy], change: str, plan: str, at: str, expected: bool
) -> None:
    """An operator can add a holiday (moon-sighted dates) or remove one, by date."""
    edit = (
        _add_holiday(date(2026, 6, 10)) if change == "add" else _remove_holiday(date(2026, 12, 2))
    )
    book = CalendarBook(edited_policy(edit))
    assert book.for_plan("middle_east", "sun-thu", plan).is_open(iso(at)) is expected


def test_added_holiday_moves_a_basic_deadline(edited_policy: Callable[..., Policy]) -> None:
    """A holiday added by the operator is skipped by Basic deadlines."""
    book = CalendarBook(edited_policy(_add_holiday(date(2026, 6, 10))))
    cal = book.for_plan("middle_east", "mon-fri", "basic")
    got = cal.add(iso("2026-06-09T17:00:00+04:00"), 2 * H)
    same_instant_and_offset(got, "2026-06-11T10:00:00+04:00")


def test_calendars_are_shared_per_theatre_week_and_plan_family(book: CalendarBook) -> None:
    """Gold and Platinum share one calendar; the default week is the theatre's default."""
    assert book.for_plan("europe", None, "gold") is book.for_plan("europe", "mon-fri", "platinum")
    assert book.for_plan("europe", None, "gold") is not book.for_plan("europe", None, "basic")
    me = book.for_plan("middle_east", None, "basic")
    assert me is book.for_plan("middle_east", "sun-thu", "basic")


# dateutil-style gap and fold checklist: wall times that do not exist or happen twice.
ROME = ZoneInfo("Europe/Rome")
GAP = datetime(2026, 3, 29, 2, 30, tzinfo=ROME)  # skipped: read as 02:30+01:00 (fold=0)
FOLD_FIRST = datetime(2026, 10, 25, 2, 30, tzinfo=ROME)  # 02:30+02:00
FOLD_SECOND = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=ROME)  # 02:30+01:00


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (GAP, "2026-03-30T09:00:00+02:00"),
        (FOLD_FIRST, "2026-10-26T09:00:00+01:00"),
        (FOLD_SECOND, "2026-10-26T09:00:00+01:00"),
    ],
    ids=["gap", "fold-first", "fold-second"],
)
def test_next_opening_from_a_gap_or_fold_wall_time(
    calendar: Cal, at: datetime, expected: str
) -> None:
    """A night-time instant in a DST gap or fold reaches Monday's wall-clock opening."""
    same_instant_and_offset(calendar("europe", "gold").next_opening(at), expected)


def test_the_two_readings_of_a_folded_wall_time_are_one_real_hour_apart() -> None:
    """On the 24x7 clock 02:30 (first) to 02:30 (second) on 2026-10-25 is one hour."""
    assert clock_calendar(ROME).elapsed(FOLD_FIRST, FOLD_SECOND) == H
    assert clock_calendar(ROME).add(FOLD_FIRST, H).astimezone(UTC) == FOLD_SECOND.astimezone(UTC)


def _overnight(data: dict[str, Any]) -> None:
    data["theatres"]["europe"]["office_hours"] = {"open": "20:00", "close": "04:00"}


OVERNIGHT = [
    ("2026-06-08T19:59:59+02:00", False),
    ("2026-06-08T20:00:00+02:00", True),
    ("2026-06-09T03:59:59+02:00", True),
    ("2026-06-09T04:00:00+02:00", False),
    ("2026-06-13T02:00:00+02:00", True),  # Friday's shift runs into Saturday
    ("2026-06-14T02:00:00+02:00", False),
]


@pytest.mark.parametrize(("at", "expected"), OVERNIGHT, ids=[a for a, _ in OVERNIGHT])
def test_a_close_before_the_open_is_an_overnight_shift(
    edited_policy: Callable[..., Policy], at: str, expected: bool
) -> None:
    """An operator's 20:00-04:00 office runs into the next morning."""
    cal = CalendarBook(edited_policy(_overnight)).for_plan("europe", None, "basic")
    assert cal.is_open(iso(at)) is expected


def test_overnight_shift_deadline_crosses_midnight(edited_policy: Callable[..., Policy]) -> None:
    """Business time on an overnight shift continues past midnight to the close."""
    cal = CalendarBook(edited_policy(_overnight)).for_plan("europe", None, "basic")
    got = cal.add(iso("2026-06-08T23:00:00+02:00"), 6 * H)
    same_instant_and_offset(got, "2026-06-09T21:00:00+02:00")


def test_a_warmed_book_answers_with_the_calendars_it_built_at_start(policy: Policy) -> None:
    """CalendarBook.warm (a server's start) builds what the first call would otherwise build:
    later look-ups return those calendars, with the same holidays as a cold book."""
    warm, cold = CalendarBook(policy), CalendarBook(policy)
    warm.warm(date(2026, 11, 23))
    europe = warm.for_plan("europe", None, "gold")
    assert warm.for_plan("europe", None, "platinum") is europe
    christmas = datetime(2026, 12, 25, 10, tzinfo=UTC)
    assert europe.is_open(christmas) == cold.for_plan("europe", None, "gold").is_open(christmas)
    assert not warm.for_plan("europe", None, "basic").is_open(christmas)
