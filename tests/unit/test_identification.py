"""Chat identification by typed customer code and e-mail: the limit on guessing."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta

import pytest

from core.demo import load_demo
from core.policy import load_policy
from core.services import identify_contact
from core.testing import FakeUnitOfWork

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
POLICY = load_policy()
RIGHT = ("1002", "operator1002@customer.example")


@pytest.fixture(scope="module")
def demo() -> FakeUnitOfWork:
    store = FakeUnitOfWork()
    load_demo(store, date(2026, 11, 24))
    return store


@pytest.fixture
def uow(demo: FakeUnitOfWork) -> FakeUnitOfWork:
    return copy.deepcopy(demo)


def attempt(uow: FakeUnitOfWork, code: str, email: str, minutes: float = 0) -> str:
    return identify_contact(uow, POLICY, code, email, at=T0 + timedelta(minutes=minutes)).status


def test_a_registered_pair_identifies_the_contract(uow: FakeUnitOfWork) -> None:
    found = identify_contact(uow, POLICY, *RIGHT, at=T0)
    assert found.status == "ok" and found.contract is not None
    assert found.contract.code == "1002"


def test_after_six_wrong_addresses_for_a_code_even_the_right_one_waits(
    uow: FakeUnitOfWork,
) -> None:
    """Guessing addresses for one code: three free failures, then waits, then the code is
    refused for 30 minutes whatever address comes next, in any conversation."""
    for i in range(6):
        assert attempt(uow, "1002", f"guess{i}@customer.example", minutes=i * 3) == "wrong"
    assert attempt(uow, *RIGHT, minutes=16) == "wait"
    assert attempt(uow, *RIGHT, minutes=15 + 31) == "ok"


def test_guessing_codes_for_one_address_is_limited_too(uow: FakeUnitOfWork) -> None:
    for i in range(6):
        assert attempt(uow, f"90{i:02d}", "operator1002@customer.example", minutes=i * 3) == "wrong"
    assert attempt(uow, *RIGHT, minutes=16) == "wait"


def test_a_try_too_soon_after_the_fourth_failure_waits_and_is_not_checked(
    uow: FakeUnitOfWork,
) -> None:
    for i in range(4):
        assert attempt(uow, "1002", f"guess{i}@customer.example") == "wrong"
    assert attempt(uow, *RIGHT) == "wait"  # the fourth failure asks for one second
    assert attempt(uow, *RIGHT, minutes=0.1) == "ok"


def test_a_success_clears_the_count(uow: FakeUnitOfWork) -> None:
    for i in range(3):
        attempt(uow, "1002", f"guess{i}@customer.example")
    assert attempt(uow, *RIGHT) == "ok"
    for i in range(3):
        assert attempt(uow, "1002", f"again{i}@customer.example", minutes=1) == "wrong"
    assert attempt(uow, *RIGHT, minutes=1) == "ok"  # three free failures again: no wait
