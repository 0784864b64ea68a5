"""The JSON documents of the API: a ticket in a list, a ticket in full, its notifications.

Instants are ISO 8601 in UTC (``+00:00``), as stored. Built from the domain objects, so
that the answer to an event, kept for its idempotency key, is made in the event's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import request, url_for

from core.delivery import channel_of
from core.model import Contract, OutboxEvent, Ticket
from web.api.blueprint import frontdoor


@dataclass(frozen=True)
class Where:
    """The ticket's contract, as the API shows it."""

    code: str
    theatre: str
    plan: str

    @classmethod
    def of(cls, contract: Contract | None) -> Where | None:
        return cls(contract.code, contract.theatre, contract.plan) if contract else None


def iso(value: datetime | None) -> str | None:
    """UTC, whatever offset the instant was given with (as it is stored)."""
    return value.astimezone(UTC).isoformat() if value else None


def absolute(path: str) -> str:
    """An address on this front door: ``PUBLIC_BASE_URL`` when set, else the request's host."""
    base = frontdoor().settings.public_base_url or request.host_url
    return f"{base.rstrip('/')}{path}"


def ticket_summary(ticket: Ticket, where: Where | None) -> dict[str, Any]:
    """A ticket as listed: what a poller needs to decide whether to read it in full."""
    assert ticket.number is not None
    return {
        "number": ticket.number,
        "status": ticket.status,
        "priority": ticket.priority,
        "channel": ticket.channel,
        "language": ticket.language,
        "topic": ticket.topic,
        "summary": ticket.summary,
        "contract": where.code if where else None,
        "theatre": where.theatre if where else None,
        "plan": where.plan if where else None,
        "opened_at": iso(ticket.opened_at),
        "due_at": iso(ticket.due_at),
        "guaranteed": ticket.guaranteed,
        "taken_at": iso(ticket.taken_at),
        "taken_by": ticket.taken_by,
        "updated_at": iso(ticket.updated_at),
        "url": absolute(url_for("api.ticket", number=ticket.number)),
    }


def ticket_detail(
    ticket: Ticket,
    where: Where | None,
    events: list[OutboxEvent],
    transcript_id: int | None,
) -> dict[str, Any]:
    """A ticket in full: clock, pauses, escalation ladder, notifications, notes, transcript."""
    transcript = (
        absolute(url_for("console.conversation", transcript_id=transcript_id))
        if transcript_id is not None
        else None
    )
    return {
        **ticket_summary(ticket, where),
        "basis": ticket.basis,
        "reason": ticket.reason,
        "pauses": [
            {"start": iso(p.start), "end": iso(p.end), "reason": p.reason} for p in ticket.pauses
        ],
        "escalations": [
            {"at": iso(e.at), "to": e.to, "after_hours": e.after_hours} for e in ticket.escalations
        ],
        "notifications": [notification(e) for e in events],
        "notes": ticket.notes.splitlines(),
        "transcript_url": transcript,
        "console_url": absolute(url_for("console.ticket", number=ticket.number)),
    }


def notification(event: OutboxEvent) -> dict[str, Any]:
    """One planned message: kind, channel, to whom, when, and how its delivery went."""
    return {
        "id": event.delivery_id,
        "kind": event.kind,
        "channel": channel_of(event),
        "to": recipient(event),
        "role": event.payload.get("role"),
        "due_at": iso(event.due_at),
        "status": event.status,
        "attempts": event.attempts,
        "last_error": event.last_error,
        "sent_at": iso(event.sent_at),
    }


def recipient(event: OutboxEvent) -> dict[str, str] | None:
    """Whom the row goes to: a person (name, e-mail or phone), a webhook endpoint, the on-call
    number; None when nobody holds the role."""
    channel, payload = channel_of(event), event.payload
    if channel == "webhook":
        name = (payload.get("endpoint") or {}).get("name")
        return {"endpoint": str(name)} if name else None
    if channel in ("oncall", "callback"):
        return {"phone": str(payload["to"])} if payload.get("to") else None
    person = payload.get("recipient") or {}
    address = "phone" if channel in ("sms", "call") else "email"
    if not person.get(address):
        return None
    return {"name": str(person.get("name") or ""), address: str(person[address])}
