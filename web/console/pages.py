"""Console pages for every signed-in staff member: conversations, tickets, on-call audit and
the chat hand-off queue. Ticket actions call core.services (POST, CSRF-checked)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session

from core import outbox_views
from core import views as queries
from core.model import CHANNELS
from core.policy import PRIORITIES
from core.services import ServiceError, pause, resume, take_in_charge
from web.console import live
from web.console.auth import current_staff, frontdoor, login_required, now
from web.console.blueprint import bp
from web.console.clocks import duration, ticket_clock

OUTCOMES = ("open_ticket", "on_call", "refuse", "redirect", "abandoned", "handed_off")
LANGUAGES = ("en", "it", "de", "fr", "es", "pt", "ar")


@contextmanager
def reading() -> Iterator[Session]:
    with queries.reading(frontdoor().engine) as session:
        yield session


@bp.app_template_filter("when")
def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "—"


@bp.app_template_filter("duration")
def _duration(value: Any) -> str:
    return duration(value)


@bp.get("/")
@login_required
def home() -> Any:
    return redirect(url_for("console.conversations"))


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _arg(name: str, limit: int = 200) -> str:
    return request.args.get(name, "").strip()[:limit]


def conversation_filter() -> queries.ConversationFilter:
    return queries.ConversationFilter(
        channel=_arg("channel"),
        theatre=_arg("theatre"),
        language=_arg("language"),
        outcome=_arg("outcome"),
        reason=_arg("reason"),
        customer=_arg("customer"),
        since=_day("since"),
        until=_day("until"),
        q=_arg("q"),
    )


@bp.get("/conversations")
@login_required
def conversations() -> Any:
    chosen = conversation_filter()
    with reading() as session:
        page = queries.conversations(
            session, chosen, queries.Cursor.parse(request.args.get("after"))
        )
    args = {k: v for k, v in request.args.items() if k != "after" and v}
    return render_template(
        "console/conversations.html",
        page=page,
        f=chosen,
        args=args,
        channels=CHANNELS,
        theatres=frontdoor().policy.theatres,
        languages=LANGUAGES,
        outcomes=OUTCOMES,
    )


def _conversation(transcript_id: int) -> queries.Conversation:
    with reading() as session:
        found = queries.conversation(session, transcript_id)
    if found is None:
        abort(404)
    return found


@bp.get("/conversations/<int:transcript_id>")
@login_required
def conversation(transcript_id: int) -> Any:
    return render_template("console/conversation.html", c=_conversation(transcript_id))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def conversation_document(c: queries.Conversation) -> dict[str, Any]:
    """The export: the transcript as stored (secrets were masked when written)."""
    tr = c.transcript
    return {
        "id": tr.id,
        "channel": tr.channel,
        "conversation_id": tr.conversation_id,
        "started_at": _iso(tr.started_at),
        "theatre": tr.theatre,
        "language": tr.language,
        "caller": tr.caller,
        "contract": tr.contract,
        "customer": tr.customer,
        "outcome": tr.outcome,
        "reason": tr.reason,
        "turns": [
            {
                "at": _iso(x.at),
                "speaker": x.speaker,
                "kind": x.kind,
                "text": x.text,
                "reason": x.reason,
            }
            for x in c.turns
        ],
        "tickets": [
            {"number": k.number, "priority": k.priority, "status": k.status} for k in c.tickets
        ],
    }


@bp.get("/conversations/<int:transcript_id>.json")
@login_required
def conversation_json(transcript_id: int) -> Any:
    document = conversation_document(_conversation(transcript_id))
    body = json.dumps(document, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers=_attachment(transcript_id, "json"))


@bp.get("/conversations/<int:transcript_id>.txt")
@login_required
def conversation_text(transcript_id: int) -> Any:
    c = _conversation(transcript_id)
    tr = c.transcript
    lines = [
        f"{tr.channel} conversation {tr.conversation_id}, started {_when(tr.started_at)}",
        f"contract: {tr.contract or '-'}  theatre: {tr.theatre or '-'}"
        f"  language: {tr.language or '-'}",
        f"outcome: {tr.outcome or '-'}  reason: {tr.reason or '-'}",
        "",
    ]
    for x in c.turns:
        reason = f" [{x.reason}]" if x.reason else ""
        lines.append(f"{_when(x.at)}  {x.speaker} ({x.kind}){reason}: {x.text}")
    lines += ["", "tickets: " + (", ".join(k.number or "?" for k in c.tickets) or "none")]
    body = "\n".join(lines) + "\n"
    return Response(body, mimetype="text/plain", headers=_attachment(transcript_id, "txt"))


def _attachment(transcript_id: int, extension: str) -> dict[str, str]:
    return {
        "Content-Disposition": f'attachment; filename="conversation-{transcript_id}.{extension}"'
    }


@bp.get("/tickets")
@login_required
def tickets() -> Any:
    chosen = queries.TicketFilter(_arg("theatre"), _arg("plan"), _arg("priority"))
    at, book = now(), frontdoor().book
    with reading() as session:
        rows = queries.open_tickets(session, chosen)
    clocks = [ticket_clock(book, r.ticket, r.theatre, r.week, r.plan, at) for r in rows]
    return render_template(
        "console/tickets.html",
        rows=list(zip(rows, clocks, strict=True)),
        f=chosen,
        theatres=frontdoor().policy.theatres,
        plans=frontdoor().policy.plans,
        priorities=PRIORITIES,
        at=at,
    )


@bp.get("/tickets/<number>")
@login_required
def ticket(number: str) -> Any:
    with reading() as session:
        row = queries.ticket_by_number(session, number[:32])
        if row is None:
            abort(404)
        conversation_id = row.ticket.conversation_id
        linked = queries.transcript_ids_for(session, [conversation_id] if conversation_id else [])
        assert row.ticket.id is not None
        notifications = outbox_views.ticket_notifications(session, row.ticket.id)
    at = now()
    clock = ticket_clock(frontdoor().book, row.ticket, row.theatre, row.week, row.plan, at)
    transcript_id = linked.get(conversation_id or "")
    c = _conversation(transcript_id) if transcript_id else None
    return render_template(
        "console/ticket.html",
        row=row,
        t=row.ticket,
        clock=clock,
        c=c,
        at=at,
        notifications=notifications,
        helpdesk_url=_helpdesk_url(row.ticket.helpdesk_ref),
    )


def _helpdesk_url(ref: str | None) -> str | None:
    """The ticket's page in Request Tracker, when it has been handed over."""
    base = frontdoor().settings.helpdesk.rt_url
    if not ref or not base or not ref.isdigit():
        return None
    return f"{base.rstrip('/')}/Ticket/Display.html?id={ref}"


@bp.post("/tickets/<number>/<action>")
@login_required
def ticket_action(number: str, action: str) -> Any:
    """taken in charge / waiting for customer / resumed: the core moves the clock."""
    staff = current_staff()
    assert staff is not None
    fd, at = frontdoor(), now()
    try:
        if action == "take":
            take_in_charge(fd.uow(), fd.book, number, by=staff.email, at=at)
        elif action == "wait":
            pause(fd.uow(), number, at=at)
        elif action == "resume":
            resume(fd.uow(), fd.book, number, at=at)
        else:
            abort(404)
    except ServiceError as exc:
        flash(str(exc), "error")
    return redirect(url_for("console.ticket", number=number))


@bp.get("/on-call")
@login_required
def on_call_audit() -> Any:
    at = now()
    with reading() as session:
        attempts = queries.pin_attempts(session)
        locks = queries.lockouts(session, at)
        calls = queries.on_call_calls(session)
    return render_template("console/on_call.html", attempts=attempts, locks=locks, calls=calls)


@bp.get("/hand-offs")
@login_required
def handoffs() -> Any:
    with reading() as session:
        rows = queries.handoff_queue(session)
    # the live queue on top, kept up to date by its stream (web/console/live.py)
    page = render_template("console/handoffs.html", rows=rows, at=now(), live=live.queue_now())
    return page, 200, live.CSP
