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

from core.services.live_chat._base import (
    CHANNEL,
    HANDED_OFF,
    LIVE_AGENT,
    MAX_TEXT,
    PRIORITIES,
    QUEUE_STATES,
    SUMMARY_CHARS,
    Agent,
    LiveChatError,
    TakenByAnother,
    check_text,
    first_name,
    summarise,
)
from core.services.live_chat.chats import (
    active_chat,
    agent_says,
    bot_restarted,
    bot_says,
    close,
    customer_gone,
    customer_says,
    events_after,
    get_chat,
    give_back,
    last_event_id,
    open_if_handed_off,
    position,
    queue,
    seen,
    take,
    transcript_of,
)
from core.services.live_chat.endings import (
    answer_offer,
    bot_returns,
    office_open,
    open_ticket_from_chat,
    wait_over,
)

__all__ = [
    "CHANNEL",
    "HANDED_OFF",
    "LIVE_AGENT",
    "MAX_TEXT",
    "PRIORITIES",
    "QUEUE_STATES",
    "SUMMARY_CHARS",
    "Agent",
    "LiveChatError",
    "TakenByAnother",
    "active_chat",
    "agent_says",
    "answer_offer",
    "bot_restarted",
    "bot_returns",
    "bot_says",
    "check_text",
    "close",
    "customer_gone",
    "customer_says",
    "events_after",
    "first_name",
    "get_chat",
    "give_back",
    "last_event_id",
    "office_open",
    "open_if_handed_off",
    "open_ticket_from_chat",
    "position",
    "queue",
    "seen",
    "summarise",
    "take",
    "transcript_of",
    "wait_over",
]
