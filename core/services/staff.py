"""Staff accounts and sign-in for the staff console (issue #5).

Passwords are hashed with argon2id (memory-hard). Failed sign-ins are counted per name in the
database, so that every worker applies the same limits: after ``free_failures`` the next try
must wait (doubling, up to ``max_delay``), after ``lock_after`` the name is locked for
``lock_for``. A name that does not exist is counted and timed like one that does.
"""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.model import STAFF_ROLES, SignInThrottle, StaffAccount
from core.repository import DuplicateError
from core.services.errors import ServiceError
from core.unit_of_work import AbstractUnitOfWork, transactional

MIN_PASSWORD_LENGTH = 12
_dummy_hashes: dict[int, str] = {}


@dataclass(frozen=True)
class ThrottleRules:
    free_failures: int = 3
    max_delay: timedelta = timedelta(seconds=60)
    lock_after: int = 8
    lock_for: timedelta = timedelta(minutes=15)
    forget_after: timedelta = timedelta(hours=1)  # a quiet hour clears the count


@dataclass(frozen=True)
class SignIn:
    """The answer to a sign-in: ``ok`` with the account, ``wrong``, or ``wait`` until
    ``retry_at`` (no password was checked)."""

    status: Literal["ok", "wrong", "wait"]
    account: StaffAccount | None = None
    retry_at: datetime | None = None


def normalise_email(email: str) -> str:
    """The sign-in name as stored: trimmed and casefolded; :class:`ServiceError` if not an
    e-mail address."""
    value = email.strip().casefold()
    local, _, domain = value.partition("@")
    if not local or "." not in domain or len(value) > 254 or any(c.isspace() for c in value):
        raise ServiceError(f"{email!r} is not an e-mail address")
    return value


def generate_password() -> str:
    """A random password of 20 URL-safe characters (about 120 bits)."""
    return secrets.token_urlsafe(15)


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    return password


@transactional
def add_staff(
    uow: AbstractUnitOfWork,
    *,
    email: str,
    role: str,
    password: str,
    at: datetime,
    hasher: PasswordHasher | None = None,
) -> StaffAccount:
    """Create an account; :class:`ServiceError` for a bad role, a short password or a taken
    e-mail."""
    if role not in STAFF_ROLES:
        raise ServiceError(f"unknown role {role!r}; expected one of: {', '.join(STAFF_ROLES)}")
    password_hash = (hasher or PasswordHasher()).hash(check_password(password))
    account = StaffAccount(normalise_email(email), role, password_hash, created_at=at)
    try:
        with uow.savepoint():
            uow.staff.add(account)
    except DuplicateError:
        raise ServiceError(f"{account.email} already has an account") from None
    return account


@transactional
def list_staff(uow: AbstractUnitOfWork) -> list[StaffAccount]:
    return uow.staff.list()


@transactional
def get_staff(uow: AbstractUnitOfWork, account_id: int) -> StaffAccount | None:
    return uow.staff.get_by_id(account_id)


@transactional
def set_active(uow: AbstractUnitOfWork, account_id: int, *, active: bool) -> StaffAccount:
    """Enable or disable an account (a disabled account cannot sign in; its sessions end)."""
    account = uow.staff.get_by_id(account_id)
    if account is None:
        raise ServiceError(f"no staff account {account_id}")
    account.active = active
    return account


@transactional
def sign_in(
    uow: AbstractUnitOfWork,
    email: str,
    password: str,
    *,
    at: datetime,
    rules: ThrottleRules | None = None,
    hasher: PasswordHasher | None = None,
) -> SignIn:
    """Check a password at ``at``, applying and updating the failure count of the name."""
    rules, hasher = rules or ThrottleRules(), hasher or PasswordHasher()
    throttle = uow.staff.throttle(email.strip().casefold()[:254])  # locked: tries queue here
    if throttle.retry_at is not None and at < throttle.retry_at:
        return SignIn("wait", retry_at=throttle.retry_at)
    account = uow.staff.get(throttle.key)
    if _password_matches(hasher, account, password):
        clear_failures(throttle)
        return SignIn("ok", account=account)
    count_failure(rules, throttle, at)
    return SignIn("wrong", retry_at=throttle.retry_at)


def _password_matches(hasher: PasswordHasher, account: StaffAccount | None, password: str) -> bool:
    if account is None or not account.active:
        _spend_time(hasher, password)
        return False
    try:
        return bool(hasher.verify(account.password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def _spend_time(hasher: PasswordHasher, password: str) -> None:
    """Verify against a dummy hash, so that an unknown name answers as slowly as a known one."""
    dummy = _dummy_hashes.get(id(hasher))
    if dummy is None:
        dummy = _dummy_hashes[id(hasher)] = hasher.hash(generate_password())
    with contextlib.suppress(VerificationError, InvalidHashError):
        hasher.verify(dummy, password)


def count_failure(rules: ThrottleRules, throttle: SignInThrottle, at: datetime) -> None:
    """One more failure (a quiet ``forget_after`` clears the earlier ones), and the instant
    before which no further try is checked."""
    last = throttle.last_failure_at
    recent = last is not None and at - last < rules.forget_after
    throttle.failures = (throttle.failures if recent else 0) + 1
    throttle.last_failure_at = at
    throttle.retry_at = _retry_at(rules, throttle.failures, at)


def clear_failures(throttle: SignInThrottle) -> None:
    throttle.failures, throttle.retry_at = 0, None


def _retry_at(rules: ThrottleRules, failures: int, at: datetime) -> datetime | None:
    if failures >= rules.lock_after:
        return at + rules.lock_for
    if failures <= rules.free_failures:
        return None
    delay = timedelta(seconds=2 ** (failures - rules.free_failures - 1))
    return at + min(delay, rules.max_delay)
