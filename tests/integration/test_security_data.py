"""Security perimeter, data findings: each test replays the attack that was reported and shows
that it no longer works, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from core.adapters.db import make_engine, upgrade
from core.adapters.orm import calls, contacts, customers, sign_in_throttles, tickets
from core.adapters.orm import contracts as contracts_table
from core.bootstrap import Frontdoor
from core.demo import DEMO_PIN, load_demo
from core.services import ContractImportError, find_contract, import_contracts, parse_contracts_csv
from ivr import IvrSettings
from tests.e2e.conftest import DEMO_TODAY, DESK, NUMBERS, ON_CALL, Ivr, make_ivr
from tests.e2e.test_ivr_office_hours import stored_tickets

from .helpers import add_contract, count
from .test_alerts_http import TOKEN, alert, app_for, webhook
from .test_cli_data import Runner
from .test_concurrency import THREADS, run_together

NIGHT = "2026-11-23T23:00:00+01:00"


def _demo_ivr(fd: Frontdoor, at: str = "2026-11-23T10:00:00+01:00") -> Ivr:
    load_demo(fd.uow(), DEMO_TODAY)
    return make_ivr(fd, IvrSettings(desk_numbers={"*": DESK}, on_call_numbers=ON_CALL), at)


# --- 4. replay fingerprints do not give away the digits typed ----------------------------


def _unsalted_fingerprint(step: str, params: Mapping[str, str]) -> str:
    """The fingerprint as it was stored before the fix: SHA-256 over the step and the form."""
    digest = hashlib.sha256(step.encode())
    for key, value in sorted(params.items()):
        digest.update(b"\0" + key.encode() + b"=" + value.encode())
    return digest.hexdigest()


def _last_step(fd: Frontdoor, sid: str) -> tuple[str, str]:
    query = select(calls.c.last_step, calls.c.last_fingerprint).where(calls.c.call_sid == sid)
    with fd.engine.connect() as connection:
        row = connection.execute(query).one()
    return str(row.last_step), str(row.last_fingerprint)


def test_stored_fingerprint_of_a_typed_pin_cannot_be_matched_by_trying_all_10000_pins(
    frontdoor: Frontdoor,
) -> None:
    """The attack: read calls.last_fingerprint, hash the known form with each of the 10,000
    four-digit PINs; no candidate matches (the digest is keyed with the server's secret)."""
    ivr = _demo_ivr(frontdoor, NIGHT)
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1016"))
    assert call.start().gather_action.startswith("/ivr/pin")
    call.press(DEMO_PIN)
    step, stored = _last_step(frontdoor, call.sid)
    assert step.startswith("/ivr/pin")
    form = {**call.params, "Digits": DEMO_PIN, "CallStatus": "in-progress"}
    found = [
        pin
        for pin in (f"{n:04d}" for n in range(10_000))
        if _unsalted_fingerprint(step, {**form, "Digits": pin}) == stored
    ]
    assert found == []
    assert len(stored) == 64  # still fits the column: HMAC-SHA256 in hex


def test_a_retried_pin_delivery_is_still_answered_from_the_store_without_a_second_ticket(
    frontdoor: Frontdoor,
) -> None:
    """Twilio retries the PIN step: the same TwiML, and still one on-call ticket."""
    ivr = _demo_ivr(frontdoor, NIGHT)
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1016"))
    pin_step = call.start().gather_action
    assert pin_step is not None
    form = {**call.params, "Digits": DEMO_PIN, "CallStatus": "in-progress"}
    first = ivr.twilio.post(pin_step, form)
    tickets = len(stored_tickets(frontdoor))
    again = ivr.twilio.post(pin_step, form)
    assert again.status_code == first.status_code == 200
    assert again.get_data() == first.get_data()
    assert len(stored_tickets(frontdoor)) == tickets


# --- 5. guessing customer codes on the phone ---------------------------------------------

ATTACKER, OTHER = "+15005550006", "+15005550007"
TOO_MANY = "Too many wrong customer codes have been typed"


def _identify_answers(ivr: Ivr, caller: str, codes: list[str]) -> list[Any]:
    """One call from ``caller`` that types ``codes`` at the code question while it is asked
    (a minute between tries); the answers to the codes typed."""
    call = ivr.twilio.call(NUMBERS["europe"], caller)
    call.start()
    assert call.press("1").gather_action.startswith("/ivr/identify")  # English
    answers = []
    for code in codes:
        if not (call.last and (call.last.gather_action or "").startswith("/ivr/identify")):
            break
        ivr.clock.at += timedelta(minutes=1)
        answers.append(call.press(code))
    return answers


def _failures(fd: Frontdoor, key: str) -> int:
    query = select(sign_in_throttles.c.failures).where(sign_in_throttles.c.key == key)
    with fd.engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def test_fifteen_wrong_codes_over_five_calls_check_six_then_refuse_even_the_right_code(
    frontdoor: Frontdoor,
) -> None:
    """An unknown number types 15 wrong codes, 3 per call over 5 calls: only 6 are checked
    (the policy's lock_after), then the IVR says identify_wait and hangs up, even on a right
    code; the contract's own contact, calling with that code, still gets through."""
    ivr = _demo_ivr(frontdoor)
    lock_after = frontdoor.policy.identification.lock_after
    wrong = [f"{900000 + n}" for n in range(15)]
    answers = [a for n in range(5) for a in _identify_answers(ivr, ATTACKER, wrong[3 * n :][:3])]
    refused = [a for a in answers if TOO_MANY in a.text]
    assert len(answers) - len(refused) == lock_after == 6
    assert all(a.hangs_up for a in refused)
    assert _failures(frontdoor, f"caller:{ATTACKER}") == lock_after
    right = _identify_answers(ivr, ATTACKER, ["1013"])[0]
    assert TOO_MANY in right.text and right.hangs_up
    assert _failures(frontdoor, f"caller:{ATTACKER}") == lock_after  # a refused try is not checked
    own = _identify_answers(ivr, OTHER, ["1013"])[0]
    assert own.gather_action.startswith("/ivr/role")  # another number: not locked by the attacker


def test_a_code_locked_by_wrong_tries_is_refused_to_a_different_number_too(
    frontdoor: Frontdoor,
) -> None:
    """The same code typed wrong from one number until it locks: a different number typing
    that code is refused (identify_wait, hang up) while the lock lasts, without a check."""
    ivr = _demo_ivr(frontdoor)
    code = "424242"
    for _ in range(5):
        _identify_answers(ivr, ATTACKER, [code] * 3)
    assert _failures(frontdoor, f"code:{code}") == frontdoor.policy.identification.lock_after
    answer = _identify_answers(ivr, OTHER, [code])[0]
    assert TOO_MANY in answer.text and answer.hangs_up
    assert _failures(frontdoor, f"caller:{OTHER}") == 0


# --- 6. imported contacts are not administrators unless the file says so -----------------

CSV_HEADER = (
    "code,customer,plan,licence,theatre,week,starts,ends,end_user_support,paid,timezone,"
    "phones,products,telemetry\n"
)
END_USER, ADMIN = "+390581110001", "+390581110002"


def _import(fd: Frontdoor, rows: list[str]) -> None:
    import_contracts(fd.uow(), parse_contracts_csv(fd.policy, [CSV_HEADER, *rows]))


def _row(code: str, phones: str, plan: str = "gold") -> str:
    return (
        f"{code},Acme,{plan},cloud,europe,,2026-01-01,2027-12-31,false,true,Europe/Rome,"
        f"{phones},UCX Platform,true\n"
    )


def test_a_number_imported_without_a_role_is_asked_the_role_by_the_ivr(
    frontdoor: Frontdoor,
) -> None:
    """An end user calling from a number of the phones column is identified but not taken
    for an administrator: the IVR asks the role (before the fix: straight to the menu)."""
    ivr = _demo_ivr(frontdoor)
    _import(frontdoor, [_row("3001", END_USER)])
    contract = find_contract(frontdoor.uow(), "3001")
    assert contract is not None and [c.role for c in contract.contacts] == [None]
    call = ivr.twilio.call(NUMBERS["europe"], END_USER)
    call.start()
    assert call.press("1").gather_action.startswith("/ivr/role")  # English, then the role


def test_a_role_given_in_the_file_is_used_and_can_be_set_by_reimporting(
    frontdoor: Frontdoor,
) -> None:
    """``+number:admin`` skips the role question; re-importing a number with a role sets it."""
    ivr = _demo_ivr(frontdoor)
    _import(frontdoor, [_row("3001", f"{ADMIN}:admin;{END_USER}")])
    call = ivr.twilio.call(NUMBERS["europe"], ADMIN)
    call.start()
    assert call.press("1").gather_action.startswith("/ivr/menu")
    _import(frontdoor, [_row("3001", f"{END_USER}:end_user")])
    contract = find_contract(frontdoor.uow(), "3001")
    assert contract is not None
    assert {c.phone: c.role for c in contract.contacts} == {ADMIN: "admin", END_USER: "end_user"}


def test_one_run_reports_every_bad_row_of_a_file_and_writes_nothing(frontdoor: Frontdoor) -> None:
    """Three bad rows (and a good one): one ContractImportError with the three problems, by
    line and column, and no contract stored."""
    rows = [
        _row("3001", "+390581110001"),
        _row("3002", "0581110002"),
        _row("3003", f"{ADMIN}:boss", plan="silver"),
        _row("3001", ""),
    ]
    with pytest.raises(ContractImportError) as caught:
        _import(frontdoor, rows)
    assert [(p.line, p.column) for p in caught.value.problems] == [
        (3, "phones"),
        (4, "plan"),
        (4, "phones"),
        (5, "code"),
    ]
    assert "role 'boss' is not one of admin|partner|end_user" in str(caught.value)
    assert count(frontdoor, "contracts") == 0


def test_the_cli_prints_one_line_per_problem_and_exits_2(
    frontdoor: Frontdoor, tmp_path: Path
) -> None:
    """``frontdoor contracts import`` with two bad rows: two lines on stderr, exit 2."""
    file = tmp_path / "bad.csv"
    file.write_text(CSV_HEADER + _row("3001", "nope") + _row("3002", "", plan="silver"))
    result = Runner(frontdoor)("contracts", "import", str(file))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert "line 2, column phones" in lines[0] and "line 3, column plan" in lines[1]
    assert count(frontdoor, "contracts") == 0


def test_the_upgrade_forgets_the_admin_role_the_import_gave_by_default(
    database_url: str,
) -> None:
    """A contact the old import created (customer's name, phone only, role admin) has no
    role after migration 0302; a contact with an address keeps its role."""
    upgrade(database_url, "0301_keyed_fingerprints")
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(customers.insert().values(id=1, name="Acme"))
        connection.execute(
            contracts_table.insert().values(
                id=1,
                code="3001",
                customer_id=1,
                plan="gold",
                licence="cloud",
                theatre="europe",
                week="mon-fri",
                starts=date(2026, 1, 1),
                ends=date(2027, 12, 31),
                end_user_support=False,
                paid=True,
                timezone="Europe/Rome",
                products=[],
                telemetry=True,
            )
        )
        for name, phone, email in (("Acme", END_USER, None), ("Ann", ADMIN, "ann@acme.example")):
            connection.execute(
                contacts.insert().values(
                    contract_id=1,
                    name=name,
                    role="admin",
                    phone=phone,
                    email=email,
                    available_24h=False,
                )
            )
    upgrade(database_url)
    with engine.connect() as connection:
        roles = dict(connection.execute(select(contacts.c.phone, contacts.c.role)).all())
    engine.dispose()
    assert roles == {END_USER: None, ADMIN: "admin"}


# --- 7. no customer code in clear in a transcript ---------------------------------------


def test_the_ivr_transcript_of_an_identified_caller_holds_no_customer_code(
    frontdoor: Frontdoor,
) -> None:
    """A caller types code 1013: neither the keys heard nor the "caller identified" note
    keep the code (before: "caller identified: contract 1013")."""
    ivr = _demo_ivr(frontdoor)
    call = ivr.twilio.call(NUMBERS["europe"], ATTACKER)
    call.start()
    call.press("1")
    assert call.press("1013").gather_action.startswith("/ivr/role")
    with frontdoor.uow() as uow:
        transcript = uow.transcripts.get("phone", call.sid)
    assert transcript is not None
    texts = [t.text for t in transcript.turns]
    assert "caller identified: contract ••••" in texts
    assert not [text for text in texts if "1013" in text]


# --- 8. one ticket per alarm, however many deliveries race ------------------------------


def test_20_parallel_posts_of_one_fingerprint_with_different_starts_open_one_ticket(
    frontdoor: Frontdoor,
) -> None:
    """20 threads post the same alert fingerprint at once, each with its own startsAt (a
    monitor that lost its state): one ticket (before: up to one per racing thread); every
    other post is told it is a repeat of that alarm."""
    add_contract(frontdoor)
    app = app_for(frontdoor)

    def post(index: int) -> dict[str, Any]:
        starts = f"2026-11-21T21:{index:02d}:00Z"
        body = webhook(alert(fp="race", startsAt=starts))
        headers = {"Authorization": f"Bearer {TOKEN}"}
        response = app.test_client().post("/api/alerts", json=body, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        result: dict[str, Any] = response.get_json()["alerts"][0]
        return result

    results = run_together(THREADS, post)
    query = select(tickets.c.number).where(tickets.c.idempotency_key.like("alert:race:%"))
    with frontdoor.engine.connect() as connection:
        numbers = list(connection.execute(query).scalars())
    assert len(numbers) == 1
    assert sorted(r["action"] for r in results) == ["opened"] + ["repeat"] * (THREADS - 1)
    assert {r["ticket"] for r in results} == {numbers[0]}
