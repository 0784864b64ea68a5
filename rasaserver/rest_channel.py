"""Rasa's REST channel, made idempotent: a message sent twice is answered, not processed, twice.

Behind a load balancer a chat turn can reach Rasa twice: haproxy sends a request again to the
other Rasa server when the first one closed the connection without answering (a process killed
mid-turn, docs/scale-out.md). If the first server had already stored the turn, processing it
again would add a second user turn (and could ask the next question twice, or lose the answer
that named the ticket). The web app gives every message a ``message_id`` in its metadata; when
the conversation already holds a user message with that id, this channel answers with the bot
messages stored after it, as they were sent the first time, and processes nothing.

Same name (``rest``) and routes as Rasa's own ``RestInput``: credentials.yml lists this class
instead (``rasaserver.rest_channel.IdempotentRestInput``); the Help Center's client is
unchanged but for the id.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.events import BotUttered, Event, UserUttered
from sanic import Blueprint
from sanic.request import Request

MESSAGE_ID = "message_id"  # the metadata key the web app sets (web/helpcenter/rasa.py)


def replies_after(events: Iterable[Event], message_id: str) -> list[dict[str, Any]] | None:
    """The bot messages that answered the user message ``message_id`` (None: no such message
    in ``events``), in the form an output channel's ``send_response`` takes."""
    replies: list[dict[str, Any]] | None = None
    for event in events:
        if isinstance(event, UserUttered):
            if replies is not None:
                break
            if (event.metadata or {}).get(MESSAGE_ID) == message_id:
                replies = []
        elif replies is not None and isinstance(event, BotUttered):
            data = {key: value for key, value in (event.data or {}).items() if value}
            replies.append({"text": event.text, **data})
    return replies


class IdempotentRestInput(RestInput):  # type: ignore[misc]
    """``POST /webhooks/rest/webhook`` that answers a message id it has seen from the tracker."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        # the agent's tracker store, for the look-up below (set by Rasa at start-up)
        self._tracker_store = getattr(request.app.ctx, "agent", None) and (
            request.app.ctx.agent.tracker_store
        )
        metadata: dict[str, Any] | None = super().get_metadata(request)
        return metadata

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def once(message: UserMessage) -> None:
            replies = await self._replayed(message)
            if replies is None:
                await on_new_message(message)
                return
            for reply in replies:
                await message.output_channel.send_response(message.sender_id, reply)

        blueprint: Blueprint = super().blueprint(once)
        return blueprint

    async def _replayed(self, message: UserMessage) -> list[dict[str, Any]] | None:
        message_id = (message.metadata or {}).get(MESSAGE_ID)
        store = getattr(self, "_tracker_store", None)
        if not isinstance(message_id, str) or not message_id or store is None:
            return None
        tracker = await store.retrieve(message.sender_id)
        return None if tracker is None else replies_after(tracker.events, message_id)
