"""Concurrency: many threads at once on one row, on SQLite (BEGIN IMMEDIATE) and PostgreSQL
(SELECT ... FOR UPDATE). Each thread has its own unit of work (or its own Flask test client);
a Barrier releases them together. Each test fails when the rows are not locked."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from core.adapters.orm import pin_attempts, tickets, transcripts, turns
from core.bootstrap import Frontdoor
from core.demo import load_demo
from core.services import (
    ThrottleRules,
    add_staff,
    open_ticket,
    set_pin,
    sign_in,
    verify_pin,
)
from core.services import pins as pins_module
from ivr import IvrSettings
from ivr.speakable import ticket_number
from phonesim import SIGNATURE_HEADER
from tests.e2e.conftest import DEMO_TODAY, DESK, NUMBERS, Ivr, make_ivr

from .helpers import add_contract, decision_for, iso

T = TypeVar("T")

THREADS = 20
JOIN_SECONDS = 60
T0 = iso("2026-06-08T23:00:00+02:00")
MON_10 = "2026-06-08T10:00:00+02:00"
PIN, WRONG_PIN = "97531", "11111"
STRANGER = "+15005550006"


def run_together[T](count: int, work: Callable[[int], T]) -> list[T]:
    """``work(i)`` in ``count`` threads released at once by a Barrier; the results in thread
    order. Fails if a thread raised or did not finish within JOIN_SECONDS."""
    barrier = threading.Barrier(count)
    results: dict[int, T] = {}
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=JOIN_SECONDS)
            results[index] = work(index)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_SECONDS)
    assert not [t for t in threads if t.is_alive()], "threads still running after the timeout"
    assert errors == []
    return [results[i] for i in range(count)]


class CountingHasher(PasswordHasher):
    """A PasswordHasher that counts (thread-safely) the passwords it verified."""

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.checks = 0
        self._lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        with self._lock:
            self.checks += 1
        return super().verify(hash, password)


# --- 1. wrong PINs of many calls at once -------------------------------------------------


def test_concurrent_wrong_pins_check_no_more_than_max_failures_then_lock_the_contract(
    frontdoor: Frontdoor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """20 calls typing a wrong PIN at once: at most max_failures PINs are checked, the rest
    are answered "locked", and the right PIN a minute later is refused as locked."""
    fd, rules = frontdoor, frontdoor.policy.on_call.pin
    add_contract(fd, "4001", plan="platinum")
    set_pin(fd.uow(), fd.policy, "4001", PIN)
    counting = CountingHasher()  # the shipped argon2 parameters: each check takes a while
    monkeypatch.setattr(pins_module, "PasswordHasher", lambda: counting)

    def wrong_pin(i: int) -> str:
        return verify_pin(
            fd.uow(),
            fd.policy,
            "4001",
            WRONG_PIN,
            at=T0,
            caller=f"+3905840000{i:02d}",
            call_sid=f"CA{i}",
            attempt_key=f"k{i}",
        )

    results = Counter(run_together(THREADS, wrong_pin))
    assert counting.checks <= rules.max_failures
    assert results == {"wrong": counting.checks, "locked": THREADS - counting.checks}
    assert results["wrong"] == rules.max_failures  # serialised: exactly the allowance
    right = verify_pin(
        fd.uow(), fd.policy, "4001", PIN, at=T0 + timedelta(minutes=1), caller="+390584000001"
    )
    assert right == "locked"
    assert counting.checks == rules.max_failures  # the locked right PIN was not checked either
    with fd.engine.connect() as connection:
        audited = connection.execute(select(func.count()).select_from(pin_attempts)).scalar_one()
    assert audited == THREADS + 1


# --- 2. wrong staff passwords from one address at once -----------------------------------

STAFF_EMAIL = "agent@example.com"
NOW = iso("2026-06-08T10:00:00+02:00")
SIGN_IN_THREADS = 30


@pytest.mark.parametrize(
    ("email", "earlier_failures"),
    [
        pytest.param(STAFF_EMAIL, 0, id="first-burst-of-a-known-address"),
        pytest.param(STAFF_EMAIL, 2, id="burst-after-two-failures"),
        pytest.param("nobody@example.com", 0, id="first-burst-of-an-unknown-address"),
    ],
)
def test_concurrent_wrong_sign_ins_check_no_more_passwords_than_the_throttle_allows(
    frontdoor: Frontdoor, email: str, earlier_failures: int
) -> None:
    """30 wrong passwords for one address at one instant: free_failures + 1 (less the earlier
    failures) are checked, every other try is answered "wait" unchecked; also for the first
    burst, when the address has no throttle row yet."""
    fd, rules = frontdoor, ThrottleRules()
    hasher = CountingHasher(time_cost=1, memory_cost=8, parallelism=1)
    add_staff(fd.uow(), email=STAFF_EMAIL, role="agent", password="a" * 16, at=NOW, hasher=hasher)
    for minute in range(earlier_failures, 0, -1):
        earlier = NOW - timedelta(minutes=minute)
        assert sign_in(fd.uow(), email, "wrong", at=earlier, hasher=hasher).status == "wrong"
    hasher.checks = 0

    def wrong_password(_: int) -> str:
        return sign_in(fd.uow(), email, "wrong-password", at=NOW, rules=rules, hasher=hasher).status

    results = Counter(run_together(SIGN_IN_THREADS, wrong_password))
    allowance = rules.free_failures + 1 - earlier_failures  # the free tries, then one sets a wait
    assert hasher.checks <= allowance
    assert results == {"wrong": hasher.checks, "wait": SIGN_IN_THREADS - hasher.checks}
    assert hasher.checks == allowance  # serialised: exactly the allowance


# --- 3. one IVR step delivered by Twilio many times at once ------------------------------


def _ivr(fd: Frontdoor) -> Ivr:
    """The IVR on the demo data, desk number set, Monday 10:00 in Rome (as e2e make_ivr)."""
    load_demo(fd.uow(), DEMO_TODAY)
    return make_ivr(fd, IvrSettings(desk_numbers={"*": DESK}), "2026-11-23T10:00:00+01:00")


def _at_priority_question(ivr: Ivr) -> tuple[dict[str, str], str, str]:
    """A stranger identified with contract 1013's code, as administrator, at the priority
    question: the /ivr/priority delivery pressing 2 (form, path, Twilio signature)."""
    call = ivr.twilio.call(NUMBERS["europe"], STRANGER)
    call.start()
    assert call.press("1").gather_action.startswith("/ivr/identify")  # English
    assert call.press("1013").gather_action.startswith("/ivr/role")
    assert call.press("1").gather_action.startswith("/ivr/menu")  # administrator
    action = call.press("1").gather_action  # open a ticket
    assert action is not None and action.startswith("/ivr/priority")
    form = {**call.params, "Digits": "2", "CallSid": call.sid, "CallStatus": "in-progress"}
    return form, action, ivr.twilio.sign(action, form)


def _turns_of(fd: Frontdoor, sid: str) -> list[tuple[str, str]]:
    query = (
        select(turns.c.speaker, turns.c.text)
        .join(transcripts, turns.c.transcript_id == transcripts.c.id)
        .where(transcripts.c.channel == "phone", transcripts.c.conversation_id == sid)
        .order_by(turns.c.id)
    )
    with fd.engine.connect() as connection:
        return [(row.speaker, row.text) for row in connection.execute(query)]


def _tickets_of(fd: Frontdoor, sid: str) -> list[str]:
    query = select(tickets.c.number).where(tickets.c.idempotency_key == f"phone:{sid}")
    with fd.engine.connect() as connection:
        return list(connection.execute(query).scalars())


def test_concurrent_deliveries_of_one_ivr_step_give_one_answer_one_ticket_one_set_of_lines(
    frontdoor: Frontdoor,
) -> None:
    """The same signed /ivr/priority delivery 20 times at once: 200 and the same TwiML for
    all, one ticket for the call, and the step's transcript lines written once (as many as a
    single delivery of the step writes on another call)."""
    ivr = _ivr(frontdoor)
    app = ivr.twilio.client.application

    reference_form, action, signature = _at_priority_question(ivr)
    reference_sid = reference_form["CallSid"]
    before = len(_turns_of(frontdoor, reference_sid))
    single = ivr.twilio.post(action, reference_form, signature=signature)
    assert single.status_code == 200
    lines_of_one_delivery = _turns_of(frontdoor, reference_sid)[before:]
    assert lines_of_one_delivery[0] == ("caller", "2")

    form, action, signature = _at_priority_question(ivr)
    sid = form["CallSid"]
    before = len(_turns_of(frontdoor, sid))

    def deliver(_: int) -> tuple[int, bytes]:
        response = app.test_client().post(action, data=form, headers={SIGNATURE_HEADER: signature})
        return response.status_code, response.get_data()

    answers = run_together(THREADS, deliver)
    assert {status for status, _ in answers} == {200}
    assert len({body for _, body in answers}) == 1
    numbers = _tickets_of(frontdoor, sid)
    assert len(numbers) == 1
    assert ticket_number(numbers[0], "en").encode() in answers[0][1]
    lines = _turns_of(frontdoor, sid)[before:]
    assert [speaker for speaker, _ in lines] == [speaker for speaker, _ in lines_of_one_delivery]
    assert lines.count(("caller", "2")) == 1


# --- 4. one ticket per idempotency key ---------------------------------------------------


def test_concurrent_openings_with_one_idempotency_key_store_one_ticket_with_one_number(
    frontdoor: Frontdoor,
) -> None:
    """20 threads opening a ticket with the same key at once: one row with that key, and every
    thread gets its number."""
    fd = frontdoor
    add_contract(fd)
    decision = decision_for(fd, "2001", MON_10)

    def open_one(_: int) -> str | None:
        ticket = open_ticket(
            fd.uow(),
            fd.book,
            contract_code="2001",
            decision=decision,
            channel="phone",
            language="en",
            priority="P2",
            topic="product",
            summary="Recording stopped",
            opened_at=iso(MON_10),
            idempotency_key="race",
            conversation_id="race",
        )
        return ticket.number

    numbers = run_together(THREADS, open_one)
    with fd.engine.connect() as connection:
        stored = list(
            connection.execute(
                select(tickets.c.number).where(tickets.c.idempotency_key == "race")
            ).scalars()
        )
    assert len(stored) == 1
    assert set(numbers) == {stored[0]}
