"""Receiving monitoring alerts (issue #6): one ticket per firing alarm, on-call for Platinum.

Each alert is handled in a transaction of its own and is idempotent: an occurrence is its
fingerprint and start instant, so a repeated or retried notification adds nothing. "Resolved"
adds a note to the ticket; a new firing after the resolution is a new occurrence with a new
ticket. An alarm that opens a ticket goes through the intake service like a call or a chat
(:func:`core.services.intake.submit_case`); every alert writes a transcript (channel
"proactive") saying what it did and why. The on-call calls are outbox rows (one per on-call
number) written in the same transaction as the ticket: the worker places them, and notes each
call's outcome on the ticket and in the transcript (:func:`note_call`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core.alerts import (
    CHANNEL,
    REQUESTER,
    AlertNotice,
    CallAttempt,
    OnCallPage,
    Verdict,
    assess,
    on_call_contact,
)
from core.calendar import CalendarBook
from core.model import Alert, Contract, Ticket, Transcript
from core.services.alert_calls import queue_calls, say, transcript_of
from core.services.intake import Case, submit_case
from core.services.tickets import add_note, take_in_charge
from core.unit_of_work import AbstractUnitOfWork, in_transaction, transactional

TOPIC = "product"


@dataclass(frozen=True)
class AlertReceipt:
    """What one alert did. ``action``: opened | repeat | resolved | stored | ignored."""

    fingerprint: str
    status: str
    action: str
    outcome: str
    reason: str
    ticket: str | None = None
    calls: tuple[CallAttempt, ...] = ()

    @property
    def accepted(self) -> bool:
        """True unless the alarm was refused (unknown or ineligible contract, bad severity)."""
        return self.outcome != "ignored"


def ticket_key(fingerprint: str, starts_at: datetime) -> str:
    """The idempotency key of the ticket an alarm occurrence opens."""
    return f"alert:{fingerprint}:{starts_at.isoformat()}"


def receive_alert(
    uow: AbstractUnitOfWork,
    book: CalendarBook,
    notice: AlertNotice,
    *,
    at: datetime,
    on_call_numbers: Sequence[str] = (),
) -> AlertReceipt:
    """Record one alert received at ``at``; open its ticket and queue the on-call calls (to
    ``on_call_numbers``) as the rules say, in one transaction."""
    # a concurrent delivery of the same occurrence that committed first makes this one a
    # repeat: in_transaction runs it again, and the second run finds the first one's rows
    return in_transaction(lambda: uow, lambda u: _receive(u, book, notice, at, on_call_numbers))


def _receive(
    uow: AbstractUnitOfWork,
    book: CalendarBook,
    notice: AlertNotice,
    at: datetime,
    numbers: Sequence[str],
) -> AlertReceipt:
    uow.alerts.lock(notice.fingerprint)  # deliveries of one alarm, one after the other
    known = uow.alerts.get(notice.fingerprint, notice.starts_at)
    if notice.status == "resolved":
        return _resolve(uow, notice, known, at)
    if known is None:
        latest = uow.alerts.latest(notice.fingerprint)
        # the same alarm still firing under another start (the monitor lost its state)
        known = latest if latest and latest.status == "firing" else None
    if known is not None:
        return _receipt(notice, known, "repeat", _ticket_of(uow, known))
    return _open(uow, book, notice, at, numbers)


def _open(
    uow: AbstractUnitOfWork,
    book: CalendarBook,
    notice: AlertNotice,
    at: datetime,
    numbers: Sequence[str],
) -> AlertReceipt:
    code = notice.contract_code
    contract = uow.contracts.get(code) if code else None
    verdict = assess(book, contract, notice, at)
    alert = _alert(notice, contract, verdict, at)
    uow.alerts.add(alert)
    transcript = transcript_of(uow, alert, contract, at)
    say(transcript, at, _received_text(notice), "event")
    ticket: Ticket | None = None
    calls: tuple[CallAttempt, ...] = ()
    if verdict.opens_ticket:
        assert contract is not None
        ticket = _open_ticket(uow, book, notice, verdict, contract, alert, at)
        if verdict.outcome == "on_call":
            page = _page_or_reason(ticket, contract, notice, transcript, at)
            if page is not None:
                calls = queue_calls(uow, ticket, contract, page, numbers, transcript, at)
    else:
        say(transcript, at, _verdict_text(verdict), "decision", verdict.reason)
    transcript.outcome, transcript.reason = verdict.outcome, verdict.reason
    action = "opened" if ticket else ("stored" if verdict.outcome == "enhanced" else "ignored")
    return _receipt(notice, alert, action, ticket, calls)


def _alert(notice: AlertNotice, contract: Contract | None, verdict: Verdict, at: datetime) -> Alert:
    return Alert(
        fingerprint=notice.fingerprint,
        starts_at=notice.starts_at,
        ends_at=notice.ends_at,
        status="firing",
        received_at=at,
        outcome=verdict.outcome,
        reason=verdict.reason,
        contract_code=notice.contract_code,
        contract_id=contract.id if contract else None,
        priority=verdict.priority,
        labels=dict(notice.labels),
        annotations=dict(notice.annotations),
    )


def _open_ticket(
    uow: AbstractUnitOfWork,
    book: CalendarBook,
    notice: AlertNotice,
    verdict: Verdict,
    contract: Contract,
    alert: Alert,
    at: datetime,
) -> Ticket:
    """The alarm's ticket, through the intake service like every channel's."""
    decision = verdict.decision
    assert decision is not None and verdict.priority is not None
    case = Case(
        channel=CHANNEL,
        conversation_id=alert.conversation_id,
        at=at,
        contract=contract,
        priority=verdict.priority,
        language=book.policy.fallback_language,  # telemetry carries no language
        requester=REQUESTER,
        product=notice.product,
        summary=_ticket_summary(notice),
        idempotency_key=ticket_key(notice.fingerprint, notice.starts_at),
    )
    ticket = submit_case(uow, book, case, decision=decision).ticket
    assert ticket is not None
    alert.ticket_id = ticket.id
    if verdict.outcome == "ticket" and not decision.open_now:
        add_note(ticket, at, "opened out of hours: handled from the next opening by priority")
    return ticket


def _page_or_reason(
    ticket: Ticket,
    contract: Contract,
    notice: AlertNotice,
    transcript: Transcript,
    at: datetime,
) -> OnCallPage | None:
    """guide §10.3: the on-call call needs a 24-hour phone contact on the contract."""
    contact = on_call_contact(contract)
    if contact is None or contact.phone is None:
        text = "no on-call call: the contract has no 24-hour phone contact"
        add_note(ticket, at, text)
        say(transcript, at, text, "decision", "no_24h_contact")
        return None
    assert ticket.number is not None
    return OnCallPage(
        ticket=ticket.number,
        priority=ticket.priority,
        customer=contract.customer.name,
        contract_code=contract.code,
        product=notice.product,
        summary=notice.summary,
        contact_name=contact.name,
        contact_phone=contact.phone,
    )


def _resolve(
    uow: AbstractUnitOfWork, notice: AlertNotice, known: Alert | None, at: datetime
) -> AlertReceipt:
    target = known or _firing(uow, notice.fingerprint)
    if target is None:
        return _resolved_unseen(uow, notice, at)
    ticket = _ticket_of(uow, target)
    if target.status == "resolved":
        return _receipt(notice, target, "repeat", ticket)
    target.status, target.ends_at, target.resolved_at = "resolved", notice.ends_at, at
    ended = notice.ends_at.isoformat() if notice.ends_at else "unknown"
    text = f"alert resolved (ended {ended}): {notice.summary}"
    if ticket is not None:
        add_note(ticket, at, text)
    transcript = transcript_of(uow, target, None, at)
    say(transcript, at, text + (f"; noted on ticket {ticket.number}" if ticket else ""), "event")
    return _receipt(notice, target, "resolved", ticket)


def _ticket_of(uow: AbstractUnitOfWork, alert: Alert) -> Ticket | None:
    """The ticket this alert opened (none for enhanced or ignored alerts)."""
    if alert.outcome not in ("ticket", "on_call"):
        return None
    return uow.tickets.by_key(ticket_key(alert.fingerprint, alert.starts_at))


def _firing(uow: AbstractUnitOfWork, fingerprint: str) -> Alert | None:
    latest = uow.alerts.latest(fingerprint)
    return latest if latest and latest.status == "firing" else None


def _resolved_unseen(uow: AbstractUnitOfWork, notice: AlertNotice, at: datetime) -> AlertReceipt:
    """A resolution whose firing never reached us: recorded, no ticket for a past problem."""
    code = notice.contract_code
    contract = uow.contracts.get(code) if code else None
    verdict = Verdict("ignored", "resolved_before_received")
    alert = _alert(notice, contract, verdict, at)
    alert.status, alert.resolved_at = "resolved", at
    uow.alerts.add(alert)
    transcript = transcript_of(uow, alert, contract, at)
    say(transcript, at, _received_text(notice), "event")
    say(transcript, at, _verdict_text(verdict), "decision", verdict.reason)
    transcript.outcome, transcript.reason = verdict.outcome, verdict.reason
    return _receipt(notice, alert, "ignored")


@transactional
def acknowledge_page(
    uow: AbstractUnitOfWork,
    book: CalendarBook,
    number: str,
    *,
    by: str,
    at: datetime,
    call_sid: str | None = None,
) -> Ticket:
    """The on-call engineer pressed 1: the case is taken in charge by ``by`` and noted (a
    retried webhook for the same call adds nothing)."""
    ticket = take_in_charge(uow, book, number, by=by, at=at)
    text = f"on-call acknowledged by {by}" + (f" (call {call_sid})" if call_sid else "")
    if text in ticket.notes:
        return ticket
    add_note(ticket, at, text)
    alert = uow.alerts.by_ticket(ticket.id) if ticket.id else None
    if alert is not None:
        say(transcript_of(uow, alert, None, at), at, text, "event", "acknowledged")
    return ticket


def _receipt(
    notice: AlertNotice,
    alert: Alert,
    action: str,
    ticket: Ticket | None = None,
    calls: tuple[CallAttempt, ...] = (),
) -> AlertReceipt:
    return AlertReceipt(
        fingerprint=notice.fingerprint,
        status=notice.status,
        action=action,
        outcome=alert.outcome,
        reason=alert.reason,
        ticket=ticket.number if ticket else None,
        calls=calls,
    )


def _ticket_summary(notice: AlertNotice) -> str:
    product = f" [{notice.product}]" if notice.product else ""
    detail = f": {notice.description}" if notice.description else ""
    return f"Monitoring alert {notice.name}{product}: {notice.summary}{detail}"


def _received_text(notice: AlertNotice) -> str:
    return (
        f"alert {notice.name} {notice.status} since {notice.starts_at.isoformat()} "
        f"(severity {notice.severity or 'none'}, contract {notice.contract_code or 'none'}, "
        f"product {notice.product or 'none'}): {notice.summary}"
    )


_VERDICT_TEXT = {
    "ticket": "opens a ticket",
    "on_call": "opens a ticket and calls the on-call engineer (Platinum, P1, out of hours)",
    "enhanced": "opens no ticket: kept for the customer's next ticket (enhanced support)",
    "ignored": "opens no ticket",
}


def _verdict_text(verdict: Verdict) -> str:
    priority = f", priority {verdict.priority}" if verdict.priority else ""
    return f"{_VERDICT_TEXT[verdict.outcome]} (reason {verdict.reason}{priority})"
