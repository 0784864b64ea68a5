"""The customer's side of the live hand-off (docs/live-chat.md).

While an agent holds the conversation (or it waits for one, or the bot offers a ticket because
nobody took it), ``POST /help/chat`` gives the customer's message to the live chat instead of
Rasa (:func:`intercept`); after a bot turn that handed the chat off, :func:`after_bot` puts it
in the agents' queue. ``GET /help/live/stream`` is the customer's Server-Sent Events stream:
the agent's messages and the bot's, the waiting position, and the bot's return when nobody
took the chat within ``FRONTDOOR_LIVE_CHAT_WAIT`` seconds or the office closed.

The stream polls the database (the bus between web workers) every
``FRONTDOOR_LIVE_CHAT_POLL`` seconds for events after the client's last event id (the
``after`` parameter, or the browser's ``Last-Event-ID`` when it reconnects), writes a
heartbeat (a comment line, and the customer's "seen" instant) every
``FRONTDOOR_LIVE_CHAT_HEARTBEAT`` seconds, and ends after
``FRONTDOOR_LIVE_CHAT_STREAM_SECONDS`` (the browser reconnects and resumes).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Response, current_app, jsonify, request, session, url_for

from core.bootstrap import Frontdoor
from core.model import LIVE_ACTIVE, LiveChat, LiveEvent
from core.services import live_chat
from core.services.errors import ServiceError
from core.services.transcripts import add_turn
from web.helpcenter import demo_sign_in
from web.helpcenter import views as hc
from web.helpcenter.blueprint import bp
from web.helpcenter.rasa import RasaClient

YES, NO = "/live_ticket_yes", "/live_ticket_no"  # the payloads of the bot's offer buttons
STATUS_TEXT = {  # the customer's line for a change of the chat (none: not shown)
    "taken": "live_taken",
    "returned": "live_returned",
    "closed": "live_closed",
    "ticket": "live_ticket",
}
RESTART = "/restart"
RESTARTS = (
    2  # see _restart_rasa  # Rasa's built-in intent: the only message a paused conversation answers
)
DEFAULTS: dict[str, float] = {
    "FRONTDOOR_LIVE_CHAT_WAIT": 300.0,  # seconds a chat waits for an agent before the bot
    "FRONTDOOR_LIVE_CHAT_GONE_AFTER": 15.0,  # no customer heartbeat this long: "left"
    "FRONTDOOR_LIVE_CHAT_POLL": 0.15,  # seconds between two reads of a stream
    "FRONTDOOR_LIVE_CHAT_HEARTBEAT": 3.0,  # seconds between heartbeats (and "seen" writes)
    "FRONTDOOR_LIVE_CHAT_STREAM_SECONDS": 300.0,  # a stream ends then; the browser reconnects
}


@dataclass(frozen=True)
class LiveSettings:
    wait: timedelta
    gone_after: timedelta
    poll: float
    heartbeat: float
    stream_seconds: float


def live_settings() -> LiveSettings:
    """The live chat's settings from ``app.config``, with the documented defaults."""
    value = {k: float(current_app.config.get(k, d)) for k, d in DEFAULTS.items()}
    return LiveSettings(
        wait=timedelta(seconds=value["FRONTDOOR_LIVE_CHAT_WAIT"]),
        gone_after=timedelta(seconds=value["FRONTDOOR_LIVE_CHAT_GONE_AFTER"]),
        poll=value["FRONTDOOR_LIVE_CHAT_POLL"],
        heartbeat=value["FRONTDOOR_LIVE_CHAT_HEARTBEAT"],
        stream_seconds=value["FRONTDOOR_LIVE_CHAT_STREAM_SECONDS"],
    )


def sse(event: str, data: object, event_id: int | None = None) -> str:
    """One Server-Sent Event (JSON data on one line)."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def event_stream(chunks: Iterator[str]) -> Response:
    """A streamed ``text/event-stream`` answer, never buffered by a proxy (nginx honours
    ``X-Accel-Buffering: no``) nor cached."""
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return Response(chunks, mimetype="text/event-stream", headers=headers)


def resume_from() -> int:
    """The last event id the client has: ``Last-Event-ID`` (a reconnecting EventSource) or the
    ``after`` parameter of the first connection, whichever is later."""
    found = 0
    for raw in (request.headers.get("Last-Event-ID"), request.args.get("after")):
        if raw and raw.isdigit() and len(raw) < 19:
            found = max(found, int(raw))
    return found


def _fd() -> Frontdoor:
    fd: Frontdoor = current_app.extensions["frontdoor"]
    return fd


def _strings(language: str) -> dict[str, str]:
    return hc.page_strings().get(language) or hc.page_strings()["en"]


# -- the branch in POST /help/chat ---------------------------------------------------------
def intercept(message: str, language: str) -> Any | None:
    """The answer to the customer's message when the live chat has it, else None (the bot
    answers; restarted first when an agent or the offer just ended the hand-off)."""
    cid = session.get(hc.CONVERSATION_KEY)
    if not isinstance(cid, str):
        return None
    fd, at = _fd(), hc._now()
    with fd.uow() as uow:
        chat = live_chat.active_chat(uow, cid)
        if chat is None:
            if message in (YES, NO):  # a button of an offer that is over: nothing to do
                return jsonify(replies=[], message_lang=language)
            if live_chat.bot_restarted(uow, cid):
                _restart_rasa(cid, language)  # RasaUnavailable: not noted, tried again next time
                uow.commit()
            return None
        if chat.state == "offered":
            reply = _answer_offer(uow, fd, chat, message, at)
            uow.commit()
            return jsonify(replies=[reply], message_lang=language)
        try:
            event = live_chat.customer_says(uow, cid, message, at)
        except ServiceError as exc:
            return jsonify(error=str(exc)), 400
        uow.commit()
        return jsonify(
            replies=[],
            message_lang=hc._text_language(message, language),
            live={**_payload(uow, chat), "event_id": event.id},
        )


def _restart_rasa(cid: str, language: str) -> None:
    """Rasa answers a paused conversation only for its built-in ``/restart``, and its default
    rule maps ``/restart`` to ``action_restart`` only right after an ``action_listen``; the
    hand-off paused the conversation after the bot's own action, so the first ``/restart``
    is answered by ``action_listen`` and the second one restarts it (Rasa 3.6)."""
    client: RasaClient = current_app.extensions["helpcenter.rasa"]
    for _ in range(RESTARTS):
        client.send(cid, RESTART, {"language": language})


def _answer_offer(
    uow: Any, fd: Frontdoor, chat: LiveChat, message: str, at: datetime
) -> dict[str, Any]:
    """The customer's answer to the bot's offer (its buttons): the bot's reply, written to
    the transcript and given in the answer to this POST (the stream ends with the offer)."""
    t = _strings(chat.language)
    if message not in (YES, NO):  # the offer stands: asked again, with its buttons
        return _bot_reply(uow, chat, t["live_offer_again"], at, _offer_buttons(t))
    title = t["live_yes" if message == YES else "live_no"]
    live_chat.customer_says(uow, chat.conversation_id, title, at)
    intake = live_chat.answer_offer(uow, fd.book, chat.conversation_id, message == YES, at)
    if intake is None:
        text = t["live_declined"]
    elif intake.ticket is not None:
        text = t["live_opened"].format(number=intake.ticket.number)
    else:
        text = t["live_not_opened"]
    return _bot_reply(uow, chat, text, at)


def _bot_reply(
    uow: Any, chat: LiveChat, text: str, at: datetime, buttons: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    add_turn(
        uow, channel="chat", conversation_id=chat.conversation_id, speaker="bot", text=text, at=at
    )
    lang = hc._text_language(text, chat.language)
    return {"text": text, "buttons": buttons or [], "lang": lang}


def _offer_buttons(t: dict[str, str]) -> list[dict[str, str]]:
    return [{"title": t["live_yes"], "payload": YES}, {"title": t["live_no"], "payload": NO}]


def after_bot(language: str) -> dict[str, Any]:
    """After the bot's answer: ``{"live": ...}`` when it has just handed the chat to a person
    (the conversation now waits in the agents' queue), else nothing."""
    cid = session.get(hc.CONVERSATION_KEY)
    if not isinstance(cid, str):
        return {}
    contact = demo_sign_in.from_session(session.get(demo_sign_in.SESSION_KEY))
    requester = (contact.role if contact else None) or "admin"
    with _fd().uow() as uow:
        chat = live_chat.open_if_handed_off(
            uow, cid, hc._now(), requester=requester, language=language
        )
        uow.commit()
        return {"live": _payload(uow, chat)} if chat is not None else {}


def _payload(uow: Any, chat: LiveChat) -> dict[str, Any]:
    """What the page needs to follow the live chat: its stream and where to resume."""
    assert chat.id is not None
    return {
        "state": chat.state,
        "stream": url_for("helpcenter.live_stream"),
        "after": live_chat.last_event_id(uow, chat.id),
        "position": live_chat.position(uow, chat),
    }


@bp.get("/live/state")
def live_state() -> Any:
    """After a reload: the conversation's live chat, if one is in progress."""
    cid = session.get(hc.CONVERSATION_KEY)
    with _fd().uow() as uow:
        chat = live_chat.active_chat(uow, cid) if isinstance(cid, str) else None
        return jsonify(live=_payload(uow, chat) if chat is not None else None)


# -- the customer's stream -----------------------------------------------------------------
@bp.get("/live/stream")
def live_stream() -> Any:
    """The customer's events (Server-Sent Events); 204 when no live chat is in progress (an
    EventSource does not reconnect after a 204)."""
    cid = session.get(hc.CONVERSATION_KEY)
    with _fd().uow() as uow:
        chat = live_chat.active_chat(uow, cid) if isinstance(cid, str) else None
    if chat is None or chat.id is None:
        return Response(status=204)
    clock: Callable[[], datetime] = current_app.config["FRONTDOOR_CLOCK"]
    follow = _Follower(_fd(), chat.id, chat.language, clock, live_settings())
    return event_stream(follow.run(resume_from()))


@dataclass
class _Follower:
    fd: Frontdoor
    chat_id: int
    language: str
    clock: Callable[[], datetime]
    settings: LiveSettings
    position: int = -1

    def run(self, last: int) -> Iterator[str]:
        yield f"retry: 1500\n: live chat {self.chat_id}\n\n"
        stop = time.monotonic() + self.settings.stream_seconds
        beat = 0.0
        while time.monotonic() < stop:
            due = time.monotonic() >= beat
            chunks, last, over = self._tick(last, due)
            yield from chunks
            if over:
                yield sse("end", {})
                return
            if due:
                beat = time.monotonic() + self.settings.heartbeat
                yield ": ping\n\n"
            time.sleep(self.settings.poll)

    def _tick(self, last: int, housekeeping: bool) -> tuple[list[str], int, bool]:
        """One read: the new events (the customer's own excepted: the page shows them as they
        are sent) and, now and then, the heartbeat, the bot's return and the position."""
        chunks: list[str] = []
        at = self.clock()
        with self.fd.uow() as uow:
            if housekeeping:
                chunks += self._housekeeping(uow, at)
            events = live_chat.events_after(uow, self.chat_id, last)
            chat = live_chat.get_chat(uow, self.chat_id)
            uow.commit()
        for event in events:
            assert event.id is not None
            last = event.id
            if event.speaker != "customer":
                chunks.append(self._render(event))
        return chunks, last, chat.state not in LIVE_ACTIVE

    def _housekeeping(self, uow: Any, at: datetime) -> list[str]:
        live_chat.seen(uow, self.chat_id, at)
        chat = live_chat.get_chat(uow, self.chat_id)
        if chat.state != "waiting":
            return []
        is_open = live_chat.office_open(uow, self.fd.book, chat, at)
        reason = live_chat.wait_over(chat, is_open, at, self.settings.wait)
        t = _strings(self.language)
        if reason is not None:
            text = t["live_office_closed" if reason == "office_closed" else "live_timeout"]
            live_chat.bot_returns(uow, self.chat_id, at, text, _offer_buttons(t), reason)
            return []
        place = live_chat.position(uow, chat)
        if place == self.position:
            return []
        self.position = place
        return [
            sse("waiting", {"position": place, "text": t["live_waiting"].format(position=place)})
        ]

    def _render(self, event: LiveEvent) -> str:
        t = _strings(self.language)
        if event.kind == "message":
            data = {
                "speaker": event.speaker,
                "name": event.name,
                "text": event.text,
                "lang": hc._text_language(event.text, self.language),
                "buttons": event.buttons,
                "label": t["agent_label"],
            }
            return sse("message", data, event.id)
        status, _, extra = event.text.partition(" ")
        key = STATUS_TEXT.get(status)
        text = t[key].format(name=event.name or "", number=extra.split(" ")[0]) if key else ""
        return sse("status", {"status": status, "text": text, "name": event.name}, event.id)
