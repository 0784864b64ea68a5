"""Greetings, thanks, goodbyes, "are you a bot?", out of scope and the NLU fallback."""

from __future__ import annotations

from bot.actions.base import ChatAction, Say
from bot.conversation import Turn


class ActionGreet(ChatAction):
    def name(self) -> str:
        return "action_greet"

    def handle(self, turn: Turn) -> None:
        name = turn.slot("contact_name")
        turn.say("greet_known", name=name) if name else turn.say("greet")


class ActionGoodbye(Say):
    key = "goodbye"

    def name(self) -> str:
        return "action_goodbye"


class ActionThank(Say):
    key = "thank"

    def name(self) -> str:
        return "action_thank"


class ActionBotChallenge(Say):
    key = "bot_challenge"

    def name(self) -> str:
        return "action_bot_challenge"


class ActionNothingElse(Say):
    key = "nothing_else"

    def name(self) -> str:
        return "action_nothing_else"


class ActionOutOfScope(Say):
    key = "out_of_scope"

    def name(self) -> str:
        return "action_out_of_scope"

    def params(self, turn: Turn) -> dict[str, object]:
        return {"url": turn.client.policy.help_center_url}


class ActionFallback(Say):
    """Low NLU confidence: say what the assistant can do and give the theatre's phone."""

    key = "fallback"

    def name(self) -> str:
        return "action_fallback"

    def params(self, turn: Turn) -> dict[str, object]:
        contract = turn.contract()
        theatre = contract.theatre if contract else turn.client.policy.default_theatre
        return {"phone": turn.client.policy.theatres[theatre].phone}
