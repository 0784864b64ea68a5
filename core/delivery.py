"""What the worker sends for one outbox row, by channel (docs/escalations.md, docs/webhooks.md).

An outbox row's payload names its channel (``email`` when it does not: the rows planned before
there were others): the person's e-mail or phone for ``email``, ``sms`` and ``call``, the
endpoint for ``webhook``, the on-call number for ``oncall``. :func:`missing` says why a row
cannot be sent (nobody to send it to: the worker marks it dead, visibly); :func:`render` writes
its :class:`~core.notify.Message`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from core.model import OutboxEvent
from core.notices import Clock, compose, notices, time_left
from core.notify import Message

WEBHOOK_TYPES = {
    "ticket_opened": "ticket.opened",
    "escalation_due": "ticket.escalated",
    "breach_warning": "ticket.breach_warning",
    "breach": "ticket.breached",
    "taken_in_charge": "ticket.taken",
    "resolved": "ticket.resolved",
}
SMS_LIMIT = 320  # two SMS segments: the headline, the time left and the link fit


def channel_of(event: OutboxEvent) -> str:
    return str(event.payload.get("channel") or "email")


def missing(event: OutboxEvent) -> str | None:
    """Why the row has no one to go to, or None."""
    channel, payload = channel_of(event), event.payload
    if channel == "webhook":
        endpoint = payload.get("endpoint") or {}
        return None if endpoint.get("url") else "no webhook endpoint in the row"
    if channel == "oncall":
        return None if payload.get("to") else "no on-call number in the row"
    if channel == "callback":
        return None if payload.get("to") else "no number to call back in the row"
    if channel == "helpdesk":
        return None if payload.get("number") else "no ticket number in the helpdesk row"
    recipient = payload.get("recipient") or {}
    if recipient.get("phone" if channel in ("sms", "call") else "email"):
        return None
    role, theatre = payload.get("role"), payload.get("theatre")
    return f"no escalation contact for {role!r} in {theatre!r} (policy escalation_contacts)"


def render(event: OutboxEvent, clock: Clock, base_url: str, at: datetime) -> Message:
    """The message of a row that :func:`missing` accepts."""
    channel, payload = channel_of(event), event.payload
    if channel == "webhook":
        return _webhook(event, clock, base_url, at)
    if channel == "helpdesk":  # the ticket's facts; the adapter adds the transcript
        return Message(
            delivery_id=event.delivery_id,
            to_name=str(payload.get("queue") or ""),
            to_address=str(payload["number"]),
            language=str(payload.get("language") or "en"),
            subject=str(payload.get("summary") or ""),
            text="",
            html="",
            at=at,
            channel="helpdesk",
            data={
                **payload,
                "due_at": clock.due.isoformat() if clock.due else payload.get("due_at"),
                "url": f"{base_url.rstrip('/')}/console/tickets/{payload['number']}",
            },
        )
    if channel == "callback":  # a caller asked to be called back: the text, then the desk
        return Message(
            delivery_id=event.delivery_id,
            to_name="caller",
            to_address=str(payload["to"]),
            language=str(payload.get("language") or "en"),
            subject=str(payload.get("number") or ""),
            text=str(payload.get("text") or ""),
            html="",
            at=at,
            channel="callback",
            data=dict(payload),
        )
    if channel == "oncall":
        return Message(
            delivery_id=event.delivery_id,
            to_name="on-call",
            to_address=str(payload["to"]),
            language="en",
            subject=str(payload.get("number") or ""),
            text=str(payload.get("summary") or ""),
            html="",
            at=at,
            channel="oncall",
            data=dict(payload),
        )
    email = compose(event.kind, payload, event.delivery_id, clock, base_url, at)
    if channel == "email":
        return email
    recipient = payload["recipient"]
    language = email.language
    link = f"{base_url.rstrip('/')}/console/tickets/{payload.get('number') or ''}"
    text = f"{email.subject}. {time_left(language, clock)}."
    if channel == "sms":
        text = f"{text[: SMS_LIMIT - len(link) - 1]} {link}"
    else:  # a call reads the headline and the time left, then says who sent it
        text = f"{text} {notices().text(language, 'footer_call')}"
    return Message(
        delivery_id=event.delivery_id,
        to_name=email.to_name,
        to_address=str(recipient["phone"]),
        language=language,
        subject=email.subject,
        text=text,
        html="",
        at=at,
        channel=channel,
    )


def webhook_body(event: OutboxEvent, clock: Clock, base_url: str, at: datetime) -> dict[str, Any]:
    """The JSON object a webhook receives (schema in docs/webhooks.md)."""
    payload = event.payload
    number = payload.get("number")
    left = clock.left.total_seconds() if clock.left is not None else None
    return {
        "id": event.delivery_id,
        "type": WEBHOOK_TYPES.get(event.kind, event.kind),
        "created_at": at.isoformat(),
        "ticket": {
            "number": number,
            "priority": payload.get("priority"),
            "customer": payload.get("customer"),
            "contract": payload.get("contract"),
            "theatre": payload.get("theatre"),
            "plan": payload.get("plan"),
            "due_at": clock.due.isoformat() if clock.due else None,
            "business_seconds_left": int(left) if left is not None else None,
            "url": f"{base_url.rstrip('/')}/console/tickets/{number}",
        },
        "roles": list(payload.get("roles") or ()),  # the roles the event tells
        "after_hours": payload.get("after_hours"),
        "taken_by": payload.get("taken_by"),
    }


def _webhook(event: OutboxEvent, clock: Clock, base_url: str, at: datetime) -> Message:
    endpoint = event.payload["endpoint"]
    body = webhook_body(event, clock, base_url, at)
    return Message(
        delivery_id=event.delivery_id,
        to_name=str(endpoint.get("name") or ""),
        to_address=str(endpoint["url"]),
        language="en",
        subject=str(body["type"]),
        text=json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True),
        html="",
        at=at,
        channel="webhook",
    )
