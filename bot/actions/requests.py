"""After identification: answer the question the customer asked (``pending_request``), and
submit the problem report."""

from __future__ import annotations

from bot import answers, reporting
from bot.actions.base import ChatAction
from bot.conversation import Turn


class ActionResume(ChatAction):
    """Runs when the request form is done: the answer to the pending question."""

    def name(self) -> str:
        return "action_resume"

    def handle(self, turn: Turn) -> None:
        contract = turn.contract()
        if contract is None:
            turn.say("identify_failed")
            return
        handler = answers.HANDLERS.get(turn.slot("pending_request") or "")
        if handler is None:
            turn.say("greet_known", name=turn.slot("contact_name") or "")
            return
        handler(turn, contract)
        turn.set("pending_request", None)


class ActionSubmitReport(ChatAction):
    """Runs when the report form is done: a ticket, or the reason there is none."""

    def name(self) -> str:
        return "action_submit_report"

    def handle(self, turn: Turn) -> None:
        reporting.submit(turn)
