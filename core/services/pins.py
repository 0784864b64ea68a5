"""On-call PINs (guide §6.1: phone with the PIN given at purchase; policy ``on_call.pin``).

Only an argon2 hash of the PIN is stored. Every attempt is audited (never the PIN itself); after
``max_failures`` wrong PINs within ``failure_window_minutes`` the contract is locked for
``lockout_minutes``. An attempt retried with the same ``attempt_key`` (a re-delivered webhook)
is answered from the audit row and not counted twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core import metrics
from core.model import OnCallPin, PinAttempt
from core.policy import Policy
from core.services.errors import ServiceError, UnknownContract
from core.unit_of_work import AbstractUnitOfWork, transactional

PinResult = Literal["ok", "wrong", "locked", "no_pin"]


def check_pin_format(policy: Policy, pin: str) -> str:
    """The PIN if it has ``min_digits``..``max_digits`` digits, else :class:`ServiceError`."""
    rules = policy.on_call.pin
    if (
        not (pin.isascii() and pin.isdigit())
        or not rules.min_digits <= len(pin) <= rules.max_digits
    ):
        raise ServiceError(f"a PIN is {rules.min_digits} to {rules.max_digits} digits")
    return pin


@transactional
def set_pin(
    uow: AbstractUnitOfWork,
    policy: Policy,
    contract_code: str,
    pin: str,
    *,
    at: datetime | None = None,
    hasher: PasswordHasher | None = None,
) -> None:
    """Give a contract its on-call PIN, replacing any previous one and clearing the lockout
    and the failure counter (failures before ``at``, when given, no longer count)."""
    pin_hash = (hasher or PasswordHasher()).hash(check_pin_format(policy, pin))
    contract = uow.contracts.get(contract_code)
    if contract is None or contract.id is None:
        raise UnknownContract(contract_code)
    record = uow.pins.get(contract.id, lock=True)
    if record is None:
        uow.pins.add(OnCallPin(contract_id=contract.id, pin_hash=pin_hash, set_at=at))
    else:
        record.pin_hash, record.set_at = pin_hash, at
        record.locked_until, record.failures = None, 0


@transactional
def pin_matches(uow: AbstractUnitOfWork, contract_code: str, pin: str) -> bool:
    """True when the contract's stored PIN is ``pin`` (no audit, no counting: for tooling)."""
    contract = uow.contracts.get(contract_code)
    record = uow.pins.get(contract.id) if contract and contract.id else None
    return record is not None and _matches(record, pin)


@transactional
def verify_pin(
    uow: AbstractUnitOfWork,
    policy: Policy,
    contract_code: str,
    pin: str,
    *,
    at: datetime,
    caller: str,
    call_sid: str | None = None,
    attempt_key: str | None = None,
) -> PinResult:
    """Check a PIN typed by a caller at ``at``, audit the attempt, apply the lockout. The PIN
    record's row is locked first: concurrent attempts on one contract are checked one after the
    other, each seeing the failures counted before it."""
    contract = uow.contracts.get(contract_code)
    contract_id = contract.id if contract else None
    record = uow.pins.get(contract_id, lock=True) if contract_id else None
    if attempt_key is not None:
        earlier = uow.pins.attempt_by_key(attempt_key)
        if earlier is not None:
            return _result(earlier.result)
    lock_before = record.locked_until if record else None
    result = _check(uow, policy, record, pin, at)
    uow.pins.add_attempt(PinAttempt(contract_id, at, caller, result, call_sid, attempt_key))
    locked_now = record is not None and record.locked_until != lock_before
    metrics.pin_attempt(uow, result, locked_out=result == "wrong" and locked_now)
    return result


def _check(
    uow: AbstractUnitOfWork, policy: Policy, record: OnCallPin | None, pin: str, at: datetime
) -> PinResult:
    if record is None:
        return "no_pin"
    if record.locked_until is not None and at < record.locked_until:
        return "locked"
    if _matches(record, pin):
        record.failures = 0
        return "ok"
    rules = policy.on_call.pin
    record.failures = _recent_failures(uow, policy, record, at) + 1
    if record.failures >= rules.max_failures:
        record.locked_until = at + timedelta(minutes=rules.lockout_minutes)
    return "wrong"


def _matches(record: OnCallPin, pin: str) -> bool:
    if not (pin.isascii() and pin.isdigit()):
        return False
    try:
        return bool(PasswordHasher().verify(record.pin_hash, pin))
    except (VerificationError, InvalidHashError):
        return False


def _recent_failures(
    uow: AbstractUnitOfWork, policy: Policy, record: OnCallPin, at: datetime
) -> int:
    """Wrong PINs in the failure window (sliding, from the audit), after the last success,
    after any past lockout and after the PIN was last set."""
    since = at - timedelta(minutes=policy.on_call.pin.failure_window_minutes)
    for later in (record.locked_until, record.set_at):
        since = max(since, later) if later is not None else since
    failures = 0
    for attempt in uow.pins.attempts_since(record.contract_id, since):
        failures = 0 if attempt.result == "ok" else failures + (attempt.result == "wrong")
    return failures


def _result(value: str) -> PinResult:
    if value not in ("ok", "wrong", "locked", "no_pin"):
        raise ServiceError(f"unexpected stored PIN result {value!r}")
    return value  # type: ignore[return-value]
