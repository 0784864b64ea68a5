"""The one decision function every channel calls (phone, chat, web, e-mail, proactive).

Given who asks, about what, when and how, :func:`decide` says whether to open a ticket, put the
caller through to the on-call service, refuse, or redirect, with a stable reason code and the
facts it used. Checks run in this order (issue #2): contract known, paid, in force, product not
past End of Support; then the topic; then the requester's level; then hours and on-call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from core.calendar import CalendarBook
from core.model import Contract
from core.policy import Policy
from core.sla import Deadline, EscalationAt, escalation_schedule, response_deadline

Outcome = Literal["open_ticket", "on_call", "refuse", "redirect"]
OnCallAccess = Literal["ok", "plan", "end_user", "asia_pacific"]
Topic = Literal["product", "installation", "hardware", "third_party", "remote_session", "onsite"]
TOPICS: tuple[Topic, ...] = (
    "product",
    "installation",
    "hardware",
    "third_party",
    "remote_session",
    "onsite",
)

# Redirects by topic, each citing the guide.
_TOPIC_REDIRECTS: dict[str, str] = {
    "third_party": "third_party_vendor",  # guide §13: the customer contacts the maker
    "hardware": "hardware_warranty",  # guide §12: manufacturer's warranty, we put them in touch
    "installation": "professional_services",  # guide §7: installation, configuration, training
    "onsite": "onsite_paid_option",  # guide §3 note 2: on-site is a paid option, by project
}


@dataclass(frozen=True)
class Request:
    """What a channel knows when a customer asks for help."""

    contract: Contract | None
    channel: str
    at: datetime
    priority: str
    language: str
    requester: str  # admin | partner | end_user
    topic: str = "product"
    product: str | None = None
    pin_verified: bool = False


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    reason: str
    theatre: str | None = None
    plan: str | None = None
    open_now: bool | None = None
    next_opening: datetime | None = None
    language: str | None = None  # the language the case is handled in
    language_class: str | None = None  # main | optional
    on_call_available: bool = False
    # policy-notes: a Platinum P1 that reaches no one out of hours (chat, web) is told how to
    # reach the on-call service instead
    tell_on_call: bool = False
    deadline: Deadline | None = None
    escalations: tuple[EscalationAt, ...] = field(default_factory=tuple)

    @property
    def due(self) -> datetime | None:
        return self.deadline.due if self.deadline else None

    @property
    def guaranteed(self) -> bool:
        return bool(self.deadline and self.deadline.guaranteed)


def is_asia_pacific(policy: Policy, zone_name: str, at: datetime) -> bool:
    """policy-notes "Contract validity": Australia/*, Pacific/*, and Asia/* at UTC+05:30 or east."""
    rules = policy.on_call.asia_pacific
    if zone_name.startswith(rules.zone_prefixes):
        return True
    if not zone_name.startswith("Asia/"):
        return False
    offset = at.astimezone(ZoneInfo(zone_name)).utcoffset()
    return offset is not None and offset >= rules.min_offset


def on_call_access(
    policy: Policy, contract: Contract, requester: str, at: datetime
) -> OnCallAccess:
    """Whether ``requester`` of ``contract`` may phone the on-call service, or why not."""
    if not policy.plans[contract.plan].on_call:
        return "plan"  # guide §6.1: Platinum only
    if requester == "end_user":
        return "end_user"  # guide §4.2: never level 1 through on-call
    if is_asia_pacific(policy, contract.timezone, at):
        return "asia_pacific"  # guide §6.1
    return "ok"


def served_language(policy: Policy, theatre: str, language: str) -> tuple[str, str]:
    """The language the case is handled in and its class there (policy-notes "Languages"):
    one outside the seven is answered in the fallback language; a known language that the
    theatre does not list is treated like an optional one (accepted, no guarantee)."""
    if language not in policy.languages:
        language = policy.fallback_language
    cls = policy.theatres[theatre].language_class(language)
    return language, ("optional" if cls == "none" else cls)


def decide(book: CalendarBook, req: Request) -> Decision:
    """Apply the support policy to one request. Pure: no I/O, time comes from ``req.at``."""
    policy = book.policy
    contract = req.contract
    if contract is None:
        return Decision("refuse", "unknown_contract")
    refusal = _contract_refusal(policy, req, contract)
    if refusal:
        return Decision("refuse", refusal, theatre=contract.theatre, plan=contract.plan)
    plan = policy.plans[contract.plan]
    topic_reason = _topic_reason(policy, req, plan.remote_session)
    if topic_reason:
        outcome: Outcome = "refuse" if topic_reason.endswith("_not_in_plan") else "redirect"
        return Decision(outcome, topic_reason, theatre=contract.theatre, plan=contract.plan)
    if req.requester == "end_user" and not (plan.end_user_addon and contract.end_user_support):
        # guide §4.2: level 1 only with the add-on, Gold/Platinum only
        return Decision(
            "refuse", "end_user_not_covered", theatre=contract.theatre, plan=contract.plan
        )
    return _by_hours(book, req, contract)


def _contract_refusal(policy: Policy, req: Request, contract: Contract) -> str | None:
    zone = policy.theatres[contract.theatre].zone
    if not contract.paid:
        return "payment_overdue"  # guide §14: no obligation until paid
    if not contract.has_started(req.at, zone):
        return "contract_not_started"
    if not contract.in_force(req.at, zone):
        return "contract_expired"  # guide §15
    if req.product:
        product = policy.product(req.product)
        local_day = req.at.astimezone(zone).date()
        if product and product.end_of_support and local_day > product.end_of_support:
            return "end_of_support"  # guide §8.3, §15
    return None


def _topic_reason(policy: Policy, req: Request, remote_allowed: bool) -> str | None:
    topic = req.topic
    # issue #2 check order: third party, hardware, installation, on-site, remote session. The
    # product named decides first, whatever the topic (installing JAWS is still JAWS's maker's).
    if req.product:
        if policy.is_third_party(req.product):
            topic = "third_party"
        elif policy.is_hardware(req.product):
            topic = "hardware"
    if topic in _TOPIC_REDIRECTS:
        return _TOPIC_REDIRECTS[topic]
    if topic == "remote_session" and not remote_allowed:
        return "remote_session_not_in_plan"  # guide §3 note 1
    return None


def _by_hours(book: CalendarBook, req: Request, contract: Contract) -> Decision:
    policy = book.policy
    calendar = book.for_plan(contract.theatre, contract.week, contract.plan)
    open_now = calendar.is_open(req.at)
    on_call_available = on_call_access(policy, contract, req.requester, req.at) == "ok"
    language, language_class = served_language(policy, contract.theatre, req.language)
    facts = dict(
        theatre=contract.theatre,
        plan=contract.plan,
        open_now=open_now,
        next_opening=calendar.next_opening(req.at),
        on_call_available=on_call_available,
    )
    # guide §6.1 (phone with PIN) and §10.3 (a critical alarm calls the on-call engineer)
    on_call_case = (
        not open_now
        and on_call_available
        and req.priority == "P1"
        and req.channel in ("phone", "proactive")
    )
    if on_call_case and req.channel == "phone" and not req.pin_verified:
        return Decision("refuse", "on_call_pin_required", **facts)  # type: ignore[arg-type]
    if on_call_case:
        # guide §6.1: the on-call service is in English only
        language, language_class = policy.on_call.language, "main"
    around_the_clock = on_call_available and (open_now or on_call_case)
    tell_on_call = on_call_available and not open_now and not on_call_case and req.priority == "P1"
    case = {
        "theatre": contract.theatre,
        "week": contract.week,
        "plan": contract.plan,
        "priority": req.priority,
        "opened": req.at,
    }
    deadline = response_deadline(
        book,
        **case,  # type: ignore[arg-type]
        channel=req.channel,
        language_class=language_class,
        around_the_clock=around_the_clock,
    )
    escalations = escalation_schedule(book, **case)  # type: ignore[arg-type]
    outcome: Outcome = "on_call" if on_call_case else "open_ticket"
    reason = "ok" if open_now or on_call_case else "closed"
    return Decision(
        outcome,
        reason,
        language=language,
        language_class=language_class,
        deadline=deadline,
        escalations=tuple(escalations),
        tell_on_call=tell_on_call,
        **facts,  # type: ignore[arg-type]
    )
