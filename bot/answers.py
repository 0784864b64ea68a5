"""Answers to an identified customer's questions (financial-demo style: helpers outside actions).

Each function reads the customer's contract and what the core says about it (calendars, plan,
decisions) and sends the replies through a :class:`~bot.conversation.Turn`. Nothing here decides
a policy question on its own: open hours come from the core's calendars, tickets and refusals
from ``core.decision.decide``.
"""

from __future__ import annotations

from collections.abc import Callable

from rasa_sdk.events import ConversationPaused, FollowupAction

from bot import replies, reporting
from bot.conversation import Turn
from core.decision import OnCallAccess, on_call_access
from core.hours import office_hours
from core.model import Contract
from core.sla import guaranteed_priorities


def ticket_status(turn: Turn, contract: Contract) -> None:
    """The status of one of the contract's own tickets (another contract's is "not found")."""
    number = "".join(ch for ch in str(turn.slot("ticket_number") or "") if ch.isdigit())
    ticket = turn.client.own_ticket(turn.uow, contract, number) if number else None
    turn.set("ticket_number", None)
    if ticket is None:
        turn.say("ticket_unknown", number=number or "?")
        return
    turn.say(
        "ticket_status",
        number=ticket.number,
        priority=turn.text(f"priority_{ticket.priority}"),
        summary=ticket.summary,
        status=turn.text(f"status_{ticket.status}"),
    )
    if ticket.due_at is not None and ticket.status in ("open", "waiting"):
        due = replies.local_datetime(turn.language, ticket.due_at, contract.timezone)
        turn.say("ticket_status_due", due=due, zone=contract.timezone)


def hours(turn: Turn, contract: Contract) -> None:
    """Open now or next opening, office hours, Saturdays/holidays, on-call for Platinum."""
    lang = turn.language
    facts = office_hours(turn.client.book, contract, turn.client.now())
    zone = facts.zone
    if facts.closes_at is not None:
        turn.say(
            "hours_open_now", closes=replies.local_clock(lang, facts.closes_at, zone), zone=zone
        )
    elif facts.next_opening is not None:
        opening = replies.local_datetime(lang, facts.next_opening, zone)
        turn.say("hours_closed_now", next_opening=opening, zone=zone)
    turn.say(
        "hours_week",
        theatre=turn.text(f"theatre_{contract.theatre}"),
        days=replies.day_names(lang, facts.working_days),
        open=f"{facts.hours.open:%H:%M}",
        close=f"{facts.hours.close:%H:%M}",
        zone=zone,
    )
    if facts.reduced_days:
        turn.say(
            "hours_saturday_yes",
            plan=contract.plan.title(),
            open=f"{facts.reduced_hours.open:%H:%M}",
            close=f"{facts.reduced_hours.close:%H:%M}",
        )
    else:
        turn.say("hours_saturday_no")
    if on_call_line(turn, contract):
        turn.say("hours_on_call", phone=facts.phone)


def on_call_line(turn: Turn, contract: Contract) -> bool:
    """Whether the core offers this requester the on-call service."""
    return _on_call_access(turn, contract) == "ok"


def _on_call_access(turn: Turn, contract: Contract) -> OnCallAccess:
    requester = reporting.requester(turn)
    return on_call_access(turn.client.policy, contract, requester, turn.client.now())


def on_call(turn: Turn, contract: Contract) -> None:
    """ "Is anyone on call? It's urgent": in hours, the team is there now; out of hours, the
    on-call line with the PIN for those who may use it, otherwise why not and when we open."""
    lang = turn.language
    facts = office_hours(turn.client.book, contract, turn.client.now())
    if facts.closes_at is not None:
        closes = replies.local_clock(lang, facts.closes_at, facts.zone)
        turn.say("on_call_office_open", closes=closes, zone=facts.zone, phone=facts.phone)
        return
    access = _on_call_access(turn, contract)
    if access == "ok":
        turn.say("on_call_now", phone=facts.phone)
        return
    turn.say(f"on_call_no_{access}", plan=contract.plan.title())
    if facts.next_opening is not None:
        opening = replies.local_datetime(lang, facts.next_opening, facts.zone)
        turn.say("office_opens", next_opening=opening, zone=facts.zone)


def plan(turn: Turn, contract: Contract) -> None:
    """What the customer's plan includes, from the policy file."""
    policy = turn.client.policy
    features = policy.plans[contract.plan]
    guaranteed = guaranteed_priorities(policy, contract.plan)
    if len(guaranteed) == len(policy.sla[contract.plan]):
        sla = turn.text("plan_sla_yes")
    elif guaranteed:
        sla = turn.text("plan_sla_some", priorities=", ".join(guaranteed))
    else:
        sla = turn.text("plan_sla_no")
    lines = [
        turn.text("plan_remote_yes" if features.remote_session else "plan_remote_no"),
        sla,
        turn.text("plan_saturday_yes" if features.extended_hours else "plan_saturday_no"),
        turn.text("plan_on_call_yes" if features.on_call else "plan_on_call_no"),
        turn.text("plan_end_user_yes" if contract.end_user_support else "plan_end_user_no"),
    ]
    intro = turn.text(
        "plan_intro",
        plan=contract.plan.title(),
        licence=turn.text(f"licence_{contract.licence}"),
        ends=replies.local_date(turn.language, contract.ends),
    )
    turn.say_text("\n".join([intro, *(f"• {line}" for line in lines)]))


def contact(turn: Turn, contract: Contract) -> None:
    theatre = turn.client.policy.theatres[contract.theatre]
    turn.say(
        "contact",
        theatre=turn.text(f"theatre_{contract.theatre}"),
        phone=theatre.phone,
        url=turn.client.policy.help_center_url,
    )


def renewal(turn: Turn, contract: Contract) -> None:
    turn.say(f"renew_{contract.licence}")
    turn.say("renew_ends", ends=replies.local_date(turn.language, contract.ends))


def handoff(turn: Turn, contract: Contract) -> None:
    """In office hours a live agent takes over (the bot pauses); otherwise a ticket."""
    facts = office_hours(turn.client.book, contract, turn.client.now())
    if facts.open_now:
        turn.say("handoff_now")
        turn.conclude("handed_off", "live_agent", contract_code=contract.code)
        turn.events.append(ConversationPaused())
        return
    assert facts.next_opening is not None
    opening = replies.local_datetime(turn.language, facts.next_opening, facts.zone)
    turn.say("handoff_closed", next_opening=opening)
    if on_call_line(turn, contract):
        turn.say("handoff_on_call", phone=facts.phone)
    turn.events.append(FollowupAction("action_new_report"))


HANDLERS: dict[str, Callable[[Turn, Contract], None]] = {
    "ticket_status": ticket_status,
    "ask_hours": hours,
    "ask_plan": plan,
    "ask_contact": contact,
    "renew_contract": renewal,
    "human_handoff": handoff,
    "ask_on_call": on_call,
}
