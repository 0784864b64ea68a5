"""Response deadlines and escalation schedules (guide §4 and §4.3, policy-notes "Priorities").

A deadline is the latest instant by which support must take a case in charge. It is computed on
the business calendar of the contract's theatre, week and plan, except a Platinum P1 while the
on-call service can be reached, which runs on the 24x7 clock. Time in ``pauses`` (waiting for the
customer or a third party) does not count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from core.calendar import BusinessCalendar, CalendarBook, Window
from core.model import PlanName
from core.policy import Policy, SlaTarget

NoGuarantee = Literal["best_effort", "channel_without_sla", "optional_language"]


@dataclass(frozen=True)
class Deadline:
    """When the case must be taken in charge; ``due`` is None when nothing is guaranteed."""

    due: datetime | None
    guaranteed: bool
    basis: Literal["business", "clock", "end_of_business_day", "none"]
    no_guarantee: NoGuarantee | None = None


@dataclass(frozen=True)
class EscalationAt:
    at: datetime
    to: str
    after_hours: int


def guaranteed_priorities(policy: Policy, plan: PlanName) -> tuple[str, ...]:
    """The priorities for which ``plan`` guarantees a time to take the case in charge
    (policy-notes "Priorities": Basic P1 and P2 by the end of the next / 2nd business day, Basic
    P3/P4 best effort; every priority on Gold and Platinum). Every channel says the same."""
    return tuple(p for p, target in policy.sla[plan].items() if target.kind != "best_effort")


def target_for(policy: Policy, plan: PlanName, priority: str) -> SlaTarget:
    return policy.sla[plan][priority]  # type: ignore[index]  # a priority checked by the caller


def due_for_target(
    target: SlaTarget,
    opened: datetime,
    business: BusinessCalendar,
    clock: BusinessCalendar,
    *,
    around_the_clock: bool,
    pauses: Sequence[Window] = (),
) -> tuple[datetime | None, Literal["business", "clock", "end_of_business_day", "none"]]:
    """The raw deadline of one SLA target, before any no-guarantee rule."""
    if target.kind == "best_effort":
        return None, "none"
    if target.kind == "clock_minutes" and around_the_clock:
        assert target.minutes is not None
        due = clock.add(opened, timedelta(minutes=target.minutes), pauses)
        return due.astimezone(business.zone), "clock"
    if target.kind in ("business_minutes", "clock_minutes"):
        assert target.minutes is not None
        due = business.add(opened, timedelta(minutes=target.minutes), pauses)
        return due, "business"
    assert target.days is not None
    # guide §4: "entro il giorno lavorativo successivo" / "2 giorni lavorativi": closing time of
    # that day. Turned into an amount of open time so that pauses push it like any other target.
    end_of_day = business.end_of_business_day(opened, target.days)
    budget = business.elapsed(opened, end_of_day)
    return business.add(opened, budget, pauses), "end_of_business_day"


def response_deadline(
    book: CalendarBook,
    *,
    theatre: str,
    week: str | None,
    plan: PlanName,
    priority: str,
    opened: datetime,
    channel: str,
    language_class: str,
    around_the_clock: bool = False,
    pauses: Sequence[Window] = (),
) -> Deadline:
    """The response deadline of a case, and whether it is guaranteed.

    No guarantee (``due`` None): best-effort targets (Basic P3/P4), channels without SLA (e-mail,
    guide §5), and requests in an optional language of the theatre (guide §5.3).
    """
    policy = book.policy
    business = book.for_plan(theatre, week, plan)
    target = target_for(policy, plan, priority)
    due, basis = due_for_target(
        target, opened, business, book.clock, around_the_clock=around_the_clock, pauses=pauses
    )
    reason: NoGuarantee | None = None
    if due is None:
        reason = "best_effort"
    elif channel in policy.channels_without_sla:
        reason = "channel_without_sla"
    elif language_class != "main":
        reason = "optional_language"
    if reason is not None:
        return Deadline(due=None, guaranteed=False, basis="none", no_guarantee=reason)
    return Deadline(due=due, guaranteed=True, basis=basis)


def escalation_schedule(
    book: CalendarBook,
    *,
    theatre: str,
    week: str | None,
    plan: PlanName,
    priority: str,
    opened: datetime,
    pauses: Sequence[Window] = (),
) -> list[EscalationAt]:
    """Who is told when (guide §4.3): business hours since opening, on the plan's calendar, so
    escalations never fire outside it."""
    business = book.for_plan(theatre, week, plan)
    steps = book.policy.escalation[priority]  # type: ignore[index]  # checked by the caller
    return [
        EscalationAt(
            at=business.add(opened, timedelta(hours=step.after_hours), pauses),
            to=step.to,
            after_hours=step.after_hours,
        )
        for step in steps
    ]
