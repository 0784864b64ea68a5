"""Contract import from CSV (issue #2, "frontdoor contracts import FILE.csv").

Every row is validated before anything is written; the first bad row raises
:class:`ContractImportError` naming its line and column, and the whole file is imported in one
transaction. Re-importing updates contracts by code; contacts already on a contract are kept.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.model import PlanName
from core.policy import Policy
from core.services.contracts import ContactSpec, ContractSpec, is_e164, upsert_contract
from core.services.errors import ServiceError
from core.unit_of_work import AbstractUnitOfWork, transactional

COLUMNS = (
    "code",
    "customer",
    "plan",
    "licence",
    "theatre",
    "week",
    "starts",
    "ends",
    "end_user_support",
    "paid",
    "timezone",
    "phones",
    "products",
    "telemetry",
)
OPTIONAL_COLUMNS = frozenset({"week"})
DEFAULT_WEEK = "mon-fri"
LICENCES = ("perpetual", "subscription", "cloud")


class ContractImportError(ServiceError):
    """A bad row: the message names the line (1 is the header) and the column."""

    def __init__(self, line: int, column: str, message: str):
        super().__init__(f"line {line}, column {column}: {message}")
        self.line, self.column = line, column


@dataclass(frozen=True)
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def parse_contracts_csv(policy: Policy, lines: Iterable[str]) -> list[ContractSpec]:
    """Read and validate a whole contracts CSV; raise on the first bad row."""
    reader = csv.DictReader(iter(lines))
    _check_header(reader.fieldnames)
    seen: dict[str, int] = {}
    specs = []
    for row in reader:
        line = reader.line_num
        spec = _Row(policy, row, line).spec()
        if spec.code in seen:
            raise ContractImportError(
                line, "code", f"{spec.code} already on line {seen[spec.code]}"
            )
        seen[spec.code] = line
        specs.append(spec)
    return specs


@transactional
def import_contracts(
    uow: AbstractUnitOfWork,
    specs: Iterable[ContractSpec],
    *,
    progress: Callable[[Iterable[ContractSpec]], Iterator[ContractSpec]] | None = None,
) -> ImportReport:
    """Write validated rows in one transaction and count what changed."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for spec in progress(specs) if progress else specs:
        counts[upsert_contract(uow, spec)] += 1
    return ImportReport(**counts)


def _check_header(fieldnames: object) -> None:
    if not fieldnames:
        raise ContractImportError(1, "-", "empty file: expected a header row")
    names = [str(n).strip() for n in fieldnames]  # type: ignore[attr-defined]
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        raise ContractImportError(1, unknown[0], f"unknown column; expected {', '.join(COLUMNS)}")
    missing = [c for c in COLUMNS if c not in names and c not in OPTIONAL_COLUMNS]
    if missing:
        raise ContractImportError(1, missing[0], "missing column")


class _Row:
    """One CSV row being validated; each getter raises with the line and column."""

    def __init__(self, policy: Policy, row: dict[str | None, str | None], line: int):
        self.policy, self.row, self.line = policy, row, line
        if None in row:
            raise ContractImportError(line, "-", "more fields than columns")

    def text(self, column: str) -> str:
        return (self.row.get(column) or "").strip()

    def fail(self, column: str, message: str) -> ContractImportError:
        return ContractImportError(self.line, column, message)

    def required(self, column: str) -> str:
        value = self.text(column)
        if not value:
            raise self.fail(column, "missing value")
        return value

    def choice(self, column: str, options: Iterable[str]) -> str:
        return self.choice_of(self.required(column).casefold(), column, options)

    def flag(self, column: str) -> bool:
        return self.choice(column, ("true", "false")) == "true"

    def day(self, column: str) -> date:
        value = self.required(column)
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise self.fail(column, f"{value!r} is not a date YYYY-MM-DD") from None

    def code(self) -> str:
        value = self.required("code")
        if not (value.isascii() and value.isdigit()) or len(value) > 32:
            # callers type the code on a phone keypad
            raise self.fail("code", f"{value!r}: a contract code is digits only (at most 32)")
        return value

    def zone(self) -> str:
        value = self.required("timezone")
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail("timezone", f"unknown IANA time zone {value!r}") from None
        return value

    def week(self, theatre: str) -> str:
        value = (self.text("week") or DEFAULT_WEEK).casefold()
        return self.choice_of(value, "week", self.policy.theatres[theatre].weeks)

    def choice_of(self, value: str, column: str, options: Iterable[str]) -> str:
        allowed = tuple(options)
        if value not in allowed:
            raise self.fail(column, f"{value!r} is not one of {'|'.join(allowed)}")
        return value

    def phones(self) -> tuple[str, ...]:
        numbers = tuple(p.strip() for p in self.text("phones").split(";") if p.strip())
        bad = [p for p in numbers if not is_e164(p)]
        if bad:
            raise self.fail("phones", f"{bad[0]!r} is not an E.164 number (+ and digits)")
        return numbers

    def products(self) -> tuple[str, ...]:
        names = [p.strip() for p in self.text("products").split(";") if p.strip()]
        canonical = []
        for name in names:
            product = self.policy.product(name)
            if product is None:
                raise self.fail("products", f"unknown product {name!r}")
            canonical.append(product.name)
        return tuple(canonical)

    def spec(self) -> ContractSpec:
        code, customer = self.code(), self.required("customer")
        plan = cast(PlanName, self.choice("plan", self.policy.plans))
        licence = self.choice("licence", LICENCES)
        theatre = self.choice("theatre", self.policy.theatres)
        starts, ends = self.day("starts"), self.day("ends")
        if ends < starts:
            raise self.fail("ends", f"{ends} is before starts {starts}")
        end_users = self.flag("end_user_support")
        if end_users and not self.policy.plans[plan].end_user_addon:
            raise self.fail("end_user_support", f"the end-user add-on is not sold with {plan}")
        return ContractSpec(
            code=code,
            customer=customer,
            plan=plan,
            licence=licence,
            theatre=theatre,
            week=self.week(theatre),
            starts=starts,
            ends=ends,
            end_user_support=end_users,
            paid=self.flag("paid"),
            timezone=self.zone(),
            products=self.products(),
            telemetry=self.flag("telemetry"),
            contacts=tuple(ContactSpec(name=customer, phone=p) for p in self.phones()),
        )
