"""Identification by customer code, with one limit on guessing for the phone and the chat.

A caller types a customer code on the phone; a chat user without a Help Center token types a
customer code and a registered e-mail address. Wrong tries are counted in the database (every
worker, call and conversation shares the counts, so a new call or conversation does not start
afresh) per customer code and per caller number or e-mail address, with the numbers of the
policy's ``identification`` section: after ``free_failures`` the next try waits (doubling, up to
``max_delay_seconds``), after ``lock_after`` the code, number or address is refused for
``lock_minutes``; a match clears the counts. The counters' rows are locked while a try is
checked, so concurrent tries are counted one after the other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from core import metrics
from core.model import Contract, SignInThrottle
from core.policy import Policy
from core.services.contracts import find_contract, find_contract_by_code_and_email
from core.services.staff import ThrottleRules, clear_failures, count_failure
from core.unit_of_work import AbstractUnitOfWork, transactional


@dataclass(frozen=True)
class Identification:
    """``ok`` with the contract, ``wrong``, or ``wait`` until ``retry_at`` (nothing checked)."""

    status: Literal["ok", "wrong", "wait"]
    contract: Contract | None = None
    retry_at: datetime | None = None


def throttle_rules(policy: Policy) -> ThrottleRules:
    rules = policy.identification
    return ThrottleRules(
        free_failures=rules.free_failures,
        max_delay=timedelta(seconds=rules.max_delay_seconds),
        lock_after=rules.lock_after,
        lock_for=timedelta(minutes=rules.lock_minutes),
        forget_after=timedelta(minutes=rules.forget_after_minutes),
    )


@transactional
def identify_contact(
    uow: AbstractUnitOfWork, policy: Policy, code: str, email: str, *, at: datetime
) -> Identification:
    """Check a customer code and e-mail address typed in the chat at ``at``."""
    keys = (_code_key(code), f"email:{email.strip().casefold()[:200]}")
    found = _identify(
        uow, policy, keys, at, lambda: find_contract_by_code_and_email(uow, code, email)
    )
    metrics.identification(uow, "chat", found.status)
    return found


@transactional
def identify_caller(
    uow: AbstractUnitOfWork, policy: Policy, code: str, caller: str, *, at: datetime
) -> Identification:
    """Check a customer code typed on the phone by ``caller`` (their number) at ``at``."""
    keys = (_code_key(code), f"caller:{caller.strip()[:64]}")
    found = _identify(uow, policy, keys, at, lambda: find_contract(uow, code.strip()))
    metrics.identification(uow, "phone", found.status)
    return found


def _code_key(code: str) -> str:
    return f"code:{code.strip()[:40]}"


def _identify(
    uow: AbstractUnitOfWork,
    policy: Policy,
    keys: tuple[str, ...],
    at: datetime,
    find: Callable[[], Contract | None],
) -> Identification:
    throttles: list[SignInThrottle] = [uow.staff.throttle(key) for key in sorted(keys)]
    waits = [t.retry_at for t in throttles if t.retry_at and at < t.retry_at]
    if waits:
        return Identification("wait", retry_at=max(waits))
    contract = find()
    if contract is not None:
        for throttle in throttles:
            clear_failures(throttle)
        return Identification("ok", contract=contract)
    rules = throttle_rules(policy)
    for throttle in throttles:
        count_failure(rules, throttle, at)
    retry = [t.retry_at for t in throttles if t.retry_at is not None]
    return Identification("wrong", retry_at=max(retry) if retry else None)
