"""Hypothesis properties of business-time arithmetic over every theatre, week and plan family.

Instants range over 2025-2028 (UTC, so every local offset, DST change and holiday is reached);
amounts go up to 40 business hours, the longest escalation step.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from core.calendar import BusinessCalendar, CalendarBook
from core.policy import load_policy

US = timedelta(microseconds=1)
BOOK = CalendarBook(load_policy())
PROFILE = settings(max_examples=200, deadline=None)

# policy-notes "Theatres, numbers, office hours", restated as the oracle:
# (zone, holiday country, working weekdays (Mon=0), office hours, reduced hours)
THEATRES = {
    ("americas", "mon-fri"): ("America/New_York", "US", {0, 1, 2, 3, 4}, (7, 17), (8, 12)),
    ("europe", "mon-fri"): ("Europe/Rome", "IT", {0, 1, 2, 3, 4}, (9, 18), (9, 18)),
    ("middle_east", "sun-thu"): ("Asia/Dubai", "AE", {6, 0, 1, 2, 3}, (9, 18), (12, 18)),
    ("middle_east", "mon-fri"): ("Asia/Dubai", "AE", {0, 1, 2, 3, 4}, (9, 18), (12, 18)),
}
SATURDAY = 5
PLANS = ("basic", "gold", "platinum")


@cache
def _holidays(country: str) -> holidays.HolidayBase:
    return holidays.country_holidays(country, years=range(2024, 2031))


def oracle_hours(theatre: str, week: str, plan: str, day: date) -> tuple[int, int] | None:
    """The notes' hours on a local date: office hours on a working day that is no holiday;
    Gold/Platinum the reduced hours on Saturday or a national holiday; otherwise closed."""
    _zone, country, working, office, reduced = THEATRES[(theatre, week)]
    holiday = day in _holidays(country)
    if day.weekday() in working and not holiday:
        return office
    if plan != "basic" and (holiday or day.weekday() == SATURDAY):
        return reduced
    return None


def oracle_elapsed(theatre: str, week: str, plan: str, a: datetime, b: datetime) -> timedelta:
    """Open time between a and b, summed day by day from the oracle's wall-clock hours."""
    zone = ZoneInfo(THEATRES[(theatre, week)][0])
    total = timedelta(0)
    day = a.astimezone(zone).date() - timedelta(days=1)
    while day <= b.astimezone(zone).date():
        hours = oracle_hours(theatre, week, plan, day)
        if hours:
            start = datetime.combine(day, time(hours[0]), zone)
            end = datetime.combine(day, time(hours[1]), zone)
            overlap = min(end, b) - max(start, a)
            total += max(overlap, timedelta(0))
        day += timedelta(days=1)
    return total


calendars = st.tuples(st.sampled_from(sorted(THEATRES)), st.sampled_from(PLANS)).map(
    lambda tp: (tp[0][0], tp[0][1], tp[1])
)
instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
amounts = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=40))
positive_amounts = st.timedeltas(min_value=US, max_value=timedelta(hours=40))


def cal_of(key: tuple[str, str, str]) -> BusinessCalendar:
    return BOOK.for_plan(*key)


@st.composite
def calendar_and_instant(draw: st.DrawFn) -> tuple[tuple[str, str, str], datetime]:
    """A calendar and an instant: random, or exactly an opening or a closing of that calendar."""
    key = draw(calendars)
    t = draw(instants)
    kind = draw(st.sampled_from(["random", "opening", "closing"]))
    cal = cal_of(key)
    if kind == "opening":
        t = cal.next_opening(cal.next_closing(t))
    elif kind == "closing":
        t = cal.next_closing(t)
    return key, t


def open_or_exactly_at_a_close(cal: BusinessCalendar, t: datetime) -> bool:
    return cal.is_open(t) or (cal.is_open(t - US) and cal.next_closing(t - US) == t)


@PROFILE
@given(calendar_and_instant(), amounts, amounts)
def test_add_is_monotonic_in_the_amount(
    case: tuple[tuple[str, str, str], datetime], a: timedelta, b: timedelta
) -> None:
    """More business time never gives an earlier deadline."""
    key, t = case
    cal = cal_of(key)
    small, large = sorted((a, b))
    assert cal.add(t, small) <= cal.add(t, large)


@PROFILE
@given(calendar_and_instant(), amounts, positive_amounts)
def test_add_is_additive_for_a_positive_second_amount(
    case: tuple[tuple[str, str, str], datetime], a: timedelta, b: timedelta
) -> None:
    """add(add(t, a), b) == add(t, a + b) for any t, open or closed, when b > 0.

    From closed time the clock starts at the next opening, and a zero first amount gives that
    opening, so nothing is lost or double counted.
    """
    key, t = case
    cal = cal_of(key)
    assert cal.add(cal.add(t, a), b) == cal.add(t, a + b)


@PROFILE
@given(calendar_and_instant(), amounts)
def test_add_zero_snaps_to_the_next_opening(
    case: tuple[tuple[str, str, str], datetime], a: timedelta
) -> None:
    """With b == 0 additivity holds except at a close: add(x, 0) is next_opening(x), so a
    deadline that lands exactly at a close moves to the next opening (same business time)."""
    key, t = case
    cal = cal_of(key)
    due = cal.add(t, a)
    assert cal.add(due, timedelta(0)) == cal.next_opening(due)
    if cal.is_open(due):
        assert cal.add(due, timedelta(0)) == due
    assert cal.elapsed(due, cal.next_opening(due)) == timedelta(0)


@PROFILE
@given(calendar_and_instant(), positive_amounts)
def test_closed_start_counts_from_the_next_opening(
    case: tuple[tuple[str, str, str], datetime], a: timedelta
) -> None:
    """From any instant, adding business time is adding it from the next opening."""
    key, t = case
    cal = cal_of(key)
    assert cal.add(t, a) == cal.add(cal.next_opening(t), a)


@PROFILE
@given(calendar_and_instant(), amounts)
def test_deadline_is_never_in_closed_time_except_exactly_at_a_close(
    case: tuple[tuple[str, str, str], datetime], a: timedelta
) -> None:
    """A deadline is open time, or exactly the closing instant of an open interval."""
    key, t = case
    cal = cal_of(key)
    due = cal.add(t, a)
    assert open_or_exactly_at_a_close(cal, due)
    if a > timedelta(0):
        assert cal.is_open(due - US)


@PROFILE
@given(calendar_and_instant(), amounts)
def test_elapsed_inverts_add(case: tuple[tuple[str, str, str], datetime], a: timedelta) -> None:
    """The business time between t and add(t, a) is exactly a."""
    key, t = case
    cal = cal_of(key)
    assert cal.elapsed(t, cal.add(t, a)) == a


@PROFILE
@given(calendar_and_instant(), amounts, st.timedeltas(timedelta(0), timedelta(days=3)))
def test_elapsed_matches_the_notes_hours_day_by_day(
    case: tuple[tuple[str, str, str], datetime], a: timedelta, span: timedelta
) -> None:
    """Elapsed open time equals the sum of the notes' wall-clock hours, in real hours."""
    key, t = case
    cal = cal_of(key)
    b = cal.add(t, a) + span
    assert cal.elapsed(t, b) == oracle_elapsed(*key, t, b)


@PROFILE
@given(calendar_and_instant(), amounts, amounts)
def test_elapsed_is_additive_over_consecutive_spans(
    case: tuple[tuple[str, str, str], datetime], a: timedelta, b: timedelta
) -> None:
    """elapsed(x, y) + elapsed(y, z) == elapsed(x, z) for x <= y <= z."""
    key, x = case
    cal = cal_of(key)
    y = x + a
    z = y + b
    assert cal.elapsed(x, y) + cal.elapsed(y, z) == cal.elapsed(x, z)


@PROFILE
@given(calendar_and_instant())
def test_next_opening_is_not_before_and_is_open(
    case: tuple[tuple[str, str, str], datetime],
) -> None:
    """next_opening(t) >= t, is open, and equals t exactly when t is open."""
    key, t = case
    cal = cal_of(key)
    opening = cal.next_opening(t)
    assert opening >= t
    assert cal.is_open(opening)
    assert (opening == t) is cal.is_open(t)
    assert cal.elapsed(t, opening) == timedelta(0)


@PROFILE
@given(calendar_and_instant(), amounts)
def test_deadline_wall_clock_is_within_the_theatre_hours_of_that_day(
    case: tuple[tuple[str, str, str], datetime], a: timedelta
) -> None:
    """The deadline's local date is open for the plan and its local time is within its hours."""
    key, t = case
    cal = cal_of(key)
    due = cal.add(t, a)
    zone = ZoneInfo(THEATRES[key[:2]][0])
    local = due.astimezone(zone)
    assert due.utcoffset() == local.utcoffset()
    hours = oracle_hours(*key, local.date())
    assert hours is not None, f"{local.isoformat()} is a closed day for {key}"
    assert time(hours[0]) <= local.time() <= time(hours[1])
    if local.time() == time(hours[1]):
        assert not cal.is_open(due)


@PROFILE
@given(
    calendar_and_instant(),
    amounts,
    st.timedeltas(-timedelta(days=1), timedelta(days=3)),
    st.timedeltas(US, timedelta(days=2)),
)
def test_a_pause_pushes_the_deadline_by_the_open_time_it_covers(
    case: tuple[tuple[str, str, str], datetime],
    a: timedelta,
    pause_offset: timedelta,
    pause_length: timedelta,
) -> None:
    """With a pause near t, elapsed() outside it still equals a, and the deadline is later by
    exactly the open time the pause covered."""
    key, t = case
    cal = cal_of(key)
    pause = [(t + pause_offset, t + pause_offset + pause_length)]
    due = cal.add(t, a, pause)
    plain = cal.add(t, a)
    assert due >= plain
    assert cal.elapsed(t, due, pause) == a
    pause_start, pause_end = pause[0]
    covered = cal.elapsed(max(t, pause_start), min(due, pause_end))
    assert cal.elapsed(t, due) == a + covered
