"""Proactive support: which monitoring alarms open a ticket, and who is called (guide §10).

policy-notes "Proactive support": available with Gold and Platinum on-prem and with every cloud
licence (``plans.*.proactive_licences`` in the policy file), with telemetry enabled on the
contract; an alarm opens a ticket automatically. Gold is handled in business hours by priority;
a Platinum critical alarm out of hours calls the on-call engineer, which needs a 24-hour phone
contact on the contract. Basic on-prem telemetry only enriches the tickets the customer opens.

Validity, hours and on-call come from :func:`core.decision.decide` with channel "proactive"
(a Platinum P1 outside office hours gives ``on_call``); this module adds only what is specific
to alarms. The on-call call itself is an outbox row, placed by the worker (channel ``oncall``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from core.calendar import CalendarBook
from core.decision import Decision, Request, decide
from core.model import Contact, Contract
from core.policy import Policy

AlertOutcome = Literal["ticket", "on_call", "enhanced", "ignored"]
CHANNEL = "proactive"
REQUESTER = "admin"  # alarms come from the customer's platform, run by its administrators (L2)


@dataclass(frozen=True)
class AlertNotice:
    """One alert of a monitoring webhook, as the channel read it (Alertmanager webhook v4)."""

    fingerprint: str
    status: str  # firing | resolved
    starts_at: datetime
    ends_at: datetime | None
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    contract_code: str | None

    @property
    def name(self) -> str:
        return self.labels.get("alertname") or "alert"

    @property
    def severity(self) -> str | None:
        return self.labels.get("severity")

    @property
    def product(self) -> str | None:
        return self.labels.get("product") or None

    @property
    def summary(self) -> str:
        """What the ticket and the on-call call say: the summary annotation, else the name."""
        return (self.annotations.get("summary") or self.name).strip()

    @property
    def description(self) -> str:
        return (self.annotations.get("description") or "").strip()


@dataclass(frozen=True)
class Verdict:
    """What an alarm does: open a ticket (and page on-call), enrich later tickets, or nothing."""

    outcome: AlertOutcome
    reason: str
    priority: str | None = None
    decision: Decision | None = None

    @property
    def opens_ticket(self) -> bool:
        return self.outcome in ("ticket", "on_call")


def priority_for(policy: Policy, severity: str | None) -> str | None:
    """The ticket priority of a monitoring severity (policy ``severity_priority``), if known."""
    if severity is None:
        return None
    return policy.severity_priority.get(severity.strip().casefold())


def assess(
    book: CalendarBook, contract: Contract | None, notice: AlertNotice, at: datetime
) -> Verdict:
    """Apply the proactive-support rules to one firing alarm received at ``at``.

    Order: contract named and known, severity known, then the decision function (paid, in
    force, product supported; hours and on-call), then telemetry, then the plan's licences.
    """
    if notice.contract_code is None:
        return Verdict("ignored", "no_contract_label")
    if contract is None:
        return Verdict("ignored", "unknown_contract")
    priority = priority_for(book.policy, notice.severity)
    if priority is None:
        return Verdict("ignored", "unknown_severity")
    request = Request(
        contract=contract,
        channel=CHANNEL,
        at=at,
        priority=priority,
        language=book.policy.fallback_language,  # telemetry carries no language
        requester=REQUESTER,
        product=notice.product,
    )
    decision = decide(book, request)
    if decision.outcome not in ("open_ticket", "on_call"):
        return Verdict("ignored", decision.reason, priority, decision)
    if not contract.telemetry:
        return Verdict("ignored", "telemetry_disabled", priority, decision)
    if contract.licence not in book.policy.plans[contract.plan].proactive_licences:
        # policy-notes: Basic on-prem telemetry only enriches the tickets the customer opens
        return Verdict("enhanced", "proactive_not_in_plan", priority, decision)
    outcome: AlertOutcome = "on_call" if decision.outcome == "on_call" else "ticket"
    return Verdict(outcome, decision.reason, priority, decision)


def on_call_contact(contract: Contract) -> Contact | None:
    """The contract's 24-hour phone contact (guide §10.3: needed for the on-call call)."""
    return next((c for c in contract.contacts if c.available_24h and c.phone), None)


@dataclass(frozen=True)
class OnCallPage:
    """What the on-call engineer is told about a critical alarm."""

    ticket: str
    priority: str
    customer: str
    contract_code: str
    product: str | None
    summary: str
    contact_name: str
    contact_phone: str


@dataclass(frozen=True)
class CallAttempt:
    """One on-call call queued or placed, or not made (``error``)."""

    to: str
    sid: str | None = None
    error: str | None = None
