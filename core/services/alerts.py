"""Receiving monitoring alerts (issue #6): one ticket per firing alarm, on-call for Platinum.

Each alert is handled in a transaction of its own and is idempotent: an occurrence is its
fingerprint and start instant, so a repeated or retried notification adds nothing. "Resolved"
adds a note to the ticket; a new firing after the resolution is a new occurrence with a new
ticket. An alarm that opens a ticket goes through the intake service like a call or a chat
(:func:`core.services.intake.submit_case`); every alert writes a transcript (channel
"proactive") saying what it did and why. The on-call call is placed after the ticket is
committed, and its result noted on the ticket in a second transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from core.alerts import (
    CHANNEL,
    REQUESTER,
    AlertNotice,
    CallAttempt,
    OnCallNotifier,
    OnCallPage,
    Verdict,
    assess,
    on_call_contact,
)
from core.calendar import CalendarBook
from core.model import Alert, Contract, Ticket, Transcript, Turn
from core.services.intake import Case, submit_case
from core.services.tickets import add_note, take_in_charge
from core.unit_of_work import AbstractUnitOfWork, in_transaction, transactional

TOPIC = "product"
CALLER = "monitoring"


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
    notifier: OnCallNotifier | None = None,
) -> AlertReceipt:
    """Record one alert received at ``at``; open its ticket and call on-call as the rules say."""
    # a concurrent delivery of the same occurrence that committed first makes this one a
    # repeat: in_transaction runs it again, and the second run finds the first one's rows
    receipt, page = in_transaction(lambda: uow, lambda u: _receive(u, book, notice, at))
    if page is None:
        return receipt
    calls = _call(notifier, page)
    in_transaction(lambda: uow, lambda u: _record_calls(u, notice, page, calls, at))
    return replace(receipt, calls=tuple(calls))


def _receive(
    uow: AbstractUnitOfWork, book: CalendarBook, notice: AlertNotice, at: datetime
) -> tuple[AlertReceipt, OnCallPage | None]:
    uow.alerts.lock(notice.fingerprint)  # deliveries of one alarm, one after the other
    known = uow.alerts.get(notice.fingerprint, notice.starts_at)
    if notice.status == "resolved":
        return _resolve(uow, notice, known, at), None
    if known is None:
        latest = uow.alerts.latest(notice.fingerprint)
        # the same alarm still firing under another start (the monitor lost its state)
        known = latest if latest and latest.status == "firing" else None
    if known is not None:
        return _receipt(notice, known, "repeat", _ticket_of(uow, known)), None
    return _open(uow, book, notice, at)


def _open(
    uow: AbstractUnitOfWork, book: CalendarBook, notice: AlertNotice, at: datetime
) -> tuple[AlertReceipt, OnCallPage | None]:
    code = notice.contract_code
    contract = uow.contracts.get(code) if code else None
    verdict = assess(book, contract, notice, at)
    alert = _alert(notice, contract, verdict, at)
    uow.alerts.add(alert)
    transcript = _transcript(uow, alert, contract, at)
    _say(transcript, at, _received_text(notice), "event")
    ticket, page = None, None
    if verdict.opens_ticket:
        assert contract is not None
        ticket = _open_ticket(uow, book, notice, verdict, contract, alert, at)
        if verdict.outcome == "on_call":
            page = _page_or_reason(ticket, contract, notice, transcript, at)
    else:
        _say(transcript, at, _verdict_text(verdict), "decision", verdict.reason)
    transcript.outcome, transcript.reason = verdict.outcome, verdict.reason
    action = "opened" if ticket else ("stored" if verdict.outcome == "enhanced" else "ignored")
    return _receipt(notice, alert, action, ticket), page


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
        _say(transcript, at, text, "decision", "no_24h_contact")
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
    transcript = _transcript(uow, target, None, at)
    _say(transcript, at, text + (f"; noted on ticket {ticket.number}" if ticket else ""), "event")
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
    transcript = _transcript(uow, alert, contract, at)
    _say(transcript, at, _received_text(notice), "event")
    _say(transcript, at, _verdict_text(verdict), "decision", verdict.reason)
    transcript.outcome, transcript.reason = verdict.outcome, verdict.reason
    return _receipt(notice, alert, "ignored")


def _call(notifier: OnCallNotifier | None, page: OnCallPage) -> list[CallAttempt]:
    if notifier is None:
        return [CallAttempt(to="", error="on-call calling is not configured")]
    try:
        return notifier.call(page)
    except Exception as exc:  # the ticket is committed: the failure must be noted, not lost
        return [CallAttempt(to="", error=f"{type(exc).__name__}: {exc}")]


def _record_calls(
    uow: AbstractUnitOfWork,
    notice: AlertNotice,
    page: OnCallPage,
    calls: list[CallAttempt],
    at: datetime,
) -> None:
    ticket = uow.tickets.get(page.ticket)
    alert = uow.alerts.get(notice.fingerprint, notice.starts_at)
    assert ticket is not None and alert is not None
    transcript = _transcript(uow, alert, None, at)
    for attempt in calls:
        text = _call_text(attempt)
        add_note(ticket, at, text)
        _say(transcript, at, text, "event", "on_call_failed" if attempt.error else None)


@transactional
def acknowledge_page(
    uow: AbstractUnitOfWork, number: str, *, by: str, at: datetime, call_sid: str | None = None
) -> Ticket:
    """The on-call engineer pressed 1: the case is taken in charge by ``by`` and noted (a
    retried webhook for the same call adds nothing)."""
    ticket = take_in_charge(uow, number, by=by, at=at)
    text = f"on-call acknowledged by {by}" + (f" (call {call_sid})" if call_sid else "")
    if text in ticket.notes:
        return ticket
    add_note(ticket, at, text)
    alert = uow.alerts.by_ticket(ticket.id) if ticket.id else None
    if alert is not None:
        _say(_transcript(uow, alert, None, at), at, text, "event", "acknowledged")
    return ticket


def _transcript(
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


def _say(
    transcript: Transcript, at: datetime, text: str, kind: str, reason: str | None = None
) -> None:
    turn = Turn(speaker="system", text=text, at=at, kind=kind, reason=reason)
    transcript.turns = [*transcript.turns, turn]


def _receipt(
    notice: AlertNotice, alert: Alert, action: str, ticket: Ticket | None = None
) -> AlertReceipt:
    return AlertReceipt(
        fingerprint=notice.fingerprint,
        status=notice.status,
        action=action,
        outcome=alert.outcome,
        reason=alert.reason,
        ticket=ticket.number if ticket else None,
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


def _call_text(attempt: CallAttempt) -> str:
    if attempt.error:
        to = f" to {attempt.to}" if attempt.to else ""
        return f"on-call call{to} not made: {attempt.error}"
    return f"on-call engineer called at {attempt.to} (call {attempt.sid})"
