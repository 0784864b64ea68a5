"""Demo data for ``make run`` and ``frontdoor demo load``: one contract per case worth trying.

Demo only: the codes and the PIN below are public. Codes are digits (typed on a phone keypad).

- 1001-1027: every plan x licence x theatre, theatre by theatre (Americas 1001-1009, Europe
  1010-1018, Middle East 1019-1027), in each: Basic, Gold, Platinum, and within a plan
  perpetual, subscription, cloud. Middle East contracts alternate the Sun-Thu week (1019, 1021,
  ...) and the Mon-Fri week (1020, 1022, ...). Gold and Platinum subscriptions have the
  end-user (level 1) add-on, with an end-user contact.
- 1028: expired 30 days ago (Europe, Gold). 1029: unpaid (Americas, Gold).
- 1030: starts in 30 days (Europe, Basic). 1031: Europe Platinum with "Legacy Billing" (End of
  Support 2024-06-30). 1032: Platinum for a site in Australia/Sydney (Asia-Pacific, no on-call).
- Every Platinum contract (1007-1009, 1016-1018, 1025-1027, 1031, 1032) has on-call PIN 4321;
  1016 has a 24-hour phone contact. Contacts cover the seven languages; the reseller
  "Demo Partner" (+447700900999, partner@partner.example) is a contact on every Europe contract.
- Contract 1002 has an end-user contact but no add-on (to try ``end_user_not_covered``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.model import OnCallPin, PlanName
from core.services.contracts import ContactSpec, ContractSpec, upsert_contract
from core.services.contracts_csv import ImportReport
from core.unit_of_work import AbstractUnitOfWork, transactional

DEMO_PIN = "4321"
THEATRES = {
    # theatre: (site time zone, phone prefix, contact languages in menu order)
    "americas": ("America/New_York", "+1305555", ("en", "es")),
    "europe": ("Europe/Rome", "+44770090", ("it", "en", "fr", "es", "de", "pt")),
    "middle_east": ("Asia/Dubai", "+9714555", ("ar", "en")),
}
PLANS: tuple[PlanName, ...] = ("basic", "gold", "platinum")
LICENCES = ("perpetual", "subscription", "cloud")
PARTNER = ContactSpec(
    name="Demo Partner", role="partner", phone="+447700900999", email="partner@partner.example"
)


@transactional
def load_demo(uow: AbstractUnitOfWork, today: date) -> ImportReport:
    """Create or refresh the demo contracts (dates relative to ``today``); idempotent."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    pins = _DemoPin()
    for spec in demo_contracts(today):
        counts[upsert_contract(uow, spec)] += 1
        if spec.plan == "platinum":
            pins.ensure(uow, spec.code)
    return ImportReport(**counts)


def demo_contracts(today: date) -> Iterator[ContractSpec]:
    """The demo contracts, as the module docstring lists them."""
    starts, ends = today - timedelta(days=200), today + timedelta(days=365)
    code = 1000
    for theatre, (zone, _prefix, _langs) in THEATRES.items():
        for plan in PLANS:
            for licence in LICENCES:
                code += 1
                week = "mon-fri"
                if theatre == "middle_east":
                    week = "sun-thu" if code % 2 else "mon-fri"
                addon = plan != "basic" and licence == "subscription"
                yield _spec(code, theatre, plan, licence, week, starts, ends, zone, addon)
    expired = (today - timedelta(days=730), today - timedelta(days=30))
    future = (today + timedelta(days=30), today + timedelta(days=760))
    eos = ("UCX Platform", "Legacy Billing")
    yield _spec(1028, "europe", "gold", "subscription", "mon-fri", *expired, "Europe/Rome")
    yield _spec(
        1029, "americas", "gold", "cloud", "mon-fri", starts, ends, "America/Chicago", paid=False
    )
    yield _spec(1030, "europe", "basic", "subscription", "mon-fri", *future, "Europe/Paris")
    yield _spec(
        1031,
        "europe",
        "platinum",
        "perpetual",
        "mon-fri",
        starts,
        ends,
        "Europe/Berlin",
        products=eos,
    )
    yield _spec(1032, "europe", "platinum", "cloud", "mon-fri", starts, ends, "Australia/Sydney")


def _spec(
    code: int,
    theatre: str,
    plan: PlanName,
    licence: str,
    week: str,
    starts: date,
    ends: date,
    zone: str,
    addon: bool = False,
    *,
    paid: bool = True,
    products: tuple[str, ...] = ("UCX Platform", "Call Recording"),
) -> ContractSpec:
    customer = f"Demo {code} {theatre.replace('_', ' ').title()} {plan.title()} {licence}"
    return ContractSpec(
        code=str(code),
        customer=customer,
        plan=plan,
        licence=licence,
        theatre=theatre,
        week=week,
        starts=starts,
        ends=ends,
        end_user_support=addon,
        paid=paid,
        timezone=zone,
        products=products,
        telemetry=licence == "cloud" or plan != "basic",
        contacts=tuple(_contacts(code, theatre, addon)),
    )


def _contacts(code: int, theatre: str, addon: bool) -> Iterator[ContactSpec]:
    _zone, prefix, languages = THEATRES[theatre]
    n = code - 1000
    yield ContactSpec(
        name=f"Admin {code}",
        role="admin",
        phone=f"{prefix}{100 + n:04d}",
        email=f"admin{code}@customer.example",
        language=languages[n % len(languages)],
        available_24h=code == 1016,  # Platinum: a critical alarm calls a 24-hour contact
    )
    if addon or code == 1002:
        yield ContactSpec(
            name=f"Operator {code}",
            role="end_user",
            phone=f"{prefix}{200 + n:04d}",
            email=f"operator{code}@customer.example",
            language=languages[(n + 1) % len(languages)],
        )
    if theatre == "europe":
        yield PARTNER


class _DemoPin:
    """Hashes the demo PIN once per load and checks each distinct stored hash once (argon2 is
    slow on purpose; the demo shares one salted hash between its Platinum contracts)."""

    def __init__(self) -> None:
        self.hasher = PasswordHasher()
        self.good: set[str] = set()

    def hash(self) -> str:
        if not self.good:
            self.good.add(self.hasher.hash(DEMO_PIN))
        return next(iter(self.good))

    def matches(self, pin_hash: str) -> bool:
        if pin_hash in self.good:
            return True
        try:
            self.hasher.verify(pin_hash, DEMO_PIN)
        except (VerificationError, InvalidHashError):
            return False
        self.good.add(pin_hash)
        return True

    def ensure(self, uow: AbstractUnitOfWork, code: str) -> None:
        contract = uow.contracts.get(code)
        assert contract is not None and contract.id is not None
        record = uow.pins.get(contract.id)
        if record is None:
            uow.pins.add(OnCallPin(contract_id=contract.id, pin_hash=self.hash()))
            return
        if not self.matches(record.pin_hash):
            record.pin_hash = self.hash()
        record.locked_until, record.failures = None, 0
