"""What every part of the live hand-off shares: its constants and errors, the agent, and the
helpers that lock a chat and append its events and transcript lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core.model import LiveChat, LiveEvent, Turn
from core.services.errors import ServiceError
from core.services.transcripts import add_turn
from core.unit_of_work import AbstractUnitOfWork

CHANNEL = "chat"
HANDED_OFF, LIVE_AGENT = "handed_off", "live_agent"  # the bot's outcome and reason
QUEUE_STATES = ("waiting", "taken")
MAX_TEXT = 2000
SUMMARY_CHARS = 400
PRIORITIES = ("P1", "P2", "P3", "P4")


class LiveChatError(ServiceError):
    """The chat is not in a state that allows this (not yours, already over, unknown)."""


class TakenByAnother(LiveChatError):
    def __init__(self, name: str | None):
        super().__init__(f"{name or 'another agent'} has taken this conversation")
        self.name = name


@dataclass(frozen=True)
class Agent:
    """The signed-in staff member acting on a chat."""

    id: int
    email: str

    @property
    def first_name(self) -> str:
        return first_name(self.email)

    @property
    def speaker(self) -> str:
        return f"agent:{self.id}"


def first_name(email: str) -> str:
    """What the customer sees of an agent: "marco.rossi@x.example" -> "Marco"."""
    local = email.split("@", 1)[0]
    for separator in "._-+":
        local = local.split(separator, 1)[0]
    return local[:1].upper() + local[1:].lower() if local else "Agent"


def check_text(text: object) -> str:
    """A message of 1 to 2,000 characters, stripped; anything else is refused."""
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        raise ServiceError(f"Send a message of 1 to {MAX_TEXT} characters.")
    return text.strip()


def summarise(turns: Sequence[Turn], outcome: str | None = None) -> str:
    """The bot's summary so far: what the customer asked and what was decided (decision and
    ticket lines), from the transcript, on one short line."""
    asked = [t.text for t in turns if t.speaker == "customer" and t.kind == "say"]
    decided = [t.text for t in turns if t.kind in ("decision", "ticket")]
    parts = []
    if asked:
        parts.append("Asked: " + " / ".join(" ".join(a.split()) for a in asked[-4:]))
    if decided:
        parts.append("Decided: " + "; ".join(decided[-3:]))
    parts.append(f"Outcome: {outcome or HANDED_OFF}")
    line = ". ".join(parts)
    return line if len(line) <= SUMMARY_CHARS else line[: SUMMARY_CHARS - 1] + "…"


# -- helpers -------------------------------------------------------------------------------
def _id(chat: LiveChat) -> int:
    assert chat.id is not None
    return chat.id


def _locked(uow: AbstractUnitOfWork, chat_id: int) -> LiveChat:
    chat = uow.live.get_by_id(chat_id, lock=True)
    if chat is None:
        raise LiveChatError(f"no live chat {chat_id}")
    return chat


def _reread(uow: AbstractUnitOfWork, chat: LiveChat) -> LiveChat:
    return _locked(uow, _id(chat))


def _held(uow: AbstractUnitOfWork, chat_id: int, agent: Agent) -> LiveChat:
    chat = _locked(uow, chat_id)
    if chat.state == "taken" and chat.agent_id != agent.id:
        raise TakenByAnother(chat.agent_name)
    if chat.state != "taken":
        raise LiveChatError(f"this conversation is {chat.state}: take it first")
    return chat


def _message(
    uow: AbstractUnitOfWork,
    chat: LiveChat,
    speaker: str,
    text: str,
    at: datetime,
    agent: Agent | None = None,
    buttons: Sequence[dict[str, str]] = (),
) -> LiveEvent:
    add_turn(
        uow,
        channel=CHANNEL,
        conversation_id=chat.conversation_id,
        speaker=speaker,
        text=text,
        at=at,
    )
    kind = speaker.split(":", 1)[0]
    event = LiveEvent(
        chat_id=_id(chat),
        at=at,
        kind="message",
        speaker=kind,
        text=text,
        staff_id=agent.id if agent else None,
        name=agent.first_name if agent else None,
        buttons=[dict(b) for b in buttons],
    )
    uow.live.add_event(event)
    return event


def _status(
    uow: AbstractUnitOfWork,
    chat: LiveChat,
    status: str,
    at: datetime,
    agent: Agent | None = None,
    extra: str = "",
) -> LiveEvent:
    event = LiveEvent(
        chat_id=_id(chat),
        at=at,
        kind="status",
        speaker="agent" if agent else "system",
        text=f"{status} {extra}".strip(),
        staff_id=agent.id if agent else None,
        name=agent.first_name if agent else None,
    )
    uow.live.add_event(event)
    return event


def _system_line(uow: AbstractUnitOfWork, chat: LiveChat, text: str, at: datetime) -> None:
    add_turn(
        uow,
        channel=CHANNEL,
        conversation_id=chat.conversation_id,
        speaker="system",
        text=text,
        at=at,
        kind="event",
        reason=LIVE_AGENT,
    )
