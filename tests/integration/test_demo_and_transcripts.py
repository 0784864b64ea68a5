"""Demo data (idempotent, covers every case) and conversation transcripts."""

from __future__ import annotations

import itertools
from datetime import date

from core.bootstrap import Frontdoor
from core.decision import Request, decide
from core.demo import DEMO_PIN, load_demo
from core.services import (
    add_turn,
    find_contract,
    find_contract_by_code_and_email,
    find_contract_by_phone,
    mask_digits,
    pin_matches,
    set_outcome,
    start_or_get_transcript,
)

from .helpers import count, iso

TODAY = date(2026, 6, 8)


def test_demo_load_twice_changes_nothing_the_second_time(frontdoor: Frontdoor) -> None:
    """Loading the demo again finds every contract unchanged and adds no rows."""
    first = load_demo(frontdoor.uow(), TODAY)
    rows = {t: count(frontdoor, t) for t in ("contracts", "contacts", "customers", "on_call_pins")}
    second = load_demo(frontdoor.uow(), TODAY)
    assert (first.created, second.created, second.updated) == (32, 0, 0)
    assert second.unchanged == 32
    assert {t: count(frontdoor, t) for t in rows} == rows


def test_demo_covers_every_plan_licence_theatre_and_week(frontdoor: Frontdoor) -> None:
    """Every plan x licence x theatre exists, both Middle-East weeks, all seven languages."""
    load_demo(frontdoor.uow(), TODAY)
    with frontdoor.uow() as uow:
        contracts = uow.contracts.list()
    combos = {(c.plan, c.licence, c.theatre) for c in contracts}
    wanted = itertools.product(
        ("basic", "gold", "platinum"),
        ("perpetual", "subscription", "cloud"),
        ("americas", "europe", "middle_east"),
    )
    assert set(wanted) <= combos
    assert {c.week for c in contracts if c.theatre == "middle_east"} == {"sun-thu", "mon-fri"}
    languages = {k.language for c in contracts for k in c.contacts}
    assert {"it", "en", "de", "fr", "es", "pt", "ar"} <= languages
    assert all(c.code.isdigit() for c in contracts)
    assert any(k.available_24h for c in contracts if c.plan == "platinum" for k in c.contacts)


def test_demo_special_cases_get_their_refusals(frontdoor: Frontdoor) -> None:
    """Expired, unpaid, not started, End of Support and Asia-Pacific contracts behave."""
    load_demo(frontdoor.uow(), TODAY)
    at = iso("2026-06-08T11:00:00+02:00")

    def reason(code: str, **kw: object) -> str:
        contract = find_contract(frontdoor.uow(), code)
        request = Request(contract, "phone", kw.pop("at", at), "P1", "en", "admin", **kw)  # type: ignore[arg-type]
        return decide(frontdoor.book, request).reason

    assert reason("1028") == "contract_expired"
    assert reason("1029") == "payment_overdue"
    assert reason("1030") == "contract_not_started"
    assert reason("1031", product="Legacy Billing") == "end_of_support"
    assert reason("1016", at=iso("2026-06-08T23:00:00+02:00")) == "on_call_pin_required"
    assert reason("1032", at=iso("2026-06-08T23:00:00+02:00")) == "closed"


def test_demo_platinum_contracts_have_the_documented_pin(frontdoor: Frontdoor) -> None:
    """Every Platinum contract answers to PIN 4321 (demo only)."""
    load_demo(frontdoor.uow(), TODAY)
    with frontdoor.uow() as uow:
        platinum = [c.code for c in uow.contracts.list() if c.plan == "platinum"]
    assert len(platinum) == 11
    assert all(pin_matches(frontdoor.uow(), code, DEMO_PIN) for code in platinum)


def test_contract_lookups_by_phone_and_email(frontdoor: Frontdoor) -> None:
    """A contact's own number finds its contract; a reseller's shared number finds none."""
    load_demo(frontdoor.uow(), TODAY)
    admin = find_contract(frontdoor.uow(), "1012")
    assert admin is not None and admin.contacts[0].phone
    found = find_contract_by_phone(frontdoor.uow(), admin.contacts[0].phone)
    assert found is not None and found.code == "1012"
    assert find_contract_by_phone(frontdoor.uow(), "+447700900999") is None  # the partner
    assert find_contract_by_code_and_email(frontdoor.uow(), "1012", "ADMIN1012@customer.example")
    assert (
        find_contract_by_code_and_email(frontdoor.uow(), "1013", "admin1012@customer.example")
        is None
    )


def test_a_conversation_has_one_transcript_with_masked_secrets(frontdoor: Frontdoor) -> None:
    """start_or_get is idempotent; a secret turn keeps no digit; the outcome is recorded."""
    load_demo(frontdoor.uow(), TODAY)
    at = iso("2026-06-08T23:00:00+02:00")
    call = {"channel": "phone", "conversation_id": "CA9"}
    first = start_or_get_transcript(
        frontdoor.uow(), **call, started_at=at, theatre="europe", caller="+390584000001"
    )
    again = start_or_get_transcript(frontdoor.uow(), **call, started_at=at)
    assert first.id == again.id and again.theatre == "europe"
    secret = "PIN 4321 for contract 1016"
    add_turn(frontdoor.uow(), **call, speaker="caller", text=secret, at=at, secret=True)
    add_turn(frontdoor.uow(), **call, speaker="ivr", text="Thank you", at=at)
    set_outcome(frontdoor.uow(), **call, outcome="on_call", reason="ok", contract_code="1016")
    with frontdoor.uow() as uow:
        stored = uow.transcripts.get("phone", "CA9")
    assert stored is not None
    assert [t.text for t in stored.turns] == ["PIN •••• for contract ••••", "Thank you"]
    assert (stored.outcome, stored.reason) == ("on_call", "ok")
    assert stored.contract_id == find_contract(frontdoor.uow(), "1016").id  # type: ignore[union-attr]
    assert count(frontdoor, "transcripts") == 1


def test_mask_digits_hides_every_digit_run_of_at_least_min_run() -> None:
    """Runs shorter than min_run stay (e.g. "P1"), longer ones become dots of the same length."""
    assert mask_digits("code 1016, PIN 4321") == "code ••••, PIN ••••"
    assert mask_digits("P1 for 1016", min_run=4) == "P1 for ••••"
