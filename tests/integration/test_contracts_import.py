"""Contract import from CSV (issue #2): validation by line and column, one transaction."""

from __future__ import annotations

from datetime import date

import pytest

from core.bootstrap import Frontdoor
from core.policy import Policy
from core.services import (
    ContractImportError,
    find_contract,
    find_contract_by_code_and_email,
    find_contract_by_phone,
    import_contracts,
    parse_contracts_csv,
)

from .helpers import count

HEADER = (
    "code,customer,plan,licence,theatre,week,starts,ends,end_user_support,paid,timezone,"
    "phones,products,telemetry"
)
ROWS = [
    "3001,Acme,gold,cloud,europe,,2026-01-01,2027-12-31,true,true,Europe/Rome,"
    "+390581234567;+390587654321,UCX Platform;call recording,true",
    "3002,Dunes,platinum,subscription,middle_east,sun-thu,2026-01-01,2027-12-31,false,true,"
    "Asia/Dubai,+97145550001,UCX Platform,true",
    "3003,Acme,basic,perpetual,americas,mon-fri,2025-01-01,2025-12-31,false,false,"
    "America/New_York,,,false",
]
COLUMNS = HEADER.split(",")


def csv_text(rows: list[str] = ROWS, header: str = HEADER) -> list[str]:
    return [header + "\n", *(row + "\n" for row in rows)]


def with_value(column: str, value: str, row: int = 2) -> list[str]:
    """The good file with one cell of ``ROWS[row]`` (file line ``row + 2``) replaced."""
    cells = ROWS[row].split(",")
    cells[COLUMNS.index(column)] = value
    return csv_text([*ROWS[:row], ",".join(cells), *ROWS[row + 1 :]])


def run_import(fd: Frontdoor, lines: list[str]) -> dict[str, int]:
    report = import_contracts(fd.uow(), parse_contracts_csv(fd.policy, lines))
    return {"created": report.created, "updated": report.updated, "unchanged": report.unchanged}


def test_a_good_file_creates_every_contract(frontdoor: Frontdoor) -> None:
    """Three rows, three contracts, with defaults, canonical product names and contacts whose
    role the file does not give (None: the channels ask)."""
    assert run_import(frontdoor, csv_text()) == {"created": 3, "updated": 0, "unchanged": 0}
    acme = find_contract(frontdoor.uow(), "3001")
    assert acme is not None
    assert (acme.plan, acme.licence, acme.theatre, acme.week) == (
        "gold",
        "cloud",
        "europe",
        "mon-fri",
    )
    assert acme.products == ["UCX Platform", "Call Recording"]
    assert acme.end_user_support and acme.paid and acme.telemetry
    assert [(c.role, c.phone) for c in acme.contacts] == [
        (None, "+390581234567"),
        (None, "+390587654321"),
    ]
    assert find_contract_by_phone(frontdoor.uow(), "+97145550001").code == "3002"  # type: ignore[union-attr]
    assert count(frontdoor, "customers") == 2


def test_reimport_updates_by_code_and_keeps_existing_contacts(frontdoor: Frontdoor) -> None:
    """The same file again changes nothing; a changed row updates that contract only."""
    run_import(frontdoor, csv_text())
    assert run_import(frontdoor, csv_text()) == {"created": 0, "updated": 0, "unchanged": 3}
    changed = with_value("phones", "+12025550100", row=2)
    changed = [line.replace(",false,false,America", ",false,true,America") for line in changed]
    assert run_import(frontdoor, changed) == {"created": 0, "updated": 1, "unchanged": 2}
    contract = find_contract(frontdoor.uow(), "3003")
    assert contract is not None and contract.paid
    assert [c.phone for c in contract.contacts] == ["+12025550100"]
    assert find_contract_by_code_and_email(frontdoor.uow(), "3003", "x@example.com") is None


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("code", "AB12", "digits only"),
        ("code", "3001", "already on line 2"),
        ("customer", "", "missing value"),
        ("plan", "silver", "'silver' is not one of basic|gold|platinum"),
        ("licence", "rental", "is not one of perpetual|subscription|cloud"),
        ("theatre", "asia", "is not one of americas|europe|middle_east"),
        ("week", "sun-thu", "'sun-thu' is not one of mon-fri"),
        ("starts", "2026-13-01", "not a date YYYY-MM-DD"),
        ("ends", "2024-12-31", "is before starts"),
        ("end_user_support", "true", "end-user add-on is not sold with basic"),
        ("paid", "yes", "'yes' is not one of true|false"),
        ("timezone", "Mars/Olympus", "unknown IANA time zone"),
        ("phones", "0584 943232", "not an E.164 number"),
        ("products", "UCX Platform;Warp Drive", "unknown product 'Warp Drive'"),
        ("telemetry", "", "missing value"),
    ],
)
def test_a_bad_row_names_its_line_and_column(
    shipped_policy: Policy, column: str, value: str, message: str
) -> None:
    """Validation stops at the bad cell: line 4 (header is line 1), its column, what is wrong."""
    with pytest.raises(ContractImportError) as caught:
        parse_contracts_csv(shipped_policy, with_value(column, value))
    assert str(caught.value).startswith(f"line 4, column {column}: ")
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("", "line 1, column -: empty file"),
        (HEADER.replace("paid", "payed"), "line 1, column payed: unknown column"),
        (HEADER.replace(",telemetry", ""), "line 1, column telemetry: missing column"),
    ],
)
def test_a_bad_header_is_reported_on_line_one(
    shipped_policy: Policy, header: str, message: str
) -> None:
    """Unknown or missing columns are reported before any row is read."""
    lines = [header + "\n"] if header else []
    with pytest.raises(ContractImportError, match=message):
        parse_contracts_csv(shipped_policy, lines)


def test_the_week_column_may_be_left_out(frontdoor: Frontdoor) -> None:
    """Without a week column every contract gets the Mon-Fri week."""
    header = HEADER.replace("week,", "")
    rows = [ROWS[0].replace("europe,,", "europe,")]
    assert run_import(frontdoor, csv_text(rows, header))["created"] == 1
    contract = find_contract(frontdoor.uow(), "3001")
    assert contract is not None and contract.week == "mon-fri"
    assert contract.starts == date(2026, 1, 1)
