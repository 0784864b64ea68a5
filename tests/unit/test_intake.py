"""The intake service: one road from a channel's case to a ticket or a refusal, with its lines."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from core.calendar import CalendarBook
from core.model import Contract, Turn
from core.services import Case, submit_case
from core.testing import FakeUnitOfWork

MONDAY_10 = datetime.fromisoformat("2026-11-23T10:00:00+01:00")


def gold_case(contract: Contract, **fields: object) -> Case:
    base = Case(
        channel="phone",
        conversation_id="CA1",
        at=MONDAY_10,
        contract=contract,
        priority="P2",
        language="en",
        summary="switchboard down",
        idempotency_key="phone:CA1",
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def stored(contract: Contract) -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    uow.contracts.add(contract)
    return uow


def test_an_open_ticket_case_opens_one_ticket_with_the_decision_deadline(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """Gold P2 on Monday 10:00 in Rome: a ticket due at 12:00, guaranteed, opened once per key."""
    gold = contract()
    uow = stored(gold)
    first = submit_case(uow, book, gold_case(gold))
    again = submit_case(uow, book, gold_case(gold))
    assert first.ticket is not None and again.ticket is first.ticket
    assert len(uow.tickets.items) == 1
    assert first.ticket.due_at == datetime.fromisoformat("2026-11-23T12:00:00+01:00")
    assert first.ticket.guaranteed and first.ticket.channel == "phone"


def test_a_refused_case_opens_nothing_and_records_why(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """An expired contract: no ticket; the transcript's outcome says refuse, contract_expired."""
    expired = contract(ends=datetime(2026, 6, 30).date())
    uow = stored(expired)
    intake = submit_case(uow, book, gold_case(expired))
    assert intake.ticket is None and uow.tickets.items == []
    transcript = uow.transcripts.get("phone", "CA1")
    assert transcript is not None
    assert (transcript.outcome, transcript.reason) == ("refuse", "contract_expired")


def test_the_channel_lines_come_before_the_decision_and_the_ticket(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """What was said and heard first, then the decision and the ticket, as staff read them."""
    gold = contract()
    uow = stored(gold)
    said = [Turn("ivr", "Press 2 for high", MONDAY_10), Turn("caller", "2", MONDAY_10)]
    intake = submit_case(uow, book, gold_case(gold), lines=said)
    transcript = uow.transcripts.get("phone", "CA1")
    assert transcript is not None and intake.ticket is not None
    assert [(t.speaker, t.kind) for t in transcript.turns] == [
        ("ivr", "say"),
        ("caller", "say"),
        ("system", "decision"),
        ("system", "ticket"),
    ]
    assert transcript.turns[-1].text == f"ticket {intake.ticket.number} opened (P2)"


def test_a_chat_case_writes_only_what_the_customer_and_the_bot_said(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """decision_lines off: the outcome is recorded, the transcript holds the channel's lines."""
    gold = contract()
    uow = stored(gold)
    case = gold_case(gold, channel="chat", idempotency_key="chat:c1:1", decision_lines=False)
    submit_case(uow, book, case, lines=[Turn("customer", "it is down", MONDAY_10)])
    transcript = uow.transcripts.get("chat", "CA1")
    assert transcript is not None
    assert [t.speaker for t in transcript.turns] == ["customer"]
    assert transcript.outcome == "open_ticket"
