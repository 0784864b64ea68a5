"""Answers to an identified customer's questions (financial-demo style: helpers outside actions).

Each function reads the customer's contract and what the core says about it (calendars, plan,
decisions) and sends the replies through a :class:`~bot.conversation.Turn`. Nothing here decides
a policy question on its own: open hours come from the core's calendars, tickets and refusals
from ``core.decision.decide``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from rasa_sdk.events import ConversationPaused, FollowupAction

from bot import replies, reporting
from bot.conversation import Turn
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
    policy, now, lang = turn.client.policy, turn.client.now(), turn.language
    theatre = policy.theatres[contract.theatre]
    calendar = turn.client.book.for_plan(contract.theatre, contract.week, contract.plan)
    zone = theatre.timezone
    if calendar.is_open(now):
        turn.say(
            "hours_open_now",
            closes=replies.local_clock(lang, calendar.next_closing(now), zone),
            zone=zone,
        )
    else:
        opening = replies.local_datetime(lang, calendar.next_opening(now), zone)
        turn.say("hours_closed_now", next_opening=opening, zone=zone)
    week = theatre.weeks[contract.week or theatre.default_week]
    turn.say(
        "hours_week",
        theatre=turn.text(f"theatre_{contract.theatre}"),
        days=replies.day_names(lang, week.working_days),
        open=f"{theatre.office_hours.open:%H:%M}",
        close=f"{theatre.office_hours.close:%H:%M}",
        zone=zone,
    )
    plan = policy.plans[contract.plan]
    if plan.extended_hours:
        extended = theatre.extended_hours
        turn.say(
            "hours_saturday_yes",
            plan=contract.plan.title(),
            open=f"{extended.open:%H:%M}",
            close=f"{extended.close:%H:%M}",
        )
    else:
        turn.say("hours_saturday_no")
    if on_call_line(turn, contract):
        turn.say("hours_on_call", phone=theatre.phone)


def on_call_line(turn: Turn, contract: Contract) -> bool:
    """Whether the core offers this contract's administrators the on-call service."""
    case = reporting.case(turn, contract, priority_if_unknown="P1")
    return turn.client.assess(replace(case, priority="P1", requester="admin")).on_call_available


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
    now = turn.client.now()
    calendar = turn.client.book.for_plan(contract.theatre, contract.week, contract.plan)
    if calendar.is_open(now):
        turn.say("handoff_now")
        turn.conclude("handed_off", "live_agent", contract_code=contract.code)
        turn.events.append(ConversationPaused())
        return
    zone = turn.client.policy.theatres[contract.theatre].timezone
    opening = replies.local_datetime(turn.language, calendar.next_opening(now), zone)
    turn.say("handoff_closed", next_opening=opening)
    if on_call_line(turn, contract):
        phone = turn.client.policy.theatres[contract.theatre].phone
        turn.say("handoff_on_call", phone=phone)
    turn.events.append(FollowupAction("report_form"))


HANDLERS: dict[str, Callable[[Turn, Contract], None]] = {
    "ticket_status": ticket_status,
    "ask_hours": hours,
    "ask_plan": plan,
    "ask_contact": contact,
    "renew_contract": renewal,
    "human_handoff": handoff,
}
