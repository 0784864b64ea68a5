"""Contract look-ups (by code, by a contact's phone, by code + e-mail) and the upsert shared by
the CSV import and the demo data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from core.model import Contact, Contract, Customer, PlanName, Role
from core.phone import is_e164 as is_e164  # re-exported: core.services.is_e164
from core.unit_of_work import AbstractUnitOfWork, transactional

UpsertOutcome = Literal["created", "updated", "unchanged"]


@transactional
def find_contract(uow: AbstractUnitOfWork, code: str) -> Contract | None:
    """The contract with this code (the digits a caller types on the keypad), if any."""
    return uow.contracts.get(code.strip())


@transactional
def contracts_by_phone(uow: AbstractUnitOfWork, phone: str) -> list[Contract]:
    """Every contract on which ``phone`` (E.164) is a contact's number; [] for a bad number."""
    if not is_e164(phone):
        return []
    return uow.contracts.by_phone(phone)


@transactional
def find_contract_by_phone(uow: AbstractUnitOfWork, phone: str) -> Contract | None:
    """The caller's contract when the number identifies exactly one; None when it is unknown or
    shared by several contracts (a reseller), so the channel must ask for the code."""
    found = contracts_by_phone(uow, phone)
    return found[0] if len(found) == 1 else None


@transactional
def find_contract_by_code_and_email(
    uow: AbstractUnitOfWork, code: str, email: str
) -> Contract | None:
    """The contract with this code if ``email`` is one of its contacts (chat identification)."""
    contract = find_contract(uow, code)
    if contract is None or contract.contact_by_email(email) is None:
        return None
    return contract


@dataclass(frozen=True)
class ContactSpec:
    """A contact as a CSV row or the demo data describe it; ``role`` None: not known (not an
    administrator: the IVR and the chat ask the caller)."""

    name: str
    role: Role | None = None
    phone: str | None = None
    email: str | None = None
    language: str | None = None
    available_24h: bool = False

    def same_person(self, contact: Contact) -> bool:
        if self.phone:
            return contact.phone == self.phone
        return (
            bool(self.email) and (contact.email or "").casefold() == (self.email or "").casefold()
        )

    def build(self) -> Contact:
        return Contact(
            name=self.name,
            role=self.role,
            phone=self.phone,
            email=self.email,
            language=self.language,
            available_24h=self.available_24h,
        )


@dataclass(frozen=True)
class ContractSpec:
    """The wanted state of a contract, as a CSV row or the demo data describe it."""

    code: str
    customer: str
    plan: PlanName
    licence: str
    theatre: str
    week: str
    starts: date
    ends: date
    end_user_support: bool = False
    paid: bool = True
    timezone: str = "UTC"
    products: tuple[str, ...] = ()
    telemetry: bool = True
    contacts: tuple[ContactSpec, ...] = field(default_factory=tuple)

    def fields(self) -> dict[str, object]:
        return {
            "plan": self.plan,
            "licence": self.licence,
            "theatre": self.theatre,
            "week": self.week,
            "starts": self.starts,
            "ends": self.ends,
            "end_user_support": self.end_user_support,
            "paid": self.paid,
            "timezone": self.timezone,
            "products": list(self.products),
            "telemetry": self.telemetry,
        }


@transactional
def upsert_contract(uow: AbstractUnitOfWork, spec: ContractSpec) -> UpsertOutcome:
    """Create the contract or bring it to ``spec`` by code.
    Contacts already on the contract are kept; contacts of ``spec`` not yet there are added; a
    role ``spec`` gives is set on the contact it matches (a role left out changes nothing)."""
    contract = uow.contracts.get(spec.code)
    customer = _customer(uow, spec.customer, contract)
    if contract is None:
        contract = Contract(code=spec.code, customer=customer, **spec.fields())  # type: ignore[arg-type]
        contract.contacts = [c.build() for c in spec.contacts]
        uow.contracts.add(contract)
        return "created"
    changed = contract.customer is not customer
    contract.customer = customer
    for name, value in spec.fields().items():
        if getattr(contract, name) != value:
            setattr(contract, name, value)
            changed = True
    for wanted in spec.contacts:
        for known in contract.contacts:
            if wanted.role is not None and wanted.same_person(known) and known.role != wanted.role:
                known.role, changed = wanted.role, True
    missing = [c for c in spec.contacts if not any(c.same_person(k) for k in contract.contacts)]
    if missing:
        contract.contacts = [*contract.contacts, *(c.build() for c in missing)]
    return "updated" if changed or missing else "unchanged"


def _customer(uow: AbstractUnitOfWork, name: str, contract: Contract | None) -> Customer:
    if contract is not None and contract.customer.name == name:
        return contract.customer
    return uow.contracts.customer_named(name) or Customer(name=name)
