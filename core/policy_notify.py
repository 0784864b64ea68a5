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
Everyone gets an e-mail; ``phone_channels`` adds an SMS or a voice call, by priority, for the
people with a phone (default: an SMS for P1).

``webhooks`` are the operator's HTTP endpoints (chat ops, paging tools), each told of the
events it subscribes to (docs/webhooks.md); their signing secrets are settings, not policy::

    webhooks:
      - {name: chatops, url: "https://chat.example.com/hooks/frontdoor", events: [breach]}
"""

from __future__ import annotations

import re
from typing import Any, Literal

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


PhoneChannel = Literal["sms", "call"]
EventKind = Literal[
    "ticket_opened", "escalation_due", "breach_warning", "breach", "taken_in_charge", "resolved"
]
EVENT_KINDS: tuple[EventKind, ...] = (
    "ticket_opened",
    "escalation_due",
    "breach_warning",
    "breach",
    "taken_in_charge",
    "resolved",
)


def _sms_for_p1() -> dict[str, tuple[PhoneChannel, ...]]:
    return {"P1": ("sms",)}


class Notifications(_Frozen):
    breach_warning_share: float = Field(0.75, gt=0, lt=1)
    # priority -> the channels added to the e-mail for people with a phone
    phone_channels: dict[str, tuple[PhoneChannel, ...]] = Field(default_factory=_sms_for_p1)
    ticket_opened: tuple[str, ...] = ("Support team",)
    breach_warning: tuple[str, ...] = ("Support team",)
    breach: tuple[str, ...] = ("Support team", "Support Regional Manager")

    def roles(self) -> set[str]:
        return {
            *self.ticket_opened,
            *self.breach_warning,
            *self.breach,
        }


class Webhook(_Frozen):
    """An endpoint told of a ticket's events by a signed POST (secret: settings, by name)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    url: str = Field(pattern=r"^https?://[^\s/]+(/\S*)?$")
    events: tuple[EventKind, ...] = EVENT_KINDS


def webhook_problems(
    webhooks: tuple[Webhook, ...], priorities: set[str], n: Notifications
) -> list[str]:
    """Two endpoints of one name, or phone channels for a priority that does not exist."""
    names = [w.name for w in webhooks]
    problems = [
        f"webhooks: name {x!r} used twice" for x in sorted({x for x in names if names.count(x) > 1})
    ]
    problems += [
        f"notifications -> phone_channels: unknown priority {p!r}"
        for p in n.phone_channels
        if p not in priorities
    ]
    return problems


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
