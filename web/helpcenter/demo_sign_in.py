"""Demo sign-in: the visitor picks one of core.demo's contacts and the server remembers it.

The contact lives in the Flask session (signed cookie); the page only ever sees the contact's
name, code and language, never the token secret. A pick is accepted only if it is a demo
contact AND the database knows that e-mail on that contract (``frontdoor demo load`` ran), so
the token handed to the bot always names a real contact.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from core.bootstrap import Frontdoor
from core.demo import demo_contracts
from core.services import find_contract_by_code_and_email

SESSION_KEY = "helpcenter_contact"


@dataclass(frozen=True)
class DemoContact:
    """A contact the visitor can sign in as."""

    code: str
    email: str
    name: str
    role: str | None
    language: str | None
    customer: str

    @property
    def key(self) -> str:
        """The value of the sign-in form's option."""
        return f"{self.code}|{self.email}"


def demo_contacts(today: date) -> list[DemoContact]:
    """Every contact of every demo contract, in contract order."""
    return [
        DemoContact(spec.code, c.email, c.name, c.role, c.language, spec.customer)
        for spec in demo_contracts(today)
        for c in spec.contacts
        if c.email
    ]


def sign_in(fd: Frontdoor, key: str, today: date) -> DemoContact | None:
    """The demo contact picked with ``key`` (``code|email``), if the database knows it."""
    contact = next((c for c in demo_contacts(today) if c.key == key), None)
    if contact is None:
        return None
    with fd.uow() as uow:
        contract = find_contract_by_code_and_email(uow, contact.code, contact.email)
    return contact if contract is not None else None


def to_session(contact: DemoContact) -> dict[str, Any]:
    return asdict(contact)


def from_session(data: object) -> DemoContact | None:
    """The signed-in contact kept in the session, or None (also for a malformed value)."""
    if not isinstance(data, dict):
        return None
    try:
        return DemoContact(**data)
    except TypeError:
        return None
