"""Benchmark of the core engine, single core: SLA deadlines per second and decisions per second.

Run: ``make bench`` (or ``.venv/bin/python bench/bench_core.py [--seconds 3]``). Inputs are random
but seeded: instants spread over 2026-2027 in every theatre, week and plan, amounts up to 40
business hours (the longest escalation step), so calendars cross nights, weekends, holidays and
daylight-saving changes. Prints one JSON object; the README records the figures.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from core.calendar import CalendarBook
from core.decision import TOPICS, Request, decide
from core.model import Contract, Customer
from core.policy import PRIORITIES, load_policy
from core.sla import response_deadline


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _rate(fn: Callable[[int], object], n_inputs: int, seconds: float) -> float:
    """Calls per second of ``fn(i)`` cycling over the inputs for about ``seconds``."""
    for i in range(min(n_inputs, 2000)):  # warm the per-day interval caches
        fn(i)
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(1000):
            fn(calls % n_inputs)
            calls += 1
    return calls / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    args = parser.parse_args()
    policy = load_policy()
    book = CalendarBook(policy)
    rng = random.Random(20261123)
    combos = [
        (theatre, week, plan)
        for theatre, th in policy.theatres.items()
        for week in th.weeks
        for plan in ("basic", "gold", "platinum")
    ]
    span = int(timedelta(days=730).total_seconds())
    base = datetime(2026, 1, 1, tzinfo=UTC)
    instants = [base + timedelta(seconds=rng.randrange(span)) for _ in range(20000)]
    amounts = [timedelta(minutes=rng.randrange(1, 40 * 60 + 1)) for _ in range(20000)]
    picks = [rng.choice(combos) for _ in range(20000)]
    calendars = [book.for_plan(*pick) for pick in picks]

    def add(i: int) -> object:
        return calendars[i].add(instants[i], amounts[i])

    priorities = [rng.choice(PRIORITIES) for _ in range(20000)]

    def deadline(i: int) -> object:
        theatre, week, plan = picks[i]
        return response_deadline(
            book,
            theatre=theatre,
            week=week,
            plan=plan,
            priority=priorities[i],
            opened=instants[i],
            channel="phone",
            language_class="main",
        )

    contracts = [
        Contract(
            code=str(1000 + n),
            customer=Customer(name=f"Customer {n}"),
            plan=plan,
            licence="subscription",
            theatre=theatre,
            week=week,
            starts=date(2025, 1, 1),
            ends=date(2028, 12, 31),
            end_user_support=plan != "basic",
            timezone=policy.theatres[theatre].timezone,
        )
        for n, (theatre, week, plan) in enumerate(combos)
    ]
    requests = [
        Request(
            contract=rng.choice(contracts),
            channel=rng.choice(("phone", "chat", "web", "email")),
            at=instants[i],
            priority=priorities[i],
            language=rng.choice(tuple(policy.languages)),
            requester=rng.choice(("admin", "partner", "end_user")),
            topic=rng.choice(TOPICS[:1] * 6 + TOPICS),
            pin_verified=rng.random() < 0.5,
        )
        for i in range(20000)
    ]

    def decision(i: int) -> object:
        return decide(book, requests[i])

    result = {
        "machine": {"cpu": _cpu(), "python": platform.python_version(), "cores_used": 1},
        "deadline_additions_per_s": round(_rate(add, 20000, args.seconds)),
        "sla_deadlines_per_s": round(_rate(deadline, 20000, args.seconds)),
        "decisions_per_s": round(_rate(decision, 20000, args.seconds)),
        "target_deadlines_per_s": 20000,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
