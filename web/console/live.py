"""The agent's side of the live hand-off (docs/live-chat.md), for signed-in staff only.

``/console/live/queue/stream`` sends the queue (waiting and taken chats, oldest first) each
time it changes; ``/console/live/<id>`` shows one chat with its whole transcript, and its
stream the customer's messages as they are sent, changes of state and whether the customer
is still on the page. Taking, writing, giving back to the bot, opening a ticket and closing
are POSTs with the console's CSRF token (form field ``csrf_token``), answered in JSON.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import abort, current_app, jsonify, render_template, request, url_for

from core.bootstrap import Frontdoor
from core.model import LiveChat, LiveEvent
from core.services import live_chat
from core.services.errors import ServiceError
from core.services.live_chat import Agent, TakenByAnother
from web.console.auth import current_staff, frontdoor, login_required, now
from web.console.blueprint import bp
from web.helpcenter.live import LiveSettings, event_stream, live_settings, resume_from, sse

# the console's policy, with its own script and the streams it opens
LIVE_CSP = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
    "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
CSP = {"Content-Security-Policy": LIVE_CSP}
QUEUE_POLL_FACTOR = 3  # the queue is read every 3 polls of a chat stream (~0.5 s)


def _agent() -> Agent:
    staff = current_staff()
    assert staff is not None and staff.id is not None  # login_required
    return Agent(staff.id, staff.email)


def queue_rows(chats: list[LiveChat], prefix: str) -> list[dict[str, Any]]:
    """The queue as the page shows it (``prefix``: the chat pages' path without the id)."""
    return [
        {
            "id": c.id,
            "url": f"{prefix}{c.id}",
            "customer": c.customer or "—",
            "contract": c.contract_code or "—",
            "plan": c.plan or "—",
            "language": c.language,
            "requested_at": c.requested_at.isoformat(),
            "state": c.state,
            "agent": c.agent_name,
            "summary": c.summary,
        }
        for c in chats
    ]


def _prefix() -> str:
    return url_for("console.live_chat_page", chat_id=0).removesuffix("0")


def queue_now() -> list[dict[str, Any]]:
    """The live queue now, for the hand-off page's first render (pages.handoffs)."""
    with frontdoor().uow() as uow:
        return queue_rows(live_chat.queue(uow), _prefix())


@bp.get("/live/queue/stream")
@login_required
def live_queue_stream() -> Any:
    fd, settings = frontdoor(), live_settings()
    clock: Callable[[], datetime] = current_app.config["FRONTDOOR_CLOCK"]
    prefix = _prefix()

    def run() -> Iterator[str]:
        yield "retry: 1500\n\n"
        sent, beat = None, 0.0
        stop = time.monotonic() + settings.stream_seconds
        while time.monotonic() < stop:
            with fd.uow() as uow:
                rows = queue_rows(live_chat.queue(uow), prefix)
            if rows != sent:
                sent = rows
                yield sse("queue", {"now": clock().isoformat(), "rows": rows})
            if time.monotonic() >= beat:
                beat = time.monotonic() + settings.heartbeat
                yield ": ping\n\n"
            time.sleep(settings.poll * QUEUE_POLL_FACTOR)

    return event_stream(run())


def _chat(chat_id: int) -> LiveChat:
    try:
        return live_chat.get_chat(frontdoor().uow(), chat_id)
    except live_chat.LiveChatError:
        abort(404)


@bp.get("/live/<int:chat_id>")
@login_required
def live_chat_page(chat_id: int) -> Any:
    """One chat: who and what, the whole transcript, and what the agent can do."""
    chat = _chat(chat_id)
    with frontdoor().uow() as uow:
        turns = live_chat.transcript_of(uow, chat)
        after = live_chat.last_event_id(uow, chat_id)
    page = render_template(
        "console/live_chat.html", chat=chat, turns=turns, after=after, me=_agent(), at=now()
    )
    return page, 200, CSP


@bp.get("/live/<int:chat_id>/stream")
@login_required
def live_chat_stream(chat_id: int) -> Any:
    _chat(chat_id)
    clock: Callable[[], datetime] = current_app.config["FRONTDOOR_CLOCK"]
    watch = _Watcher(frontdoor(), chat_id, clock, live_settings())
    return event_stream(watch.run(resume_from()))


@dataclass
class _Watcher:
    fd: Frontdoor
    chat_id: int
    clock: Callable[[], datetime]
    settings: LiveSettings
    state: tuple[str, str | None] | None = None
    present: bool | None = None

    def run(self, last: int) -> Iterator[str]:
        yield "retry: 1500\n\n"
        stop = time.monotonic() + self.settings.stream_seconds
        beat = 0.0
        while time.monotonic() < stop:
            with self.fd.uow() as uow:
                events = live_chat.events_after(uow, self.chat_id, last)
                chat = live_chat.get_chat(uow, self.chat_id)
            for event in events:
                assert event.id is not None
                last = event.id
                yield _render(event)
            yield from self._changes(chat)
            if time.monotonic() >= beat:
                beat = time.monotonic() + self.settings.heartbeat
                yield ": ping\n\n"
            time.sleep(self.settings.poll)

    def _changes(self, chat: LiveChat) -> Iterator[str]:
        state = (chat.state, chat.agent_name)
        if state != self.state:
            self.state = state
            yield sse("state", {"state": chat.state, "agent": chat.agent_name, "id": chat.agent_id})
        present = not live_chat.customer_gone(chat, self.clock(), self.settings.gone_after)
        if present != self.present:
            self.present = present
            seen = chat.customer_seen_at.isoformat() if chat.customer_seen_at else None
            yield sse("presence", {"present": present, "seen_at": seen})


def _render(event: LiveEvent) -> str:
    data = {
        "kind": event.kind,
        "speaker": event.speaker,
        "name": event.name,
        "staff_id": event.staff_id,
        "text": event.text,
        "at": event.at.isoformat(),
    }
    return sse(event.kind, data, event.id)


# -- what the agent does (POST, CSRF-checked by the blueprint) -----------------------------
def _act(work: Callable[[Any], Any]) -> Any:
    """Run ``work`` in one transaction; refusals are short JSON answers, nothing changed."""
    try:
        with frontdoor().uow() as uow:
            result = work(uow)
            uow.commit()
    except TakenByAnother as exc:
        return jsonify(error=str(exc), agent=exc.name), 409
    except live_chat.LiveChatError as exc:
        return jsonify(error=str(exc)), 409
    except ServiceError as exc:
        return jsonify(error=str(exc)), 400
    return jsonify(ok=True, **(result or {}))


@bp.post("/live/<int:chat_id>/take")
@login_required
def live_take(chat_id: int) -> Any:
    agent, at = _agent(), now()
    return _act(lambda uow: {"state": live_chat.take(uow, chat_id, agent, at).state})


@bp.post("/live/<int:chat_id>/messages")
@login_required
def live_message(chat_id: int) -> Any:
    agent, at, text = _agent(), now(), request.form.get("text")
    return _act(lambda uow: {"id": live_chat.agent_says(uow, chat_id, agent, text, at).id})


@bp.post("/live/<int:chat_id>/give-back")
@login_required
def live_give_back(chat_id: int) -> Any:
    agent, at = _agent(), now()
    return _act(lambda uow: {"state": live_chat.give_back(uow, chat_id, agent, at).state})


@bp.post("/live/<int:chat_id>/close")
@login_required
def live_close(chat_id: int) -> Any:
    agent, at = _agent(), now()
    return _act(lambda uow: {"state": live_chat.close(uow, chat_id, agent, at).state})


@bp.post("/live/<int:chat_id>/ticket")
@login_required
def live_ticket(chat_id: int) -> Any:
    agent, at, book = _agent(), now(), frontdoor().book
    priority = request.form.get("priority", "")[:4]
    summary = request.form.get("summary", "")

    def work(uow: Any) -> dict[str, Any]:
        intake = live_chat.open_ticket_from_chat(
            uow, book, chat_id, agent, at, priority=priority, summary=summary
        )
        ticket = intake.ticket
        return {
            "outcome": intake.decision.outcome,
            "reason": intake.decision.reason,
            "number": ticket.number if ticket else None,
        }

    return _act(work)
