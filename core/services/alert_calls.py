"""The on-call calls of a critical alarm, through the outbox (docs/alerts.md).

The alarm's transaction writes one outbox row per on-call number (:func:`queue_calls`); the
worker places each call (channel ``oncall``) and, in the transaction that records the attempt,
notes its outcome on the ticket and in the alert's transcript (:func:`note_call`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime

from core.alerts import CHANNEL, CallAttempt, OnCallPage
from core.model import Alert, Contract, OutboxEvent, Ticket, Transcript, Turn
from core.services.outbox import add_event
from core.services.tickets import add_note
from core.unit_of_work import AbstractUnitOfWork

CALLER = "monitoring"
CALL_KIND = "on_call_call"  # the outbox rows of the on-call calls


def queue_calls(
    uow: AbstractUnitOfWork,
    ticket: Ticket,
    contract: Contract,
    page: OnCallPage,
    numbers: Sequence[str],
    transcript: Transcript,
    at: datetime,
) -> tuple[CallAttempt, ...]:
    """One outbox row per on-call number, due now; none configured: noted, not lost."""
    if not numbers:
        text = "on-call call not made: on-call calling is not configured"
        add_note(ticket, at, text)
        say(transcript, at, text, "event", "on_call_failed")
        return (CallAttempt(to="", error="on-call calling is not configured"),)
    facts = {"channel": "oncall", "number": ticket.number, "theatre": contract.theatre}
    for to in numbers:
        add_event(uow, ticket, CALL_KIND, at, {**asdict(page), **facts, "to": to}, at)
    say(transcript, at, f"on-call call queued to {', '.join(numbers)}", "event")
    return tuple(CallAttempt(to=to) for to in numbers)


def note_call(uow: AbstractUnitOfWork, event: OutboxEvent, error: str | None, at: datetime) -> None:
    """The worker placed (``error`` None) or failed to place an on-call call: noted on the
    ticket and in the alert's transcript, in the transaction that records the attempt."""
    ticket = uow.tickets.by_ids([event.ticket_id]).get(event.ticket_id) if event.ticket_id else None
    if ticket is None:
        return
    attempt = CallAttempt(to=str(event.payload.get("to") or ""), error=error)
    text = _call_text(attempt)
    add_note(ticket, at, text)
    alert = uow.alerts.by_ticket(ticket.id) if ticket.id else None
    if alert is not None:
        reason = "on_call_failed" if error else None
        say(transcript_of(uow, alert, None, at), at, text, "event", reason)


def transcript_of(
    uow: AbstractUnitOfWork, alert: Alert, contract: Contract | None, at: datetime
) -> Transcript:
    found = uow.transcripts.get(CHANNEL, alert.conversation_id)
    if found is not None:
        return found
    transcript = Transcript(
        channel=CHANNEL,
        conversation_id=alert.conversation_id,
        started_at=at,
        theatre=contract.theatre if contract else None,
        language="en",
        contract_id=alert.contract_id,
        caller=CALLER,
    )
    uow.transcripts.add(transcript)
    return transcript


def say(
    transcript: Transcript, at: datetime, text: str, kind: str, reason: str | None = None
) -> None:
    turn = Turn(speaker="system", text=text, at=at, kind=kind, reason=reason)
    transcript.turns = [*transcript.turns, turn]


def _call_text(attempt: CallAttempt) -> str:
    if attempt.error:
        to = f" to {attempt.to}" if attempt.to else ""
        return f"on-call call{to} not made: {attempt.error}"
    return f"on-call engineer called at {attempt.to}"
