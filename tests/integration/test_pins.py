"""On-call PINs (guide §6.1): argon2 hash only, audited attempts, lockout, idempotent retries."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from core.adapters.orm import pin_attempts
from core.bootstrap import Frontdoor
from core.services import ServiceError, UnknownContract, set_pin, verify_pin

from .helpers import add_contract, all_stored_text, iso

PIN = "97531"
T0 = iso("2026-06-08T23:00:00+02:00")


@pytest.fixture
def fd(frontdoor: Frontdoor) -> Frontdoor:
    add_contract(frontdoor, "4001", plan="platinum")
    set_pin(frontdoor.uow(), frontdoor.policy, "4001", PIN)
    return frontdoor


def attempt(fd: Frontdoor, pin: str, at: datetime = T0, **kw: str) -> str:
    return verify_pin(fd.uow(), fd.policy, "4001", pin, at=at, caller="+390584000001", **kw)


def results(fd: Frontdoor) -> list[str]:
    with fd.engine.connect() as connection:
        query = select(pin_attempts.c.result).order_by(pin_attempts.c.id)
        return list(connection.execute(query).scalars())


def test_the_right_pin_is_accepted_and_a_wrong_one_refused(fd: Frontdoor) -> None:
    """ok for the PIN, wrong for anything else (including non-digits)."""
    assert attempt(fd, PIN) == "ok"
    assert attempt(fd, "12345") == "wrong"
    assert attempt(fd, "97531#") == "wrong"
    assert results(fd) == ["ok", "wrong", "wrong"]


def test_the_pin_is_never_stored_in_any_column(fd: Frontdoor) -> None:
    """Only the argon2 hash is stored; attempts audit caller and result, never the digits."""
    attempt(fd, PIN, call_sid="CA123")
    attempt(fd, "24680", call_sid="CA123")
    stored = all_stored_text(fd)
    assert not any(PIN in value or "24680" in value for value in stored)
    assert any(value.startswith("$argon2id$") for value in stored)


def test_five_failures_lock_the_contract_for_fifteen_minutes(fd: Frontdoor) -> None:
    """After max_failures wrong PINs within the window even the right PIN is locked out,
    until lockout_minutes have passed."""
    for minute in range(5):
        assert attempt(fd, "11111", T0 + timedelta(minutes=minute)) == "wrong"
    assert attempt(fd, PIN, T0 + timedelta(minutes=5)) == "locked"
    assert attempt(fd, PIN, T0 + timedelta(minutes=18, seconds=59)) == "locked"
    assert attempt(fd, PIN, T0 + timedelta(minutes=19)) == "ok"
    assert results(fd) == ["wrong"] * 5 + ["locked", "locked", "ok"]


def test_failures_spread_beyond_the_window_do_not_lock(fd: Frontdoor) -> None:
    """Only failures within failure_window_minutes count."""
    for step in range(6):
        assert attempt(fd, "11111", T0 + timedelta(minutes=4 * step)) == "wrong"
    assert attempt(fd, PIN, T0 + timedelta(minutes=25)) == "ok"


def test_a_success_resets_the_failure_count(fd: Frontdoor) -> None:
    """Four failures, a success, four failures: no lockout."""
    for minute in range(4):
        attempt(fd, "11111", T0 + timedelta(minutes=minute))
    assert attempt(fd, PIN, T0 + timedelta(minutes=4)) == "ok"
    for minute in range(5, 9):
        attempt(fd, "11111", T0 + timedelta(minutes=minute))
    assert attempt(fd, PIN, T0 + timedelta(minutes=9)) == "ok"


def test_a_retried_attempt_with_the_same_key_counts_once(fd: Frontdoor) -> None:
    """A re-delivered webhook gets the first answer and adds no audit row."""
    assert attempt(fd, "11111", attempt_key="CA1:1") == "wrong"
    assert attempt(fd, PIN, attempt_key="CA1:1") == "wrong"
    assert results(fd) == ["wrong"]


def test_a_contract_without_pin_answers_no_pin(frontdoor: Frontdoor) -> None:
    """No PIN set (or no such contract): no_pin, still audited."""
    add_contract(frontdoor, "4002", plan="platinum")
    assert verify_pin(frontdoor.uow(), frontdoor.policy, "4002", PIN, at=T0, caller="x") == "no_pin"
    assert verify_pin(frontdoor.uow(), frontdoor.policy, "9999", PIN, at=T0, caller="x") == "no_pin"
    assert results(frontdoor) == ["no_pin", "no_pin"]


def test_setting_a_new_pin_replaces_the_old_one_and_unlocks(fd: Frontdoor) -> None:
    """set_pin again: the old PIN stops working, a lockout is lifted."""
    for minute in range(5):
        attempt(fd, "11111", T0 + timedelta(minutes=minute))
    set_pin(fd.uow(), fd.policy, "4001", "8642", at=T0 + timedelta(minutes=5))
    assert attempt(fd, PIN, T0 + timedelta(minutes=6)) == "wrong"
    assert attempt(fd, "8642", T0 + timedelta(minutes=7)) == "ok"


@pytest.mark.parametrize("bad", ["123", "123456789", "12a4", "", "١٢٣٤"])
def test_a_pin_must_be_four_to_eight_ascii_digits(fd: Frontdoor, bad: str) -> None:
    """policy on_call.pin: min_digits 4, max_digits 8."""
    with pytest.raises(ServiceError, match="4 to 8 digits"):
        set_pin(fd.uow(), fd.policy, "4001", bad)


def test_setting_a_pin_on_an_unknown_contract_fails(fd: Frontdoor) -> None:
    """The contract must exist."""
    with pytest.raises(UnknownContract):
        set_pin(fd.uow(), fd.policy, "9999", "1234")
