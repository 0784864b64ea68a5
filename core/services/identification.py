"""Chat identification by customer code and e-mail address, with a limit on guessing.

Without a Help Center token the chat asks for the customer code and a registered e-mail
address (issue #4). Failed pairs are counted in the database, per code and per address (every
worker and every conversation shares the counts, so a new conversation does not start afresh):
after ``free_failures`` the next try waits (doubling, up to ``max_delay``), after ``lock_after``
the code or address is refused for ``lock_for``; a match clears both counts. Rules as the staff
sign-in's (:mod:`core.services.staff`), stricter, since a customer can always sign in to the
Help Center or call instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from core.model import Contract
from core.services.contracts import find_contract_by_code_and_email
from core.services.staff import ThrottleRules, count_failure
from core.unit_of_work import AbstractUnitOfWork

CHAT_RULES = ThrottleRules(
    free_failures=3,
    max_delay=timedelta(minutes=2),
    lock_after=6,
    lock_for=timedelta(minutes=30),
    forget_after=timedelta(hours=1),
)


@dataclass(frozen=True)
class Identification:
    """``ok`` with the contract, ``wrong``, or ``wait`` until ``retry_at`` (nothing checked)."""

    status: Literal["ok", "wrong", "wait"]
    contract: Contract | None = None
    retry_at: datetime | None = None


def identify_contact(
    uow: AbstractUnitOfWork,
    code: str,
    email: str,
    *,
    at: datetime,
    rules: ThrottleRules = CHAT_RULES,
) -> Identification:
    """Check a typed customer code and e-mail address at ``at`` (one transaction)."""
    keys = (f"chat-code:{code.strip()[:40]}", f"chat-email:{email.strip().casefold()[:200]}")
    with uow:
        throttles = [uow.staff.throttle(key) for key in keys]
        waits = [t.retry_at for t in throttles if t and t.retry_at and at < t.retry_at]
        if waits:
            return Identification("wait", retry_at=max(waits))
        contract = find_contract_by_code_and_email(uow, code, email)
        if contract is not None:
            for throttle in throttles:
                if throttle is not None:
                    throttle.failures, throttle.retry_at = 0, None
            uow.commit()
            return Identification("ok", contract=contract)
        counted = [
            count_failure(uow, rules, k, t, at) for k, t in zip(keys, throttles, strict=True)
        ]
        uow.commit()
        retry = [t.retry_at for t in counted if t.retry_at is not None]
        return Identification("wrong", retry_at=max(retry) if retry else None)
