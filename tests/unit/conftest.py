"""Fixtures for the unit tests: the shipped policy, its calendars, edited policies, contracts."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
import yaml

from core.calendar import BusinessCalendar, CalendarBook
from core.model import Contract, Customer, PlanName
from core.policy import DEFAULT_POLICY_PATH, Policy, load_policy, parse_policy


@pytest.fixture(scope="session")
def raw_policy() -> dict[str, Any]:
    """The shipped policy file as plain YAML data (copy it before editing)."""
    data: dict[str, Any] = yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy()


@pytest.fixture(scope="session")
def book(policy: Policy) -> CalendarBook:
    return CalendarBook(policy)


@pytest.fixture
def calendar(book: CalendarBook) -> Callable[..., BusinessCalendar]:
    """``calendar(theatre, plan, week=None)``: the shipped policy's calendar for that plan."""

    def make(theatre: str, plan: PlanName, week: str | None = None) -> BusinessCalendar:
        return book.for_plan(theatre, week, plan)

    return make


@pytest.fixture
def edited_policy(
    raw_policy: dict[str, Any],
) -> Callable[[Callable[[dict[str, Any]], None]], Policy]:
    """``edited_policy(edit)``: the shipped policy after ``edit`` changed a copy of its data."""

    def make(edit: Callable[[dict[str, Any]], None]) -> Policy:
        data = copy.deepcopy(raw_policy)
        edit(data)
        return parse_policy(data, "edited.yml")

    return make


@pytest.fixture
def contract() -> Callable[..., Contract]:
    """``contract(**fields)``: a paid Gold contract in Europe for 2026, overridable per field."""

    def make(**fields: Any) -> Contract:
        values: dict[str, Any] = {
            "code": "C-1",
            "customer": Customer("ACME"),
            "plan": "gold",
            "licence": "subscription",
            "theatre": "europe",
            "week": "mon-fri",
            "starts": date(2026, 1, 1),
            "ends": date(2026, 12, 31),
            "timezone": "Europe/Rome",
        }
        values.update(fields)
        return Contract(**values)

    return make
