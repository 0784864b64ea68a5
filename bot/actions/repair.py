"""Conversation repair: a new report starts clean, "never mind" ends a form with nothing opened,
and a question asked inside a form is answered before the form asks its question again."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import ActiveLoop

from bot import answers, reporting
from bot.actions.base import ChatAction
from bot.conversation import Turn

# Slots a message fills from its own entity of the same name when it starts a report
# (domain.yml mappings)
_FROM_ENTITIES = ("product", "priority")
_SMALL_TALK = frozenset({"bot_challenge"})  # answered with the reply of the same key


def _latest(turn: Turn) -> dict[str, Any]:
    latest: dict[str, Any] = turn.tracker.latest_message or {}
    return latest


class ActionNewReport(ChatAction):
    """Before the report form: keep only what the message that starts this report says (its
    product and impact entities, its text as the description); forget the rest."""

    def name(self) -> str:
        return "action_new_report"

    def handle(self, turn: Turn) -> None:
        latest = _latest(turn)
        entities = {e.get("entity") for e in latest.get("entities") or []}
        intent = (latest.get("intent") or {}).get("name")
        for slot in _FROM_ENTITIES:
            if slot not in entities:
                turn.set(slot, None)
        if intent not in reporting.REPORT_INTENTS:
            turn.set("description", None)
            turn.set("topic", "product")
        turn.set("confirmed", None)
        turn.set("requested_slot", None)


class ActionCancel(ChatAction):
    """ "Never mind": the active form ends, nothing is opened, the problem is forgotten."""

    def name(self) -> str:
        return "action_cancel"

    def handle(self, turn: Turn) -> None:
        in_form = bool((turn.tracker.active_loop or {}).get("name"))
        turn.say("cancelled" if in_form else "nothing_else")
        reporting.clear_problem(turn)
        turn.set("pending_request", None)
        if in_form:
            turn.conclude("abandoned", "cancelled")  # the console's "abandoned" outcome
            turn.events.append(ActiveLoop(None))


class ActionAnswerQuestion(ChatAction):
    """A question inside a form: answered now (the form then asks its question again). The
    answer needs the contract; before identification the customer is told it comes after."""

    def name(self) -> str:
        return "action_answer_question"

    def handle(self, turn: Turn) -> None:
        intent = str((_latest(turn).get("intent") or {}).get("name") or "")
        if intent in _SMALL_TALK:
            turn.say(intent)
            return
        handler = answers.HANDLERS.get(intent)
        if handler is None:
            return
        contract = turn.contract()
        if contract is None:
            turn.say("answer_after_identification")
            return
        if intent == "ticket_status" and not turn.slot("ticket_number"):
            if not turn.slot("last_ticket"):
                turn.say("status_needs_number")
                return
            turn.set("ticket_number", turn.slot("last_ticket"))
        handler(turn, contract)
        # inside a form nothing else starts: the form itself asks its question again
        turn.events[:] = [e for e in turn.events if not _is_followup(e)]
        if any(isinstance(e, dict) and e.get("event") == "pause" for e in turn.events):
            # handed to a person (office hours): the form ends, the agent takes it from here
            turn.events.append(ActiveLoop(None))


def _is_followup(event: Any) -> bool:
    return isinstance(event, dict) and event.get("event") == "followup"
