"""Who is told about a ticket's clock, and when (policy ``escalation_contacts``, ``notifications``).

Operator data, validated strictly with the rest of the policy (:mod:`core.policy` checks that
theatres, languages and roles named here exist)::

    escalation_contacts:
      europe:
        Support team:
          - {name: Giulia Rossi, email: support-eu@example.com, language: it}

``notifications`` names the roles told when a ticket opens, when its deadline is near (at
``breach_warning_share`` of the target, on the business clock) and when it is missed. When it
is taken in charge, the people told of the opening and those already escalated to are told.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.phone import is_e164

_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EscalationContact(_Frozen):
    name: str = Field(min_length=1)
    email: str
    language: str
    phone: str | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if not _EMAIL.match(value):
            raise ValueError(f"not an e-mail address: {value!r}")
        return value

    @field_validator("phone")
    @classmethod
    def _e164(cls, value: str | None) -> str | None:
        if value is not None and not is_e164(value):
            raise ValueError(f"not an E.164 number: {value!r}")
        return value


# theatre -> role (as the escalation ladder names it) -> the people of that role
EscalationContacts = dict[str, dict[str, tuple[EscalationContact, ...]]]


class Notifications(_Frozen):
    breach_warning_share: float = Field(0.75, gt=0, lt=1)
    ticket_opened: tuple[str, ...] = ("Support team",)
    breach_warning: tuple[str, ...] = ("Support team",)
    breach: tuple[str, ...] = ("Support team", "Support Regional Manager")

    def roles(self) -> set[str]:
        return {
            *self.ticket_opened,
            *self.breach_warning,
            *self.breach,
        }


def contact_problems(
    contacts: EscalationContacts,
    *,
    theatres: set[str],
    languages: set[str],
    roles: set[str],
) -> list[str]:
    """What is wrong in ``escalation_contacts``: unknown theatres, roles and languages."""
    problems: list[str] = []
    for theatre, by_role in contacts.items():
        where = f"escalation_contacts -> {theatre}"
        if theatre not in theatres:
            problems.append(f"{where}: no theatre {theatre!r}")
        for role, people in by_role.items():
            if role not in roles:
                problems.append(f"{where}: unknown role {role!r} (not in escalation/notifications)")
            problems.extend(
                f"{where} -> {role} -> {n}: unknown language {p.language!r}"
                for n, p in enumerate(people)
                if p.language not in languages
            )
    return problems


def contact_dict(contact: EscalationContact) -> dict[str, Any]:
    """A contact as plain JSON data (an outbox payload's recipient)."""
    return {
        "name": contact.name,
        "email": contact.email,
        "language": contact.language,
        "phone": contact.phone,
    }
