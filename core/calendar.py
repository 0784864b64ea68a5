"""Business calendars: when a theatre's office is open for a plan, and time arithmetic on it.

All arithmetic is on aware instants, converted to UTC; opening hours are wall-clock times in the
theatre's zone, turned into real instants per calendar date, so daylight-saving changes are exact
(a 09:00-18:00 day is nine real hours whatever the offset; a day whose clocks jump keeps its
wall-clock open and close). A close at or before the open runs to the next day (overnight shift;
``00:00``-``00:00`` is a whole day).

Rules implemented (policy-notes "Theatres, numbers, office hours", guide §6.1):
- working days at office hours; Gold/Platinum (``extended``) also open on the week's extended days
  (Saturday) and on every national holiday (also one on a rest day), at the reduced hours;
- Basic is closed on Saturdays, Sundays and national holidays;
- national holidays from the ``holidays`` package for the theatre's country, plus the operator's
  ``add``/``remove`` overrides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays as holidays_lib

from core.model import PlanName
from core.policy import WEEKDAYS, HolidaySource, Hours, Policy

Interval = tuple[datetime, datetime]
Window = tuple[datetime, datetime | None]
_DAY = timedelta(days=1)
_SEARCH_DAYS = 800  # a calendar with no opening in ~2 years is a configuration error


class CalendarError(ValueError):
    """The calendar has no opening within the search horizon."""


class BusinessCalendar:
    """Open intervals of one calendar, and deadline / elapsed-time arithmetic over them.

    ``hours_for(day)`` gives the wall-clock hours of a local date, or ``None`` when closed.
    """

    def __init__(self, zone: ZoneInfo | timezone, hours_for: Callable[[date], Hours | None]):
        self.zone = zone
        self._hours_for = hours_for
        self._cache: dict[int, tuple[Interval, ...]] = {}

    # -- the intervals ---------------------------------------------------------------------
    def intervals_on(self, day: date) -> tuple[Interval, ...]:
        """The open intervals (UTC instants) that start on local date ``day``."""
        key = day.toordinal()
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._build(day)
        return cached

    def _build(self, day: date) -> tuple[Interval, ...]:
        hours = self._hours_for(day)
        if hours is None:
            return ()
        start = _instant(day, hours.open, self.zone)
        end_day = day if hours.close > hours.open else day + _DAY
        end = _instant(end_day, hours.close, self.zone)
        return ((start, end),) if end > start else ()

    def _intervals_from(self, t: datetime) -> Iterator[Interval]:
        """Open intervals that end after ``t``, in time order (starting from the day before,
        for overnight shifts)."""
        day = t.astimezone(self.zone).date() - _DAY
        for _ in range(_SEARCH_DAYS):
            for start, end in self.intervals_on(day):
                if end > t:
                    yield start, end
            day += _DAY
        raise CalendarError("no opening within the search horizon")

    def _intervals_until(self, a: datetime, b: datetime) -> Iterator[Interval]:
        for start, end in self._intervals_from(a):
            if start >= b:
                return
            yield max(start, a), min(end, b)

    # -- queries ---------------------------------------------------------------------------
    def is_open(self, t: datetime) -> bool:
        """True when ``t`` is inside an open interval (a close instant is already closed)."""
        t = _utc(t)
        start, _ = next(self._intervals_from(t))
        return start <= t

    def next_opening(self, t: datetime) -> datetime:
        """``t`` itself when open, otherwise the start of the next open interval."""
        t = _utc(t)
        start, _ = next(self._intervals_from(t))
        return self._local(max(start, t))

    def next_closing(self, t: datetime) -> datetime:
        """The end of the open interval containing ``t``, or of the next one."""
        _, end = next(self._intervals_from(_utc(t)))
        return self._local(end)

    def add(self, t: datetime, amount: timedelta, pauses: Sequence[Window] = ()) -> datetime:
        """The instant when ``amount`` of open time (outside ``pauses``) has passed since ``t``.

        Lands exactly on a close when the amount ends there (Thu 10:00 + 8 h = Thu 18:00); with
        a zero amount, gives the next opening.
        """
        if amount < timedelta(0):
            raise ValueError("amount must not be negative")
        remaining = amount
        for start, end in self._open_pieces(_utc(t), pauses):
            span = end - start
            if remaining <= span:
                return self._local(start + remaining)
            remaining -= span
        raise CalendarError("unreachable")  # pragma: no cover - _intervals_from raises first

    def elapsed(self, a: datetime, b: datetime, pauses: Sequence[Window] = ()) -> timedelta:
        """Open time (outside ``pauses``) between ``a`` and ``b``; zero when ``b`` <= ``a``."""
        a, b = _utc(a), _utc(b)
        total = timedelta(0)
        if b <= a:
            return total
        windows = _normalise(pauses)
        for start, end in self._intervals_until(a, b):
            for piece_start, piece_end in _subtract((start, end), windows):
                total += piece_end - piece_start
        return total

    def end_of_business_day(self, t: datetime, n: int) -> datetime:
        """Closing time of the ``n``-th business day after the local date of ``t``.

        policy-notes "Priorities": "the next business day" and "the 2nd business day" end at
        closing time of that day; days are counted from the day after the request.
        """
        if n < 1:
            raise ValueError("n must be at least 1")
        day = _utc(t).astimezone(self.zone).date()
        for _ in range(_SEARCH_DAYS):
            day += _DAY
            todays = self.intervals_on(day)
            if todays:
                n -= 1
                if n == 0:
                    return self._local(todays[-1][1])
        raise CalendarError("no business day within the search horizon")

    def _open_pieces(self, t: datetime, pauses: Sequence[Window]) -> Iterator[Interval]:
        windows = _normalise(pauses)
        for start, end in self._intervals_from(t):
            yield from _subtract((max(start, t), end), windows)

    def _local(self, t: datetime) -> datetime:
        return t.astimezone(self.zone)


def clock_calendar(zone: ZoneInfo | timezone = UTC) -> BusinessCalendar:
    """A 24x7 calendar (Platinum P1 on the on-call clock): always open, pauses still count."""
    whole_day = Hours(open=time(0), close=time(0))
    return BusinessCalendar(zone, lambda _day: whole_day)


class HolidayCalendar:
    """National holidays of a country plus the operator's overrides (cached per year)."""

    def __init__(self, source: HolidaySource):
        self._source = source
        self._table = holidays_lib.country_holidays(source.country, subdiv=source.subdivision)
        self._removed = frozenset(source.remove)

    def name(self, day: date) -> str | None:
        """The holiday's name, or None on an ordinary day."""
        if day in self._removed:
            return None
        if day in self._source.add:
            return self._source.add[day]
        found: str | None = self._table.get(day)
        return found


def theatre_calendar(
    policy: Policy,
    theatre: str,
    week: str,
    extended: bool,
    holidays: HolidayCalendar | None = None,
) -> BusinessCalendar:
    """The calendar of a theatre, working week and plan family (``extended`` = Gold/Platinum);
    ``holidays`` shares one holiday table between the calendars of a theatre."""
    th = policy.theatres[theatre]
    wk = th.weeks[week]
    hol = holidays or HolidayCalendar(th.holidays)
    working = frozenset(WEEKDAYS.index(d) for d in wk.working_days)
    extra = frozenset(WEEKDAYS.index(d) for d in wk.extended_days)

    def hours_for(day: date) -> Hours | None:
        weekday = day.weekday()
        holiday = hol.name(day) is not None
        if weekday in working and not holiday:
            return th.office_hours
        # policy-notes: Gold/Platinum "are open on Saturdays and national holidays" at the
        # reduced hours, with no exception for a holiday on a rest day (Sunday, or Friday in
        # the Sun-Thu week).
        if extended and (holiday or weekday in extra):
            return th.extended_hours
        return None

    return BusinessCalendar(th.zone, hours_for)


class CalendarBook:
    """Calendars built once per (theatre, week, plan family) for a policy; safe to share."""

    def __init__(self, policy: Policy):
        self.policy = policy
        self._calendars: dict[tuple[str, str, bool], BusinessCalendar] = {}
        self._holidays: dict[str, HolidayCalendar] = {}
        self.clock = clock_calendar()

    def warm(self, around: date) -> None:
        """Build every theatre's calendars and the holiday tables of the year of ``around`` and
        the years on either side, so that the first call or chat of a worker process does not
        pay for them (the ``holidays`` tables are computed per year, on first use)."""
        for theatre, th in self.policy.theatres.items():
            for week in th.weeks:
                for extended in (False, True):
                    self._calendar((theatre, week, extended))
            for year in (around.year - 1, around.year, around.year + 1):
                self._holiday_table(theatre).name(date(year, 1, 1))

    def for_plan(self, theatre: str, week: str | None, plan: PlanName) -> BusinessCalendar:
        """The business calendar that applies to a contract of ``plan`` in ``theatre``/``week``."""
        th = self.policy.theatres[theatre]
        key = (theatre, week or th.default_week, self.policy.plans[plan].extended_hours)
        return self._calendar(key)

    def _calendar(self, key: tuple[str, str, bool]) -> BusinessCalendar:
        found = self._calendars.get(key)
        if found is None:
            holidays = self._holiday_table(key[0])
            found = self._calendars[key] = theatre_calendar(self.policy, *key, holidays)
        return found

    def _holiday_table(self, theatre: str) -> HolidayCalendar:
        found = self._holidays.get(theatre)
        if found is None:
            source = self.policy.theatres[theatre].holidays
            found = self._holidays[theatre] = HolidayCalendar(source)
        return found


def _instant(day: date, wall: time, zone: ZoneInfo | timezone) -> datetime:
    """The real instant of a wall-clock time on a local date (a time skipped by a DST jump is
    read with the offset before the jump, as ``zoneinfo`` does with ``fold=0``)."""
    return datetime.combine(day, wall, zone).astimezone(UTC)


def _utc(t: datetime) -> datetime:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError("naive datetime: pass an aware instant")
    return t.astimezone(UTC)


def _normalise(pauses: Iterable[Window]) -> list[Interval]:
    far = datetime.max.replace(tzinfo=UTC) - _DAY
    return sorted((_utc(s), _utc(e) if e is not None else far) for s, e in pauses)


def _subtract(interval: Interval, windows: list[Interval]) -> Iterator[Interval]:
    start, end = interval
    for w_start, w_end in windows:
        if w_end <= start or w_start >= end:
            continue
        if w_start > start:
            yield start, w_start
        start = max(start, w_end)
        if start >= end:
            return
    if start < end:
        yield start, end
