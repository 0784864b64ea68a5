"""The forms' questions (``action_ask_<slot>``), in the conversation language, with buttons
where the answer is one of a few values."""

from __future__ import annotations

import json

from bot.actions.base import ChatAction
from bot.conversation import Turn
from bot.reporting import summary_line
from core.model import ROLES
from core.policy import PRIORITIES


def _inform(entity: str, value: str) -> str:
    return f"/inform{json.dumps({entity: value})}"


class AskCustomerCode(ChatAction):
    def name(self) -> str:
        return "action_ask_customer_code"

    def handle(self, turn: Turn) -> None:
        turn.say("ask_customer_code")


class AskContactEmail(ChatAction):
    def name(self) -> str:
        return "action_ask_contact_email"

    def handle(self, turn: Turn) -> None:
        turn.say("ask_email")


class AskTicketNumber(ChatAction):
    def name(self) -> str:
        return "action_ask_ticket_number"

    def handle(self, turn: Turn) -> None:
        turn.say("ask_ticket_number")


class AskRequesterRole(ChatAction):
    def name(self) -> str:
        return "action_ask_requester_role"

    def handle(self, turn: Turn) -> None:
        buttons = [{"title": turn.text(f"role_{r}"), "payload": _inform("role", r)} for r in ROLES]
        turn.say("ask_role", buttons=buttons)


class AskProduct(ChatAction):
    def name(self) -> str:
        return "action_ask_product"

    def handle(self, turn: Turn) -> None:
        contract = turn.contract()
        products = contract.products if contract else []
        buttons = [{"title": p, "payload": _inform("product", p)} for p in products]
        turn.say("ask_product", buttons=buttons)


class AskDescription(ChatAction):
    def name(self) -> str:
        return "action_ask_description"

    def handle(self, turn: Turn) -> None:
        turn.say("ask_description")


class AskPriority(ChatAction):
    """Explains P1-P4 in the user's language, with one button per priority."""

    def name(self) -> str:
        return "action_ask_priority"

    def handle(self, turn: Turn) -> None:
        buttons = [
            {"title": turn.text(f"priority_{p}"), "payload": _inform("priority", p)}
            for p in PRIORITIES
        ]
        turn.say("ask_priority", buttons=buttons)


class AskConfirmed(ChatAction):
    """What will be opened (product, the description on one line, priority), confirmed with
    one click; nothing is opened before."""

    def name(self) -> str:
        return "action_ask_confirmed"

    def handle(self, turn: Turn) -> None:
        buttons = [
            {"title": turn.text("confirm_yes"), "payload": "/affirm"},
            {"title": turn.text("confirm_no"), "payload": "/deny"},
        ]
        turn.say(
            "confirm_report",
            buttons=buttons,
            product=turn.slot("product") or "-",
            description=summary_line(turn.slot("description")),
            priority=turn.text(f"priority_{turn.slot('priority')}"),
        )
