"""Reporting a problem: what the form still needs, and the ticket or the refusal at the end.

The core decides and opens (the intake service, through the client); these helpers only turn
what the customer typed into a :class:`~core.services.Case` and the outcome into replies.
"""

from __future__ import annotations

import re

from bot import replies
from bot.conversation import Turn
from core.decision import Decision
from core.model import ROLES, Contract, Ticket
from core.services import Case

PROBLEM_SLOTS = ("product", "description", "priority", "topic", "confirmed", "requested_slot")
REPORT_INTENTS = (
    "report_problem",
    "request_remote_session",
    "request_onsite",
    "request_installation",
)
SUMMARY_CHARS = 80  # the one-line description shown before the ticket is opened
IDENTIFICATION = ["customer_code", "contact_email"]
_PRIORITY = re.compile(r"^\s*p?\s*([1-4])\b", re.IGNORECASE)
_CODE = re.compile(r"\b(\d{4,8})\b")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
MIN_DESCRIPTION_WORDS = 3


def customer_code(text: object) -> str | None:
    found = _CODE.search(str(text or ""))
    return found.group(1) if found else None


def email(text: object) -> str | None:
    found = _EMAIL.search(str(text or ""))
    return found.group(0) if found else None


def priority(value: object) -> str | None:
    """ "P2", "p2", "2" -> "P2" (NLU synonyms already map impact words to P1-P4)."""
    found = _PRIORITY.match(str(value or ""))
    return f"P{found.group(1)}" if found else None


def role(value: object) -> str | None:
    text = str(value or "").strip().casefold().replace(" ", "_")
    return text if text in ROLES else None


def product(turn: Turn, value: object) -> str | None:
    """The policy's spelling of a product the customer named (free text kept as typed)."""
    text = str(value or "").strip()
    if not text:
        return None
    policy = turn.client.policy
    names = [p.name for p in policy.products]
    names += [*policy.third_party_products, *policy.hardware_products]
    folded = text.casefold()
    exact = next((n for n in names if n.casefold() == folded), None)
    return exact or next((n for n in names if n.casefold() in folded), text)


def known_role(turn: Turn) -> str | None:
    """The role of the identified contact from the contract's record (what they say about
    themselves does not change it); None when the record has none, so the form asks."""
    contract = turn.contract()
    contact = contract.contact_by_email(str(turn.slot("contact_email") or "")) if contract else None
    return contact.role if contact else None


def requester(turn: Turn) -> str:
    """Who is asking, as the core reads it: the contact's role on record, else the role they
    gave, else an administrator."""
    return known_role(turn) or role(turn.slot("requester_role")) or "admin"


def summary_line(text: object) -> str:
    """The description on one line, cut at a word for the confirmation."""
    line = " ".join(str(text or "").split())
    if len(line) <= SUMMARY_CHARS:
        return line
    return line[:SUMMARY_CHARS].rsplit(" ", 1)[0] + "…"


def description(value: object) -> str | None:
    text = " ".join(str(value or "").split())
    return text if len(text.split()) >= MIN_DESCRIPTION_WORDS else None


def case(turn: Turn, contract: Contract, *, priority_if_unknown: str = "P4") -> Case:
    """The problem as far as the customer described it (one ticket per user message)."""
    return Case(
        channel="chat",
        conversation_id=turn.conversation_id,
        at=turn.client.now(),
        contract=contract,
        priority=priority(turn.slot("priority")) or priority_if_unknown,
        language=turn.language,
        requester=requester(turn),
        topic=turn.slot("topic") or "product",
        product=turn.slot("product"),
        summary=turn.slot("description") or "",
        idempotency_key=f"chat:{turn.conversation_id}:{turn.user_turn()}",
        # the decision and the ticket as system lines with their reason code, as on the phone
    )


def decide(turn: Turn, contract: Contract) -> Decision:
    """Where the problem as described so far would go (nothing is opened)."""
    return turn.client.assess(case(turn, contract))


def still_needed(turn: Turn) -> list[str]:
    """The report form's slots: identification, role (unless the contact's record has it),
    then — unless the core already refuses or redirects — product, description, impact and the
    customer's confirmation of what will be opened. Known slots are never asked again."""
    problem = ["product", "description", "priority", "confirmed"]
    if not turn.verified:
        return [*IDENTIFICATION, "requester_role", *problem]
    contract = turn.contract()
    if contract is None:
        return IDENTIFICATION
    if known_role(turn):
        slots = list(IDENTIFICATION)
    else:
        slots = [*IDENTIFICATION, "requester_role"]
        if not turn.slot("requester_role"):
            return [*slots, *problem]
    if decide(turn, contract).outcome in ("refuse", "redirect"):
        return slots
    return [*slots, *problem]


def submit(turn: Turn) -> None:
    """Open the ticket the core decides on, or explain its refusal once; then reset."""
    contract = turn.contract()
    if contract is None:
        turn.say("refusal_unknown_contract")
        return
    unconfirmed = turn.slot("confirmed") is not True and decide(turn, contract).outcome in (
        "open_ticket",
        "on_call",
    )
    if turn.slot("confirmed") is False or unconfirmed:
        # nothing is opened that the customer has not seen and confirmed
        turn.say("not_opened")
        turn.conclude("abandoned", "declined", contract_code=contract.code)
    else:
        intake = turn.client.submit(turn.uow, case(turn, contract), turn.take_lines())
        if intake.ticket is None:
            explain_refusal(turn, contract, intake.decision)
        else:
            _opened(turn, contract, intake.decision, intake.ticket)
            turn.say("ask_another")
    clear_problem(turn)


def clear_problem(turn: Turn) -> None:
    """Forget the problem just handled: the next report starts from nothing."""
    for name in PROBLEM_SLOTS:
        turn.set(name, None)


def explain_refusal(turn: Turn, contract: Contract, decision: Decision) -> None:
    """The reason and the next step, politely, once per conversation (then a short reminder)."""
    explained = list(turn.slot("explained_reasons") or [])
    turn.conclude(decision.outcome, decision.reason, contract_code=contract.code)
    if decision.reason in explained:
        turn.say("refusal_again")
        return
    turn.say(
        f"refusal_{decision.reason}",
        product=turn.slot("product") or "",
        starts=replies.local_date(turn.language, contract.starts),
    )
    turn.set("explained_reasons", [*explained, decision.reason])


def _opened(turn: Turn, contract: Contract, decision: Decision, ticket: Ticket) -> None:
    turn.set("last_ticket", ticket.number)
    turn.say(
        "ticket_opened",
        number=ticket.number,
        priority=turn.text(f"priority_{ticket.priority}"),
        product=turn.slot("product") or "-",
    )
    _deadline(turn, contract, decision)


def _deadline(turn: Turn, contract: Contract, decision: Decision) -> None:
    lang, zone = turn.language, contract.timezone
    no_guarantee = decision.deadline.no_guarantee if decision.deadline else None
    if decision.due is not None:
        due = replies.local_datetime(lang, decision.due, zone)
        turn.say("ticket_due_guaranteed", due=due, zone=zone)
    elif no_guarantee == "optional_language":
        name = replies.language_name(lang, decision.language or lang)
        turn.say("language_optional", language_name=name)
    else:
        turn.say("ticket_best_effort")
    if decision.reason == "closed" and decision.next_opening is not None:
        opening = replies.local_datetime(lang, decision.next_opening, zone)
        turn.say("closed_now", next_opening=opening)
    if decision.tell_on_call:
        phone = turn.client.policy.theatres[contract.theatre].phone
        turn.say("on_call_now", phone=phone)
