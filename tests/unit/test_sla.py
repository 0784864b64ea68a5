"""Response deadlines: every cell of policy-notes "Priorities and maximum time", per plan."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from core.calendar import CalendarBook
from core.policy import Policy, SlaTarget
from core.sla import Deadline, due_for_target, response_deadline

iso = datetime.fromisoformat
MON_10 = "2026-06-08T10:00:00+02:00"  # Europe, an ordinary Monday
FRI_17 = "2026-06-12T17:00:00+02:00"  # Europe, Friday one hour before closing
FRI_1730 = "2026-06-12T17:30:00+02:00"


def deadline(book: CalendarBook, **kw: Any) -> Deadline:
    args: dict[str, Any] = {
        "theatre": "europe",
        "week": None,
        "channel": "web",
        "language_class": "main",
    }
    args.update(kw)
    args["opened"] = iso(args["opened"])
    return response_deadline(book, **args)


def assert_due(got: Deadline, expected: str | None, basis: str) -> None:
    if expected is None:
        assert got.due is None
        assert not got.guaranteed
    else:
        assert got.due is not None
        assert got.due.astimezone(UTC) == iso(expected).astimezone(UTC), got.due.isoformat()
        assert got.guaranteed
    assert got.basis == basis


# (plan, priority, opened, around the clock, due or None, basis)
EVERY_CELL = [
    # Basic: P1 end of next business day, P2 end of 2nd business day, P3/P4 best effort.
    ("basic", "P1", MON_10, False, "2026-06-09T18:00:00+02:00", "end_of_business_day"),
    ("basic", "P2", MON_10, False, "2026-06-10T18:00:00+02:00", "end_of_business_day"),
    ("basic", "P3", MON_10, False, None, "none"),
    ("basic", "P4", MON_10, False, None, "none"),
    ("basic", "P1", FRI_17, False, "2026-06-15T18:00:00+02:00", "end_of_business_day"),
    ("basic", "P2", FRI_17, False, "2026-06-16T18:00:00+02:00", "end_of_business_day"),
    # Gold: 60 / 120 / 240 / 480 business minutes (P4 ends exactly at Monday's close).
    ("gold", "P1", MON_10, False, "2026-06-08T11:00:00+02:00", "business"),
    ("gold", "P2", MON_10, False, "2026-06-08T12:00:00+02:00", "business"),
    ("gold", "P3", MON_10, False, "2026-06-08T14:00:00+02:00", "business"),
    ("gold", "P4", MON_10, False, "2026-06-08T18:00:00+02:00", "business"),
    # Friday 17:00: Gold runs on into Saturday (the notes' example: P2 due Saturday 10:00).
    ("gold", "P1", FRI_17, False, "2026-06-12T18:00:00+02:00", "business"),
    ("gold", "P2", FRI_17, False, "2026-06-13T10:00:00+02:00", "business"),
    ("gold", "P3", FRI_17, False, "2026-06-13T12:00:00+02:00", "business"),
    ("gold", "P4", FRI_17, False, "2026-06-13T16:00:00+02:00", "business"),
    # Gold P1 stays on business time even if the caller asks for the clock.
    ("gold", "P1", FRI_1730, True, "2026-06-13T09:30:00+02:00", "business"),
    # Platinum: P1 on the 24x7 clock when the on-call service applies, else business time.
    ("platinum", "P1", MON_10, True, "2026-06-08T11:00:00+02:00", "clock"),
    ("platinum", "P1", FRI_1730, True, "2026-06-12T18:30:00+02:00", "clock"),
    ("platinum", "P1", FRI_1730, False, "2026-06-13T09:30:00+02:00", "business"),
    ("platinum", "P1", "2026-06-13T23:00:00+02:00", True, "2026-06-14T00:00:00+02:00", "clock"),
    ("platinum", "P2", FRI_17, True, "2026-06-13T10:00:00+02:00", "business"),
    ("platinum", "P2", MON_10, False, "2026-06-08T12:00:00+02:00", "business"),
    ("platinum", "P3", MON_10, True, "2026-06-08T14:00:00+02:00", "business"),
    ("platinum", "P4", MON_10, True, "2026-06-08T18:00:00+02:00", "business"),
    ("platinum", "P4", FRI_17, False, "2026-06-13T16:00:00+02:00", "business"),
]


@pytest.mark.parametrize(
    ("plan", "priority", "opened", "clock", "expected", "basis"),
    EVERY_CELL,
    ids=[f"{p}-{q}-{o}-{'clock' if c else 'business'}" for p, q, o, c, *_ in EVERY_CELL],
)
def test_every_cell_of_the_priority_table(
    book: CalendarBook,
    plan: str,
    priority: str,
    opened: str,
    clock: bool,
    expected: str | None,
    basis: str,
) -> None:
    """Each plan and priority gets the notes' maximum time to take the case in charge."""
    got = deadline(book, plan=plan, priority=priority, opened=opened, around_the_clock=clock)
    assert_due(got, expected, basis)


# Business time is the theatre's and plan's calendar: (theatre, week, plan, priority, opened, due)
BY_THEATRE = [
    # Americas, Thanksgiving Thursday 2026-11-26 (Gold 08:00-12:00, Basic closed)
    ("americas", None, "gold", "P2", "2026-11-25T16:00:00-05:00", "2026-11-26T09:00:00-05:00"),
    ("americas", None, "gold", "P4", "2026-11-25T16:00:00-05:00", "2026-11-27T10:00:00-05:00"),
    ("americas", None, "basic", "P1", "2026-11-25T16:00:00-05:00", "2026-11-27T17:00:00-05:00"),
    ("americas", None, "basic", "P2", "2026-11-25T16:00:00-05:00", "2026-11-30T17:00:00-05:00"),
    ("americas", None, "gold", "P3", "2026-06-13T10:00:00-04:00", "2026-06-15T09:00:00-04:00"),
    # Europe, Christmas Friday 2026-12-25 and St Stephen Saturday 26
    ("europe", None, "basic", "P1", "2026-12-24T10:00:00+01:00", "2026-12-28T18:00:00+01:00"),
    ("europe", None, "gold", "P4", "2026-12-24T14:00:00+01:00", "2026-12-25T13:00:00+01:00"),
    # Middle East: Sun-Thu and Mon-Fri weeks, Saturday 12:00-18:00 for Gold
    (
        "middle_east",
        "sun-thu",
        "gold",
        "P4",
        "2026-06-11T14:00:00+04:00",
        "2026-06-13T16:00:00+04:00",
    ),
    (
        "middle_east",
        "sun-thu",
        "basic",
        "P1",
        "2026-06-11T14:00:00+04:00",
        "2026-06-14T18:00:00+04:00",
    ),
    (
        "middle_east",
        "mon-fri",
        "basic",
        "P1",
        "2026-06-11T14:00:00+04:00",
        "2026-06-12T18:00:00+04:00",
    ),
    (
        "middle_east",
        "mon-fri",
        "gold",
        "P2",
        "2026-06-12T17:00:00+04:00",
        "2026-06-13T13:00:00+04:00",
    ),
    (
        "middle_east",
        "sun-thu",
        "gold",
        "P1",
        "2026-12-01T17:30:00+04:00",
        "2026-12-02T12:30:00+04:00",
    ),
]


@pytest.mark.parametrize(
    ("theatre", "week", "plan", "priority", "opened", "expected"),
    BY_THEATRE,
    ids=[f"{t}-{w or 'default'}-{p}-{q}-{o}" for t, w, p, q, o, _ in BY_THEATRE],
)
def test_business_time_is_the_theatre_and_plan_calendar(
    book: CalendarBook,
    theatre: str,
    week: str | None,
    plan: str,
    priority: str,
    opened: str,
    expected: str,
) -> None:
    """Deadlines follow the customer's theatre, week and plan (holidays, Saturdays, weeks)."""
    got = deadline(book, theatre=theatre, week=week, plan=plan, priority=priority, opened=opened)
    assert got.due is not None
    assert got.due.isoformat() == iso(expected).isoformat()


# Requests without a guaranteed deadline: (plan, priority, channel, language class, reason)
NO_GUARANTEE = [
    ("basic", "P3", "web", "main", "best_effort"),
    ("basic", "P4", "phone", "main", "best_effort"),
    ("basic", "P3", "email", "optional", "best_effort"),
    ("basic", "P1", "email", "main", "channel_without_sla"),
    ("gold", "P1", "email", "main", "channel_without_sla"),
    ("platinum", "P1", "email", "main", "channel_without_sla"),
    ("platinum", "P4", "email", "optional", "channel_without_sla"),
    ("basic", "P2", "web", "optional", "optional_language"),
    ("gold", "P2", "phone", "optional", "optional_language"),
    ("platinum", "P1", "chat", "optional", "optional_language"),
]


@pytest.mark.parametrize(
    ("plan", "priority", "channel", "language_class", "reason"),
    NO_GUARANTEE,
    ids=[f"{p}-{q}-{c}-{lc}" for p, q, c, lc, _ in NO_GUARANTEE],
)
def test_email_optional_language_and_best_effort_are_not_guaranteed(
    book: CalendarBook, plan: str, priority: str, channel: str, language_class: str, reason: str
) -> None:
    """E-mail, an optional language and Basic P3/P4 carry no guaranteed deadline."""
    got = deadline(
        book,
        plan=plan,
        priority=priority,
        opened=MON_10,
        channel=channel,
        language_class=language_class,
        around_the_clock=True,
    )
    assert got == Deadline(due=None, guaranteed=False, basis="none", no_guarantee=reason)  # type: ignore[arg-type]


@pytest.mark.parametrize("channel", ["phone", "chat", "web", "proactive"])
def test_every_channel_but_email_is_guaranteed(book: CalendarBook, channel: str) -> None:
    """Phone, chat, web and proactive tickets in a main language have a deadline."""
    got = deadline(book, plan="gold", priority="P2", opened=MON_10, channel=channel)
    assert got.guaranteed
    assert got.no_guarantee is None


# Pauses (waiting for the customer or a third party): (plan, priority, opened, pauses, due, clock)
PAUSED = [
    (
        "gold",
        "P2",
        MON_10,
        [("2026-06-08T10:30:00+02:00", "2026-06-08T11:30:00+02:00")],
        "2026-06-08T13:00:00+02:00",
        False,
    ),
    (
        "basic",
        "P1",
        MON_10,
        [("2026-06-09T10:00:00+02:00", "2026-06-09T11:00:00+02:00")],
        "2026-06-10T10:00:00+02:00",
        False,
    ),
    (
        "basic",
        "P2",
        MON_10,
        [("2026-06-08T12:00:00+02:00", "2026-06-08T20:00:00+02:00")],
        "2026-06-11T15:00:00+02:00",
        False,
    ),
    (
        "platinum",
        "P1",
        FRI_1730,
        [("2026-06-12T17:40:00+02:00", "2026-06-12T18:10:00+02:00")],
        "2026-06-12T19:00:00+02:00",
        True,
    ),
    # a pause entirely in closed time changes nothing
    (
        "gold",
        "P2",
        FRI_17,
        [("2026-06-12T19:00:00+02:00", "2026-06-13T08:00:00+02:00")],
        "2026-06-13T10:00:00+02:00",
        False,
    ),
]


@pytest.mark.parametrize(
    ("plan", "priority", "opened", "pauses", "expected", "clock"),
    PAUSED,
    ids=[f"{p}-{q}-{o}" for p, q, o, *_ in PAUSED],
)
def test_waiting_for_the_customer_pushes_the_deadline(
    book: CalendarBook,
    plan: str,
    priority: str,
    opened: str,
    pauses: list[tuple[str, str]],
    expected: str,
    clock: bool,
) -> None:
    """Time waiting for the customer does not count, on business time and on the clock."""
    windows = [(iso(a), iso(b)) for a, b in pauses]
    got = deadline(
        book, plan=plan, priority=priority, opened=opened, pauses=windows, around_the_clock=clock
    )
    assert got.due is not None
    assert got.due.astimezone(UTC) == iso(expected).astimezone(UTC)


def test_due_for_target_without_deadline_is_none(book: CalendarBook) -> None:
    """A best-effort target has no due time whatever the calendar."""
    cal = book.for_plan("europe", None, "basic")
    target = SlaTarget(kind="best_effort")
    assert due_for_target(target, iso(MON_10), cal, book.clock, around_the_clock=True) == (
        None,
        "none",
    )


def test_clock_minutes_target_without_clock_counts_business_minutes(book: CalendarBook) -> None:
    """A clock target outside the on-call service counts on the business calendar."""
    cal = book.for_plan("europe", None, "platinum")
    target = SlaTarget(kind="clock_minutes", minutes=60)
    due, basis = due_for_target(
        target, iso("2026-06-14T03:00:00+02:00"), cal, book.clock, around_the_clock=False
    )
    assert (due, basis) == (iso("2026-06-15T10:00:00+02:00"), "business")


def test_sla_targets_come_from_the_policy_file(edited_policy: Any) -> None:
    """An operator's SLA change (Gold P1 to 30 business minutes) moves the deadline."""

    def edit(data: dict[str, Any]) -> None:
        data["sla"]["gold"]["P1"] = {"kind": "business_minutes", "minutes": 30}

    policy: Policy = edited_policy(edit)
    got = deadline(CalendarBook(policy), plan="gold", priority="P1", opened=FRI_17)
    assert got.due == iso("2026-06-12T17:30:00+02:00")


def test_basic_deadline_opened_on_a_weekend_counts_from_monday(book: CalendarBook) -> None:
    """A Basic P1 opened on Saturday is due at the end of Monday, the next business day."""
    got = deadline(book, plan="basic", priority="P1", opened="2026-06-13T10:00:00+02:00")
    assert got.due == iso("2026-06-15T18:00:00+02:00")
