"""Live hand-off: an agent takes a chat the assistant handed off and talks to the customer.

The bot flags the hand-off (``bot/answers.py``: outcome ``handed_off``, reason ``live_agent``,
the Rasa conversation paused). :func:`open_if_handed_off` then puts the conversation in the
queue; one agent takes it (:func:`take`: a conditional ``UPDATE`` from ``waiting``, so two
agents cannot both win, on SQLite and PostgreSQL); both sides' messages are events of the chat
(ids the streams resume from) and lines of the one transcript (speaker ``customer``, ``bot`` or
``agent:<staff id>``). The agent gives the chat back to the bot, opens a ticket from it through
the intake service (:func:`open_ticket_from_chat`), or closes it. Nobody takes it in time, or
the office closes: the bot comes back and offers a ticket (:func:`bot_returns`,
:func:`answer_offer`).

Every function that appends to a chat locks its row first: on PostgreSQL the events of one
chat are then written (and committed) one transaction after the other, so their ids become
visible in order and a stream reading "after id N" never skips one. Texts the customer reads
come from the caller (the web app holds the page's strings in seven languages).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.calendar import CalendarBook
from core.hours import office_hours
from core.model import LIVE_ACTIVE, LiveChat, LiveEvent, Transcript, Turn
from core.services.errors import ServiceError
from core.services.intake import Case, Intake, submit_case
from core.services.transcripts import add_turn
from core.unit_of_work import AbstractUnitOfWork, transactional

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


@transactional
def open_ticket_from_chat(
    uow: AbstractUnitOfWork,
    book: CalendarBook,
    chat_id: int,
    agent: Agent,
    at: datetime,
    *,
    priority: str,
    summary: str,
) -> Intake:
    """A ticket for the chat through the intake service: the same decision as every channel,
    linked to the conversation's transcript (every line of both sides)."""
    chat = _held(uow, chat_id, agent)
    if priority not in PRIORITIES:
        raise ServiceError(f"priority must be one of {', '.join(PRIORITIES)}")
    key = f"live:{chat.conversation_id}:{chat.id}:{chat.taken_at:%Y%m%dT%H%M%S}"
    intake = _submit(uow, book, chat, at, priority, check_text(summary), key)
    if intake.ticket is not None:
        uow.live.update_if(_id(chat), ("taken",), ticket_number=intake.ticket.number)
        chat = _reread(uow, chat)
    _status(
        uow, chat, "ticket" if intake.ticket else "refused", at, agent, extra=_ticket_text(intake)
    )
    return intake


# -- nobody took it ------------------------------------------------------------------------
def wait_over(
    chat: LiveChat, contract_open: bool | None, at: datetime, limit: timedelta
) -> str | None:
    """Why the bot comes back to a waiting chat: ``timeout`` (nobody took it within
    ``limit``), ``office_closed`` (the office closed meanwhile); None while it may wait."""
    if chat.state != "waiting":
        return None
    if contract_open is False:
        return "office_closed"
    return "timeout" if at - chat.requested_at >= limit else None


@transactional
def office_open(
    uow: AbstractUnitOfWork, book: CalendarBook, chat: LiveChat, at: datetime
) -> bool | None:
    """Whether the contract's office is open at ``at`` (None without a contract)."""
    contract = uow.contracts.get(chat.contract_code) if chat.contract_code else None
    return office_hours(book, contract, at).open_now if contract is not None else None


@transactional
def bot_returns(
    uow: AbstractUnitOfWork,
    chat_id: int,
    at: datetime,
    text: str,
    buttons: Sequence[dict[str, str]],
    reason: str,
) -> LiveEvent | None:
    """The bot comes back to a chat nobody took: it apologises and offers a ticket (once,
    however many streams notice)."""
    chat = _locked(uow, chat_id)
    if not uow.live.update_if(chat_id, ("waiting",), state="offered", ended_at=at):
        return None
    transcript = uow.transcripts.get(CHANNEL, chat.conversation_id)
    if transcript is not None and transcript.outcome == HANDED_OFF:
        transcript.reason = "no_agent"  # a new hand-off by the bot sets live_agent again
    _system_line(uow, chat, f"no agent took the chat: {reason}", at)
    return _message(uow, _reread(uow, chat), "bot", text, at, buttons=buttons)


@transactional
def answer_offer(
    uow: AbstractUnitOfWork, book: CalendarBook, conversation_id: str, yes: bool, at: datetime
) -> Intake | None:
    """The customer's answer to the bot's offer: yes opens the ticket (intake service, with
    the transcript); either way the bot answers the next message."""
    chat = uow.live.get(conversation_id, lock=True)
    if chat is None or not uow.live.update_if(
        _id(chat), ("offered",), state="bot", restart_bot=True
    ):
        raise LiveChatError("no ticket is being offered")
    if not yes:
        return None
    first = next((t.text for t in transcript_of(uow, chat) if t.speaker == "customer"), "")
    summary = " ".join(f"Chat hand-off, no agent free: {first}".split())[:200]
    intake = _submit(uow, book, chat, at, "P4", summary, f"live:{conversation_id}:{chat.id}:offer")
    if intake.ticket is not None:
        uow.live.update_if(_id(chat), ("bot",), ticket_number=intake.ticket.number)
    return intake


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


def _submit(
    uow: AbstractUnitOfWork,
    book: CalendarBook,
    chat: LiveChat,
    at: datetime,
    priority: str,
    summary: str,
    key: str,
) -> Intake:
    contract = uow.contracts.get(chat.contract_code) if chat.contract_code else None
    if contract is None:
        raise LiveChatError("the customer was not identified: no contract to open a ticket on")
    case = Case(
        channel=CHANNEL,
        conversation_id=chat.conversation_id,
        at=at,
        contract=contract,
        priority=priority,
        language=chat.language,
        requester=chat.requester,
        summary=summary,
        idempotency_key=key,
    )
    return submit_case(uow, book, case)


def _ticket_text(intake: Intake) -> str:
    if intake.ticket is not None:
        return f"{intake.ticket.number} ({intake.ticket.priority})"
    return f"{intake.decision.outcome}: {intake.decision.reason}"


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
