"""The counters an operator alerts on, at the services' decision points (in-memory fakes): what
is committed counts once, what is rolled back or replayed does not."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from prometheus_client import REGISTRY

from core.calendar import CalendarBook
from core.demo import load_demo
from core.helpdesk import HelpdeskError, RemoteEvent, RemoteTicket
from core.model import Contract
from core.policy import Policy
from core.services import Case, identify_caller, set_pin, submit_case, verify_pin
from core.services.helpdesk_sync import sync_once
from core.settings import OutboxSettings
from core.testing import FakeNotifier, FakeUnitOfWork
from core.worker import OutboxWorker

MONDAY_10 = datetime.fromisoformat("2026-11-23T10:00:00+01:00")
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def counted(name: str, **labels: str) -> float:
    """The current value of one sample of the default registry (0 when never counted)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


class Delta:
    """The change of samples between the start of a test and a later reading."""

    def __init__(self, *samples: tuple[str, dict[str, str]]) -> None:
        self.samples = samples
        self.before = [counted(name, **labels) for name, labels in samples]

    def __call__(self) -> list[float]:
        now = [counted(name, **labels) for name, labels in self.samples]
        return [after - before for after, before in zip(now, self.before, strict=True)]


def case(contract: Contract, key: str = "phone:CA1", **fields: object) -> Case:
    return Case(
        channel="phone",
        conversation_id=key.split(":")[-1],
        at=MONDAY_10,
        contract=contract,
        priority="P2",
        language="en",
        summary="switchboard down",
        idempotency_key=key,
        **fields,  # type: ignore[arg-type]
    )


def stored(contract: Contract) -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    uow.contracts.add(contract)
    return uow


OPENED = (
    "frontdoor_tickets_opened_total",
    {"channel": "phone", "priority": "P2", "theatre": "europe"},
)
DECIDED = (
    "frontdoor_cases_total",
    {"channel": "phone", "outcome": "open_ticket", "reason": "ok"},
)


def test_a_committed_case_counts_its_decision_and_its_ticket_once(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """Gold P2, Monday 10:00 in Rome: one case open_ticket, one ticket (phone, P2, europe)."""
    gold = contract()
    delta = Delta(DECIDED, OPENED)
    intake = submit_case(stored(gold), book, case(gold))
    assert intake.decision.reason == DECIDED[1]["reason"]
    assert delta() == [1, 1]


def test_a_retried_delivery_returning_the_same_ticket_opens_no_second_count(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """The same idempotency key twice: two decisions, one ticket counted."""
    gold = contract()
    uow = stored(gold)
    delta = Delta(DECIDED, OPENED)
    submit_case(uow, book, case(gold))
    submit_case(uow, book, case(gold))
    assert delta() == [2, 1]


def test_a_step_rolled_back_counts_nothing(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """A webhook step that fails after the decision is not committed: no case, no ticket."""
    gold = contract()
    uow = stored(gold)
    delta = Delta(DECIDED, OPENED)
    with uow:
        submit_case(uow, book, case(gold))
    assert delta() == [0, 0]


def test_a_refusal_counts_its_reason_and_no_ticket(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """An expired contract: refuse/contract_expired, no ticket."""
    expired = contract(ends=date(2026, 6, 30))
    refused = (
        "frontdoor_cases_total",
        {**DECIDED[1], "outcome": "refuse", "reason": "contract_expired"},
    )
    delta = Delta(refused, OPENED)
    submit_case(stored(expired), book, case(expired))
    assert delta() == [1, 0]


def test_wrong_pins_count_each_attempt_and_the_lockout_once(
    policy: Policy, contract: Callable[..., Contract]
) -> None:
    """Five wrong PINs lock the contract: five ``wrong``, one lockout; then ``locked``."""
    platinum = contract(code="4001", plan="platinum")
    uow = stored(platinum)
    set_pin(uow, policy, "4001", "97531", hasher=FAST)
    pins = ("frontdoor_pin_attempts_total", {"result": "wrong"})
    locked = ("frontdoor_pin_attempts_total", {"result": "locked"})
    delta = Delta(pins, locked, ("frontdoor_pin_lockouts_total", {}))
    for minute in range(6):
        at = MONDAY_10 + timedelta(minutes=minute)
        verify_pin(uow, policy, "4001", "11111", at=at, caller="+390584000001")
    assert delta() == [5, 1, 1]


def test_a_caller_made_to_wait_counts_as_an_identification_throttle(policy: Policy) -> None:
    """Wrong customer codes from one number: the try made to wait is a throttle."""
    uow = FakeUnitOfWork()
    load_demo(uow, date(2026, 11, 23))
    throttled = ("frontdoor_identification_throttles_total", {"channel": "phone"})
    wrong = ("frontdoor_identifications_total", {"channel": "phone", "status": "wrong"})
    delta = Delta(throttled, wrong)
    statuses = [
        identify_caller(uow, policy, f"99{n:02d}", "+447700900113", at=MONDAY_10).status
        for n in range(policy.identification.free_failures + 2)
    ]
    assert statuses.count("wait") >= 1
    assert delta() == [statuses.count("wait"), statuses.count("wrong")]


def test_the_worker_counts_notifications_by_outcome_and_one_breach_per_ticket(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """A Gold P2 left a week untaken: every row sent, and the deadline missed counted once
    (however many people the breach e-mail goes to)."""
    gold = contract()
    uow, notifier = stored(gold), FakeNotifier()
    submit_case(uow, book, case(gold))
    later = MONDAY_10 + timedelta(days=7)
    worker = OutboxWorker(
        lambda: uow, book, notifier, OutboxSettings(), base_url="https://x", clock=lambda: later
    )
    breach = ("frontdoor_sla_breaches_total", {"theatre": "europe", "priority": "P2"})
    sent = (
        "frontdoor_notifications_total",
        {"kind": "breach", "channel": "email", "status": "sent"},
    )
    delta = Delta(breach, sent)
    report = worker.run_once()
    breach_rows = [e for e in uow.outbox.items if e.kind == "breach"]
    assert len(breach_rows) > 1 and len(report.sent) == len(uow.outbox.items)
    assert delta() == [1, len(breach_rows)]
    worker.until_next_due(60)
    assert counted("frontdoor_outbox_lag_seconds") == 0  # nothing left overdue


class _DownHelpdesk:
    def changed_since(self, since: datetime | None) -> list[RemoteTicket]:
        raise HelpdeskError("connection refused")

    def events(self, ref: str) -> list[RemoteEvent]:  # pragma: no cover - never reached
        return []


class _Cursor:
    def get(self) -> datetime | None:
        return None

    def set(self, value: datetime) -> None:  # pragma: no cover - never reached
        pass


def test_a_helpdesk_that_cannot_be_listed_counts_a_sync_error(book: CalendarBook) -> None:
    """Request Tracker down: the round fails, and ``list`` errors go up by one."""
    delta = Delta(("frontdoor_helpdesk_sync_errors_total", {"stage": "list"}))
    with pytest.raises(HelpdeskError):
        sync_once(FakeUnitOfWork, book, _DownHelpdesk(), _Cursor())
    assert delta() == [1]
