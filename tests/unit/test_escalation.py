"""Escalation schedule: policy-notes "Escalation matrix", on business time only."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

import pytest

from core.calendar import CalendarBook
from core.sla import EscalationAt, escalation_schedule

iso = datetime.fromisoformat
RM, SM, CEO, TEAM = "Support Regional Manager", "Support Manager", "Co-CEO and CTO", "Support team"

# Opened at Monday 09:00 (Europe, Basic): 2 h = 11:00, 4 h = 13:00, 8 h = 17:00,
# 16 h = Tuesday 16:00, 40 h = Friday 13:00.
AT = {
    2: "2026-06-08T11:00:00+02:00",
    4: "2026-06-08T13:00:00+02:00",
    8: "2026-06-08T17:00:00+02:00",
    16: "2026-06-09T16:00:00+02:00",
    40: "2026-06-12T13:00:00+02:00",
}
MATRIX = {
    "P1": [(2, RM), (8, SM), (40, CEO)],
    "P2": [(2, TEAM), (4, RM), (16, SM), (40, CEO)],
    "P3": [(4, TEAM), (16, RM), (40, SM)],
    "P4": [(4, TEAM), (40, RM)],
}


def schedule(book: CalendarBook, **kw: Any) -> list[EscalationAt]:
    args: dict[str, Any] = {"theatre": "europe", "week": None, "plan": "basic"}
    args.update(kw)
    args["opened"] = iso(args["opened"])
    return escalation_schedule(book, **args)


def as_rows(steps: list[EscalationAt]) -> list[tuple[int, str, str]]:
    return [(s.after_hours, s.to, s.at.isoformat()) for s in steps]


@pytest.mark.parametrize("priority", list(MATRIX))
def test_escalation_matrix_row(book: CalendarBook, priority: str) -> None:
    """Each priority escalates to the matrix's roles at 2/4/8/16/40 business hours."""
    got = schedule(book, priority=priority, opened="2026-06-08T09:00:00+02:00")
    assert as_rows(got) == [(h, to, AT[h]) for h, to in MATRIX[priority]]


# (theatre, week, plan, opened, {after_hours: instant}) for P2 (every column but 8 h) and P1 (8 h)
LADDERS = [
    pytest.param(
        "europe",
        None,
        "basic",
        "2026-06-12T20:00:00+02:00",
        {
            2: "2026-06-15T11:00:00+02:00",
            4: "2026-06-15T13:00:00+02:00",
            8: "2026-06-15T17:00:00+02:00",
            16: "2026-06-16T16:00:00+02:00",
            40: "2026-06-19T13:00:00+02:00",
        },
        id="europe-basic-friday-evening-escalates-from-monday",
    ),
    pytest.param(
        "europe",
        None,
        "gold",
        "2026-06-12T09:00:00+02:00",
        {
            2: "2026-06-12T11:00:00+02:00",
            4: "2026-06-12T13:00:00+02:00",
            8: "2026-06-12T17:00:00+02:00",
            16: "2026-06-13T16:00:00+02:00",
            40: "2026-06-17T13:00:00+02:00",
        },
        id="europe-gold-friday-counts-saturday",
    ),
    pytest.param(
        "europe",
        None,
        "basic",
        "2026-06-12T09:00:00+02:00",
        {
            2: "2026-06-12T11:00:00+02:00",
            4: "2026-06-12T13:00:00+02:00",
            8: "2026-06-12T17:00:00+02:00",
            16: "2026-06-15T16:00:00+02:00",
            40: "2026-06-18T13:00:00+02:00",
        },
        id="europe-basic-friday-skips-weekend",
    ),
    pytest.param(
        "americas",
        None,
        "basic",
        "2026-06-12T20:00:00-04:00",
        {
            2: "2026-06-15T09:00:00-04:00",
            4: "2026-06-15T11:00:00-04:00",
            8: "2026-06-15T15:00:00-04:00",
            16: "2026-06-16T13:00:00-04:00",
            40: "2026-06-18T17:00:00-04:00",
        },
        id="americas-basic-friday-evening-40h-ends-exactly-at-thursday-close",
    ),
    pytest.param(
        "middle_east",
        "sun-thu",
        "basic",
        "2026-06-11T20:00:00+04:00",
        {
            2: "2026-06-14T11:00:00+04:00",
            4: "2026-06-14T13:00:00+04:00",
            8: "2026-06-14T17:00:00+04:00",
            # Monday 2026-06-15 is Islamic New Year: Sun, Tue, Wed, Thu, then Sunday again
            16: "2026-06-16T16:00:00+04:00",
            40: "2026-06-21T13:00:00+04:00",
        },
        id="middle-east-sun-thu-basic-thursday-evening-escalates-from-sunday",
    ),
    pytest.param(
        "europe",
        None,
        "platinum",
        "2026-06-13T20:00:00+02:00",
        {
            2: "2026-06-15T11:00:00+02:00",
            4: "2026-06-15T13:00:00+02:00",
            8: "2026-06-15T17:00:00+02:00",
            16: "2026-06-16T16:00:00+02:00",
            40: "2026-06-19T13:00:00+02:00",
        },
        id="europe-platinum-saturday-night-escalates-on-business-time-not-the-clock",
    ),
]


@pytest.mark.parametrize(("theatre", "week", "plan", "opened", "expected"), LADDERS)
def test_escalations_fire_on_business_time(
    book: CalendarBook,
    theatre: str,
    week: str | None,
    plan: str,
    opened: str,
    expected: dict[int, str],
) -> None:
    """Escalation instants count only the plan's open time, never nights or weekends."""
    p1 = schedule(book, theatre=theatre, week=week, plan=plan, priority="P1", opened=opened)
    p2 = schedule(book, theatre=theatre, week=week, plan=plan, priority="P2", opened=opened)
    got = {s.after_hours: s.at.isoformat() for s in p1 + p2}
    assert got == {h: iso(at).isoformat() for h, at in expected.items()}


@pytest.mark.parametrize("priority", list(MATRIX))
@pytest.mark.parametrize(
    ("theatre", "week", "opened", "hours"),
    [
        ("europe", None, "2026-06-12T20:00:00+02:00", (time(9), time(18))),
        ("americas", None, "2026-11-25T20:00:00-05:00", (time(7), time(17))),
        ("middle_east", "sun-thu", "2026-12-01T20:00:00+04:00", (time(9), time(18))),
        ("middle_east", "mon-fri", "2026-12-01T20:00:00+04:00", (time(9), time(18))),
    ],
    ids=["europe-fri", "americas-thanksgiving-eve", "me-sun-thu-national-day", "me-mon-fri"],
)
def test_basic_escalations_never_fire_outside_office_hours(
    book: CalendarBook,
    priority: str,
    theatre: str,
    week: str | None,
    opened: str,
    hours: tuple[time, time],
) -> None:
    """A Basic escalation lands on a working day within office hours (no 3 a.m. e-mails)."""
    cal = book.for_plan(theatre, week, "basic")
    for step in schedule(book, theatre=theatre, week=week, priority=priority, opened=opened):
        local = step.at.astimezone(cal.zone)
        assert hours[0] < local.time() <= hours[1], local.isoformat()
        assert cal.is_open(step.at) or local.time() == hours[1]
        assert cal.end_of_business_day(step.at, 1) > step.at


def test_escalation_steps_are_in_time_order(book: CalendarBook) -> None:
    """Later steps of the ladder never fire before earlier ones."""
    steps = schedule(book, priority="P2", opened="2026-12-23T17:00:00+01:00")
    instants = [s.at for s in steps]
    assert instants == sorted(instants)
    assert len(set(instants)) == len(instants)


def test_pauses_delay_escalations(book: CalendarBook) -> None:
    """Time waiting for the customer does not count towards escalation."""
    pause = [(iso("2026-06-08T10:00:00+02:00"), iso("2026-06-08T12:00:00+02:00"))]
    steps = escalation_schedule(
        book,
        theatre="europe",
        week=None,
        plan="gold",
        priority="P2",
        opened=iso("2026-06-08T09:00:00+02:00"),
        pauses=pause,
    )
    assert steps[0] == EscalationAt(at=iso("2026-06-08T13:00:00+02:00"), to=TEAM, after_hours=2)
