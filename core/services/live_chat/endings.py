"""How a live chat ends in a ticket: opened by the agent, or offered by the bot when nobody took
the chat in time or the office closed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from core.calendar import CalendarBook
from core.hours import office_hours
from core.model import LiveChat, LiveEvent
from core.services.errors import ServiceError
from core.services.intake import Case, Intake, submit_case
from core.services.live_chat._base import (
    CHANNEL,
    HANDED_OFF,
    PRIORITIES,
    Agent,
    LiveChatError,
    _held,
    _id,
    _locked,
    _message,
    _reread,
    _status,
    _system_line,
    check_text,
)
from core.services.live_chat.chats import transcript_of
from core.unit_of_work import AbstractUnitOfWork, transactional


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
