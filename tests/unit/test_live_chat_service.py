"""The live hand-off service on the in-memory fakes: names, summaries, the wait, one take."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.model import LiveChat, Transcript, Turn
from core.services import live_chat
from core.services.errors import ServiceError
from core.services.live_chat import Agent, TakenByAnother
from core.testing import FakeUnitOfWork

AT = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("email", "name"),
    [
        ("marco.rossi@example.com", "Marco"),
        ("GIULIA_bianchi@example.com", "Giulia"),
        ("ana-maria@example.com", "Ana"),
        ("agent@example.com", "Agent"),
    ],
)
def test_the_customer_sees_the_agents_first_name(email: str, name: str) -> None:
    """The part of the e-mail address before the first dot, dash, underscore or plus."""
    assert live_chat.first_name(email) == name


def test_the_summary_says_what_was_asked_and_decided() -> None:
    """Customer lines, then decision and ticket lines, then the outcome."""
    turns = [
        Turn("customer", "the fax is down", AT),
        Turn("bot", "Which product?", AT),
        Turn("system", "decision for P2: open_ticket", AT, kind="decision"),
        Turn("customer", "I want a person", AT),
    ]
    assert live_chat.summarise(turns) == (
        "Asked: the fax is down / I want a person. "
        "Decided: decision for P2: open_ticket. Outcome: handed_off"
    )


@pytest.mark.parametrize("text", [None, "", "   ", "x" * 2001])
def test_empty_or_oversized_messages_are_refused(text: object) -> None:
    with pytest.raises(ServiceError, match="1 to 2000 characters"):
        live_chat.check_text(text)


@pytest.mark.parametrize(
    ("waited", "office_open", "reason"),
    [
        (timedelta(minutes=4, seconds=59), True, None),
        (timedelta(minutes=5), True, "timeout"),
        (timedelta(seconds=1), False, "office_closed"),
        (timedelta(minutes=5), None, "timeout"),  # no contract: only the wait counts
    ],
)
def test_the_bot_comes_back_after_the_wait_or_when_the_office_closes(
    waited: timedelta, office_open: bool | None, reason: str | None
) -> None:
    chat = LiveChat(conversation_id="web-1", requested_at=AT)
    limit = timedelta(minutes=5)
    assert live_chat.wait_over(chat, office_open, AT + waited, limit) == reason


def _handed_off(uow: FakeUnitOfWork) -> LiveChat:
    transcript = Transcript("chat", "web-1", AT, outcome="handed_off", reason="live_agent")
    transcript.turns.append(Turn("customer", "a person please", AT))
    uow.transcripts.add(transcript)
    chat = live_chat.open_if_handed_off(uow, "web-1", AT, language="it")
    assert chat is not None
    return chat


def test_one_agent_takes_the_chat_and_the_next_is_told_who() -> None:
    uow = FakeUnitOfWork()
    chat = _handed_off(uow)
    assert chat.id is not None and chat.language == "it"
    live_chat.take(uow, chat.id, Agent(1, "marco@example.com"), AT)
    with pytest.raises(TakenByAnother, match="Marco has taken"):
        live_chat.take(uow, chat.id, Agent(2, "giulia@example.com"), AT)
    assert live_chat.take(uow, chat.id, Agent(1, "marco@example.com"), AT).agent_id == 1


def test_giving_back_lets_the_bot_hand_off_again() -> None:
    """The transcript's reason changes, so the bot's next hand-off is a new one."""
    uow = FakeUnitOfWork()
    chat = _handed_off(uow)
    assert chat.id is not None
    live_chat.take(uow, chat.id, Agent(1, "marco@example.com"), AT)
    live_chat.give_back(uow, chat.id, Agent(1, "marco@example.com"), AT)
    assert live_chat.open_if_handed_off(uow, "web-1", AT) is None
    assert live_chat.bot_restarted(uow, "web-1") is True
    assert live_chat.bot_restarted(uow, "web-1") is False  # once
    uow.transcripts.get("chat", "web-1").reason = "live_agent"  # type: ignore[union-attr]
    again = live_chat.open_if_handed_off(uow, "web-1", AT + timedelta(minutes=1))
    assert again is not None and again.state == "waiting" and again.agent_id is None
