"""Staff accounts and sign-in throttling with the in-memory fakes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from core.services import ServiceError, add_staff, set_active, sign_in
from core.services.staff import ThrottleRules, normalise_email
from core.testing import FakeUnitOfWork

T0 = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)
HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
GOOD = "correct horse battery"


@pytest.fixture
def uow() -> FakeUnitOfWork:
    fake = FakeUnitOfWork()
    add_staff(fake, email="Ann@Example.com", role="agent", password=GOOD, at=T0, hasher=HASHER)
    return fake


def attempt(
    uow: FakeUnitOfWork, password: str, seconds: float = 0, email: str = "ann@example.com"
) -> str:
    at = T0 + timedelta(seconds=seconds)
    return sign_in(uow, email, password, at=at, hasher=HASHER).status


def test_the_right_password_signs_in_whatever_the_case_of_the_email(uow: FakeUnitOfWork) -> None:
    """E-mails are stored casefolded; the password is checked against its argon2 hash."""
    assert attempt(uow, GOOD, email=" ANN@example.COM ") == "ok"
    assert uow.staff.items[0].password_hash.startswith("$argon2id$")


def test_three_failures_are_free_then_each_try_waits_longer(uow: FakeUnitOfWork) -> None:
    """Failures 4, 5, 6 make the next try wait 1, 2, 4 seconds; a try too early is not even
    checked (the right password waits too)."""
    assert [attempt(uow, "wrong", n) for n in range(4)] == ["wrong"] * 4
    assert attempt(uow, GOOD, 3.5) == "wait"
    assert attempt(uow, "wrong", 4) == "wrong"  # 5th: 2 s
    assert attempt(uow, GOOD, 5.9) == "wait"
    assert attempt(uow, GOOD, 6) == "ok"


def test_eight_failures_lock_the_name_for_fifteen_minutes(uow: FakeUnitOfWork) -> None:
    """The lock holds for the right password too, and ends after 15 minutes."""
    for n in range(8):
        assert attempt(uow, "wrong", n * 61) == "wrong"
    locked_at = 7 * 61
    assert attempt(uow, GOOD, locked_at + 14 * 60) == "wait"
    assert attempt(uow, GOOD, locked_at + 15 * 60) == "ok"


def test_a_success_clears_the_count(uow: FakeUnitOfWork) -> None:
    """After a good sign-in the next failures are free again."""
    for n in range(3):
        attempt(uow, "wrong", n)
    assert attempt(uow, GOOD, 3) == "ok"
    assert [attempt(uow, "wrong", 4 + n) for n in range(3)] == ["wrong"] * 3
    assert attempt(uow, GOOD, 7) == "ok"


def test_a_quiet_hour_forgets_old_failures(uow: FakeUnitOfWork) -> None:
    """Failures older than ``forget_after`` no longer count."""
    for n in range(3):
        attempt(uow, "wrong", n)
    assert attempt(uow, "wrong", 3700) == "wrong"
    assert uow.staff.throttles["ann@example.com"].failures == 1


def test_unknown_names_are_counted_like_known_ones(uow: FakeUnitOfWork) -> None:
    """Guessing e-mails is throttled the same way (and answers the same)."""
    results = [attempt(uow, "x", n / 2, email="ghost@example.com") for n in range(5)]
    assert results == ["wrong", "wrong", "wrong", "wrong", "wait"]


def test_a_disabled_account_cannot_sign_in(uow: FakeUnitOfWork) -> None:
    """Disabling keeps the account but refuses its password."""
    account = uow.staff.items[0]
    assert account.id is not None
    set_active(uow, account.id, active=False)
    assert attempt(uow, GOOD) == "wrong"


@pytest.mark.parametrize(
    ("email", "role", "password", "message"),
    [
        ("a@b.io", "root", GOOD, "unknown role"),
        ("a@b.io", "agent", "short", "at least 12"),
        ("nobody", "agent", GOOD, "not an e-mail"),
        ("ann@example.com", "admin", GOOD, "already has an account"),
    ],
)
def test_bad_accounts_are_refused(
    uow: FakeUnitOfWork, email: str, role: str, password: str, message: str
) -> None:
    """Role, password length, e-mail shape and uniqueness are checked."""
    with pytest.raises(ServiceError, match=message):
        add_staff(uow, email=email, role=role, password=password, at=T0, hasher=HASHER)


def test_rules_are_configurable() -> None:
    """A stricter rule set locks sooner."""
    fake = FakeUnitOfWork()
    add_staff(fake, email="b@example.com", role="admin", password=GOOD, at=T0, hasher=HASHER)
    rules = ThrottleRules(free_failures=0, lock_after=2)
    first = sign_in(fake, "b@example.com", "x", at=T0, rules=rules, hasher=HASHER)
    second = sign_in(
        fake, "b@example.com", "x", at=T0 + timedelta(seconds=5), rules=rules, hasher=HASHER
    )
    assert first.retry_at == T0 + timedelta(seconds=1)
    assert second.retry_at == T0 + timedelta(seconds=5, minutes=15)
    assert normalise_email(" B@Example.com") == "b@example.com"
