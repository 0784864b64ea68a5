"""Intake: the one road from what a channel knows to a ticket, a refusal or a redirect.

Every channel describes the customer's request as a :class:`Case` (the phone in ``ivr/flow.py``,
the chat in ``bot/reporting.py``, monitoring alarms in ``core/services/alerts.py``) and calls
:func:`submit_case` inside the unit of work its entry point owns. The service asks
:func:`core.decision.decide`, opens the ticket the decision calls for (once per idempotency key)
or records why none was opened, writes the notifications of the ticket's clock to the outbox
(:mod:`core.services.outbox`), and writes the transcript lines and the conversation's outcome:
all in that one transaction, which the entry point commits.

:func:`assess_case` gives the same decision without recording anything, for a channel that must
know where a request would go before it asks the next question (the IVR's routing on P1, the
chat's report form skipping product questions for a refused contract).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core import metrics
from core.calendar import CalendarBook
from core.decision import Decision, Request, decide
from core.logs import get_logger, tag_ticket
from core.model import Contract, Ticket, Turn
from core.services.outbox import plan_opening
from core.services.tickets import open_ticket
from core.services.transcripts import add_turns
from core.unit_of_work import AbstractUnitOfWork, transactional

OPENS_TICKET = ("open_ticket", "on_call")
log = get_logger("frontdoor.intake")


@dataclass(frozen=True)
class Case:
    """A request for help as a channel knows it."""

    channel: str  # phone | chat | proactive | ...
    conversation_id: str  # the call, chat conversation or alert occurrence it belongs to
    at: datetime
    contract: Contract | None
    priority: str
    language: str
    requester: str = "admin"  # admin | partner | end_user
    topic: str = "product"
    product: str | None = None
    summary: str = ""
    pin_verified: bool = False
    idempotency_key: str = ""  # the ticket opened for this key is opened once
    decision_lines: bool = True  # the decision and the ticket as system lines of the transcript

    def request(self) -> Request:
        return Request(
            contract=self.contract,
            channel=self.channel,
            at=self.at,
            priority=self.priority,
            language=self.language,
            requester=self.requester,
            topic=self.topic,
            product=self.product,
            pin_verified=self.pin_verified,
        )


@dataclass(frozen=True)
class Intake:
    """What became of a case: the decision, and the ticket it opened (None for a refusal)."""

    decision: Decision
    ticket: Ticket | None = None


def assess_case(book: CalendarBook, case: Case) -> Decision:
    """Where the case would go now; nothing is opened or recorded."""
    return decide(book, case.request())


@transactional
def submit_case(
    uow: AbstractUnitOfWork,
    book: CalendarBook,
    case: Case,
    *,
    lines: Sequence[Turn] = (),
    decision: Decision | None = None,
) -> Intake:
    """Decide on ``case``, open its ticket or record the refusal, and write ``lines`` (what
    the channel said and heard so far), the decision and the ticket (unless the case asks for
    its channel's lines only) and the outcome to the conversation's transcript. ``decision``
    is the one :func:`assess_case` already gave for this very case (a monitoring alarm is
    assessed before it is submitted)."""
    made = decision or assess_case(book, case)
    metrics.case_decided(uow, case.channel, made.outcome, made.reason)
    notes = [_line(case, f"decision for {case.priority}: {made.outcome}", "decision", made)]
    ticket = None
    if made.outcome in OPENS_TICKET:
        ticket = _open(uow, book, case, made)
        plan_opening(uow, book, ticket, case.at)  # the notifications, in this transaction
        opened = f"ticket {ticket.number} opened ({ticket.priority})"
        notes.append(_line(case, opened, "ticket", made))
    if not case.decision_lines:
        notes = []
    add_turns(
        uow,
        channel=case.channel,
        conversation_id=case.conversation_id,
        turns=[*lines, *notes],
        at=case.at,
        outcome=(made.outcome, made.reason),
        contract_code=case.contract.code if case.contract else None,
        language=made.language or case.language,
    )
    _log_decision(case, made, ticket)
    return Intake(made, ticket)


def _log_decision(case: Case, made: Decision, ticket: Ticket | None) -> None:
    """One ``intake.decided`` event per case (what was decided and why; never the summary the
    customer wrote, nor the contract's code); the ticket's number joins the request's lines."""
    tag_ticket(ticket.number if ticket else None)
    log.info(
        "intake.decided",
        channel=case.channel,
        conversation_id=case.conversation_id,  # an alert's fingerprint@startsAt binds nothing
        outcome=made.outcome,
        reason=made.reason,
        priority=case.priority,
        theatre=made.theatre,
        plan=made.plan,
        language=made.language or case.language,
    )


def _open(uow: AbstractUnitOfWork, book: CalendarBook, case: Case, made: Decision) -> Ticket:
    if not case.idempotency_key:
        raise ValueError("a case that may open a ticket needs an idempotency key")
    return open_ticket(
        uow,
        book,
        contract_code=case.contract.code if case.contract else None,
        decision=made,
        channel=case.channel,
        language=case.language,
        priority=case.priority,
        topic=case.topic,
        summary=case.summary,
        opened_at=case.at,
        idempotency_key=case.idempotency_key,
        conversation_id=case.conversation_id,
    )


def _line(case: Case, text: str, kind: str, made: Decision) -> Turn:
    return Turn(speaker="system", text=text, at=case.at, kind=kind, reason=made.reason)
