"""The hand-off and the conversation: the queue, both sides' messages and the streams' events,
an agent taking, giving back or closing a chat."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from core.model import LIVE_ACTIVE, LiveChat, LiveEvent, Transcript, Turn
from core.services.live_chat._base import (
    CHANNEL,
    HANDED_OFF,
    LIVE_AGENT,
    QUEUE_STATES,
    Agent,
    LiveChatError,
    TakenByAnother,
    _held,
    _id,
    _locked,
    _message,
    _reread,
    _status,
    _system_line,
    check_text,
    summarise,
)
from core.unit_of_work import AbstractUnitOfWork, transactional


# -- the hand-off ------------------------------------------------------------------------
@transactional
def open_if_handed_off(
    uow: AbstractUnitOfWork,
    conversation_id: str,
    at: datetime,
    *,
    requester: str = "admin",
    language: str = "en",
) -> LiveChat | None:
    """After a bot turn: when the transcript says the bot has just handed the chat to a
    person, the conversation waits in the queue (again, if it was handed back before), in
    the transcript's language, else ``language`` (the chat's). The chat, when one is in
    progress; None otherwise."""
    transcript = uow.transcripts.get(CHANNEL, conversation_id)
    chat = uow.live.get(conversation_id, lock=True)
    if chat is not None and chat.state in LIVE_ACTIVE:
        return chat
    if transcript is None or (transcript.outcome, transcript.reason) != (HANDED_OFF, LIVE_AGENT):
        return None
    fresh = _fresh(uow, transcript, conversation_id, at, requester)
    fresh.language = transcript.language or language
    if chat is None:
        chat = fresh
        uow.live.add(chat)
    else:
        uow.live.update_if(
            _id(chat),
            ("bot", "closed"),
            state="waiting",
            requested_at=at,
            agent_id=None,
            agent_name=None,
            taken_at=None,
            ended_at=None,
            language=fresh.language,
            contract_code=fresh.contract_code,
            customer=fresh.customer,
            plan=fresh.plan,
            requester=fresh.requester,
            summary=fresh.summary,
        )
        chat = _reread(uow, chat)
    _status(uow, chat, "waiting", at)
    return chat


def _fresh(
    uow: AbstractUnitOfWork, transcript: Transcript, cid: str, at: datetime, requester: str
) -> LiveChat:
    """A new hand-off with what the queue shows: customer, contract, plan, language, summary."""
    contract = uow.contracts.get_by_id(transcript.contract_id) if transcript.contract_id else None
    return LiveChat(
        conversation_id=cid,
        requested_at=at,
        language=transcript.language or "en",
        contract_code=contract.code if contract else None,
        customer=contract.customer.name if contract else None,
        plan=contract.plan if contract else None,
        requester=requester,
        summary=summarise(transcript.turns, transcript.outcome),
    )


@transactional
def active_chat(uow: AbstractUnitOfWork, conversation_id: str) -> LiveChat | None:
    """The conversation's hand-off while the bot does not answer (waiting, taken, offered)."""
    chat = uow.live.get(conversation_id)
    return chat if chat is not None and chat.state in LIVE_ACTIVE else None


@transactional
def get_chat(uow: AbstractUnitOfWork, chat_id: int) -> LiveChat:
    chat = uow.live.get_by_id(chat_id)
    if chat is None:
        raise LiveChatError(f"no live chat {chat_id}")
    return chat


@transactional
def queue(uow: AbstractUnitOfWork) -> list[LiveChat]:
    """Conversations waiting for an agent or held by one, oldest request first."""
    return uow.live.active(QUEUE_STATES)


@transactional
def position(uow: AbstractUnitOfWork, chat: LiveChat) -> int:
    """The chat's place among those waiting (1: next); 0 once it is no longer waiting."""
    waiting = [c.id for c in uow.live.active(("waiting",))]
    return waiting.index(chat.id) + 1 if chat.id in waiting else 0


@transactional
def bot_restarted(uow: AbstractUnitOfWork, conversation_id: str) -> bool:
    """Whether the bot, paused since the hand-off, must be restarted before it answers (and
    note that it is being done now)."""
    chat = uow.live.get(conversation_id, lock=True)
    if chat is None or not chat.restart_bot or chat.state in LIVE_ACTIVE:
        return False
    return uow.live.update_if(_id(chat), ("bot", "closed"), restart_bot=False)


# -- messages ------------------------------------------------------------------------------
@transactional
def customer_says(
    uow: AbstractUnitOfWork, conversation_id: str, text: str, at: datetime
) -> LiveEvent:
    """A customer's message while the chat waits for or is held by an agent."""
    chat = uow.live.get(conversation_id, lock=True)
    if chat is None or chat.state not in LIVE_ACTIVE:
        raise LiveChatError("this conversation is not with an agent")
    return _message(uow, chat, "customer", check_text(text), at)


@transactional
def agent_says(
    uow: AbstractUnitOfWork, chat_id: int, agent: Agent, text: object, at: datetime
) -> LiveEvent:
    """The holding agent's message to the customer."""
    chat = _held(uow, chat_id, agent)
    return _message(uow, chat, agent.speaker, check_text(text), at, agent)


@transactional
def bot_says(
    uow: AbstractUnitOfWork,
    chat_id: int,
    text: str,
    at: datetime,
    buttons: Sequence[dict[str, str]] = (),
) -> LiveEvent:
    """A line of the bot in the live chat (its apology and offer, the ticket it opened)."""
    chat = _locked(uow, chat_id)
    return _message(uow, chat, "bot", text, at, buttons=buttons)


@transactional
def events_after(uow: AbstractUnitOfWork, chat_id: int, after: int) -> list[LiveEvent]:
    return uow.live.events_after(chat_id, after)


@transactional
def last_event_id(uow: AbstractUnitOfWork, chat_id: int) -> int:
    return uow.live.last_event_id(chat_id)


@transactional
def seen(uow: AbstractUnitOfWork, chat_id: int, at: datetime) -> None:
    """The customer's stream is alive at ``at`` (heartbeat)."""
    uow.live.update_if(chat_id, LIVE_ACTIVE, customer_seen_at=at)


def customer_gone(chat: LiveChat, at: datetime, after: timedelta) -> bool:
    """No stream or heartbeat from the customer for ``after``."""
    return chat.customer_seen_at is None or at - chat.customer_seen_at > after


@transactional
def transcript_of(uow: AbstractUnitOfWork, chat: LiveChat) -> list[Turn]:
    transcript = uow.transcripts.get(CHANNEL, chat.conversation_id)
    return list(transcript.turns) if transcript is not None else []


# -- what the agent does -------------------------------------------------------------------
@transactional
def take(uow: AbstractUnitOfWork, chat_id: int, agent: Agent, at: datetime) -> LiveChat:
    """The agent takes the waiting chat: one agent only (a conditional UPDATE); taking it
    again is harmless; anyone else is told who has it (:class:`TakenByAnother`)."""
    won = uow.live.update_if(
        chat_id,
        ("waiting",),
        state="taken",
        agent_id=agent.id,
        agent_name=agent.first_name,
        taken_at=at,
    )
    chat = _locked(uow, chat_id)
    if not won:
        if chat.state == "taken" and chat.agent_id == agent.id:
            return chat
        if chat.state == "taken":
            raise TakenByAnother(chat.agent_name)
        raise LiveChatError(f"this conversation is {chat.state}, not waiting")
    _status(uow, chat, "taken", at, agent)
    _system_line(uow, chat, f"taken by {agent.speaker} ({agent.email})", at)
    return chat


@transactional
def give_back(uow: AbstractUnitOfWork, chat_id: int, agent: Agent, at: datetime) -> LiveChat:
    """The bot answers the customer again from the next message."""
    return _end(uow, chat_id, agent, at, "bot", "returned_to_bot")


@transactional
def close(uow: AbstractUnitOfWork, chat_id: int, agent: Agent, at: datetime) -> LiveChat:
    """The conversation is over; a new message goes to the bot."""
    return _end(uow, chat_id, agent, at, "closed", "closed_by_agent")


def _end(
    uow: AbstractUnitOfWork, chat_id: int, agent: Agent, at: datetime, state: str, reason: str
) -> LiveChat:
    chat = _held(uow, chat_id, agent)
    uow.live.update_if(chat_id, ("taken",), state=state, ended_at=at, restart_bot=True)
    transcript = uow.transcripts.get(CHANNEL, chat.conversation_id)
    if transcript is not None and transcript.outcome == HANDED_OFF:
        transcript.reason = reason  # a new hand-off by the bot sets live_agent again
    chat = _reread(uow, chat)
    _status(uow, chat, "returned" if state == "bot" else "closed", at, agent)
    _system_line(uow, chat, f"{reason} by {agent.speaker}", at)
    return chat
