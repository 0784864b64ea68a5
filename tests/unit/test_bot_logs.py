"""A chat action run is one ``chat.action`` log event under its conversation id, without what
the user typed."""

from __future__ import annotations

from bot.actions.questions import AskPriority
from tests.log_lines import json_logs
from tests.unit.bot_kit import demo_client

from .test_bot_report import identified


def test_an_action_run_logs_its_name_intent_and_conversation_but_not_the_users_text() -> None:
    chat = identified(demo_client(), "1016").user("server down, call me on +447700900113")
    with json_logs() as out:
        chat.run(AskPriority())
    (event,) = out.events("chat.action")
    assert (event["action"], event["intent"], event["conversation_id"]) == (
        "action_ask_priority",
        "inform",
        chat.sender,
    )
    assert event["replies"] == 1 and event["language"] == "en"
    assert "server down" not in out.getvalue() and "7700900113" not in out.getvalue()
