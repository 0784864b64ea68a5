"""Contract import from CSV (issue #2, "frontdoor contracts import FILE.csv").

Every row is validated before anything is written; a file with bad rows raises
:class:`ContractImportError` with every problem found (line, column, message), so that one run
reports them all, and nothing is written. A valid file is imported in one transaction.
Re-importing updates contracts by code; contacts already on a contract are kept (a role given
in the file is set on the contact with that number).

``phones`` items are ``+number`` (the role is unknown: the channels ask the caller) or
``+number:role`` with a role the operator knows (``admin``, ``partner``, ``end_user``).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TypeVar, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.model import ROLES, PlanName, Role
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
T = TypeVar("T")


@dataclass(frozen=True)
class ImportProblem:
    """One bad cell (or header, or row): its line (1 is the header), column and what is wrong;
    ``-`` when no single column is at fault."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


class ContractImportError(ServiceError):
    """A file with bad rows: ``problems`` lists every one found, in file order; the message is
    the problems joined by "; "."""

    def __init__(self, problems: Iterable[ImportProblem]):
        self.problems = tuple(problems)
        assert self.problems, "a ContractImportError needs at least one problem"
        super().__init__("; ".join(str(p) for p in self.problems))
        self.line, self.column = self.problems[0].line, self.problems[0].column


class _Bad(Exception):
    """A cell of the row being read is bad (collected, then reported with the others)."""

    def __init__(self, problem: ImportProblem):
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def parse_contracts_csv(policy: Policy, lines: Iterable[str]) -> list[ContractSpec]:
    """Read and validate a whole contracts CSV; raise :class:`ContractImportError` with every
    problem of the file when any row is bad (a bad header: its problems only)."""
    reader = csv.DictReader(iter(lines))
    _check_header(reader.fieldnames)
    seen: dict[str, int] = {}
    specs, problems = [], []
    for row in reader:
        line = reader.line_num
        parsed = _Row(policy, row, line)
        spec = parsed.spec()
        problems.extend(parsed.problems)
        code = spec.code if spec else parsed.code_or_none()
        if code is not None and code in seen:
            problems.append(ImportProblem(line, "code", f"{code} already on line {seen[code]}"))
        elif code is not None:
            seen[code] = line
        if spec is not None:
            specs.append(spec)
    if problems:
        raise ContractImportError(problems)
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
        raise ContractImportError([ImportProblem(1, "-", "empty file: expected a header row")])
    names = [str(n).strip() for n in fieldnames]  # type: ignore[attr-defined]
    expected = f"unknown column; expected {', '.join(COLUMNS)}"
    problems = [ImportProblem(1, n, expected) for n in names if n not in COLUMNS]
    problems += [
        ImportProblem(1, c, "missing column")
        for c in COLUMNS
        if c not in names and c not in OPTIONAL_COLUMNS
    ]
    if problems:
        raise ContractImportError(problems)


class _Row:
    """One CSV row being validated; each getter raises :class:`_Bad` with the line and column,
    and :meth:`spec` collects them in ``problems``."""

    def __init__(self, policy: Policy, row: dict[str | None, str | None], line: int):
        self.policy, self.row, self.line = policy, row, line
        self.problems: list[ImportProblem] = []

    def text(self, column: str) -> str:
        return (self.row.get(column) or "").strip()

    def fail(self, column: str, message: str) -> _Bad:
        return _Bad(ImportProblem(self.line, column, message))

    def code_or_none(self) -> str | None:
        try:
            return self.code()
        except _Bad:
            return None

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

    def phones(self) -> tuple[tuple[str, Role | None], ...]:
        """``+number`` (role unknown) or ``+number:role`` items, separated by ``;``."""
        found: list[tuple[str, Role | None]] = []
        for item in (p.strip() for p in self.text("phones").split(";")):
            if not item:
                continue
            number, _, role = (part.strip() for part in item.partition(":"))
            if not is_e164(number):
                raise self.fail("phones", f"{number!r} is not an E.164 number (+ and digits)")
            if role and role.casefold() not in ROLES:
                raise self.fail(
                    "phones", f"{number}: role {role!r} is not one of {'|'.join(ROLES)}"
                )
            found.append((number, cast(Role, role.casefold()) if role else None))
        return tuple(found)

    def products(self) -> tuple[str, ...]:
        names = [p.strip() for p in self.text("products").split(";") if p.strip()]
        canonical = []
        for name in names:
            product = self.policy.product(name)
            if product is None:
                raise self.fail("products", f"unknown product {name!r}")
            canonical.append(product.name)
        return tuple(canonical)

    def note(self, column: str, message: str) -> None:
        self.problems.append(ImportProblem(self.line, column, message))

    def check(self, read: Callable[[], T]) -> T | None:
        """``read()``, or None with its problem noted (the rest of the row is still read)."""
        try:
            return read()
        except _Bad as bad:
            self.problems.append(bad.problem)
            return None

    def spec(self) -> ContractSpec | None:
        """The row's contract, or None with every problem of the row in ``problems``."""
        if None in self.row:
            self.note("-", "more fields than columns")
            return None
        check = self.check
        code, customer = check(self.code), check(lambda: self.required("customer"))
        plan = cast("PlanName | None", check(lambda: self.choice("plan", self.policy.plans)))
        licence = check(lambda: self.choice("licence", LICENCES))
        theatre = check(lambda: self.choice("theatre", self.policy.theatres))
        starts, ends = check(lambda: self.day("starts")), check(lambda: self.day("ends"))
        if starts is not None and ends is not None and ends < starts:
            self.note("ends", f"{ends} is before starts {starts}")
        end_users = check(lambda: self.flag("end_user_support"))
        if end_users and plan is not None and not self.policy.plans[plan].end_user_addon:
            self.note("end_user_support", f"the end-user add-on is not sold with {plan}")
        week = check(lambda: self.week(theatre)) if theatre is not None else None
        paid, zone = check(lambda: self.flag("paid")), check(self.zone)
        products, telemetry = check(self.products), check(lambda: self.flag("telemetry"))
        phones = check(self.phones)
        if self.problems:
            return None
        assert code and customer and plan and licence and theatre and week and zone
        assert starts and ends and end_users is not None and paid is not None
        assert products is not None and telemetry is not None and phones is not None
        return ContractSpec(
            code=code,
            customer=customer,
            plan=plan,
            licence=licence,
            theatre=theatre,
            week=week,
            starts=starts,
            ends=ends,
            end_user_support=end_users,
            paid=paid,
            timezone=zone,
            products=products,
            telemetry=telemetry,
            contacts=tuple(ContactSpec(name=customer, phone=p, role=r) for p, r in phones),
        )
