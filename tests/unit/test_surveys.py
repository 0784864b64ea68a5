"""The survey after a ticket: opt-in per theatre (validated like every policy key), one answer
per ticket and channel, and the console's tallies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from core.model import Contract, Ticket
from core.policy import Policy, PolicyError
from core.services.errors import ServiceError, UnknownTicket
from core.services.surveys import (
    chat_survey_ticket,
    record_survey,
    survey_due,
    survey_tallies,
)
from core.testing import FakeUnitOfWork

AT = datetime.fromisoformat("2026-11-23T10:00:00+01:00")
Edit = Callable[[Callable[[dict[str, Any]], None]], Policy]


def _survey(theatre: str, value: object) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        data["theatres"][theatre]["survey"] = value

    return edit


@pytest.fixture
def europe_asks(edited_policy: Edit) -> Policy:
    return edited_policy(_survey("europe", True))


def _store(contract: Contract, *numbers: str) -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    uow.contracts.add(contract)
    for number in numbers:
        uow.tickets.add(
            Ticket(
                contract_id=contract.id,
                channel="chat",
                language="it",
                priority="P3",
                topic="problem",
                summary="s",
                opened_at=AT,
                idempotency_key=f"chat:{number}",
                number=number,
                conversation_id=f"web-{number}",
            )
        )
    return uow


def test_the_shipped_policy_asks_nowhere(policy: Policy) -> None:
    assert not any(theatre.survey for theatre in policy.theatres.values())


def test_a_theatre_opts_in_with_true(europe_asks: Policy) -> None:
    assert europe_asks.theatres["europe"].survey
    assert not europe_asks.theatres["americas"].survey


@pytest.mark.parametrize("value", ["yes", "true", 1, None, [True]])
def test_survey_is_true_or_false_only(edited_policy: Edit, value: object) -> None:
    """Like every key: a wrong value fails at load naming the key."""
    with pytest.raises(PolicyError, match="theatres -> europe -> survey"):
        edited_policy(_survey("europe", value))


def test_an_answer_is_recorded_once_per_ticket_and_channel(
    europe_asks: Policy, contract: Callable[..., Contract]
) -> None:
    uow = _store(contract(), "0000001")
    assert survey_due(uow, europe_asks, "phone", "0000001") == "europe"
    answer = {"ticket_number": "0000001", "language": "it", "understood": True, "at": AT}
    assert record_survey(uow, europe_asks, channel="phone", score=4, **answer)
    # a retried webhook, another score: nothing more, the first answer stays
    assert not record_survey(uow, europe_asks, channel="phone", score=1, **answer)
    assert survey_due(uow, europe_asks, "phone", "0000001") is None
    assert [a.score for a in uow.surveys.items] == [4]
    # the chat is another channel: one answer there too
    assert record_survey(uow, europe_asks, channel="chat", score=None, **answer)
    assert len(uow.surveys.items) == 2


def test_a_theatre_that_does_not_ask_records_nothing(
    policy: Policy, contract: Callable[..., Contract]
) -> None:
    uow = _store(contract(), "0000002")
    assert survey_due(uow, policy, "phone", "0000002") is None
    stored = record_survey(
        uow,
        policy,
        channel="phone",
        ticket_number="0000002",
        language="en",
        understood=False,
        score=2,
        at=AT,
    )
    assert not stored and uow.surveys.items == []


@pytest.mark.parametrize(
    ("channel", "score", "error"),
    [("fax", 3, ServiceError), ("phone", 0, ServiceError), ("phone", 6, ServiceError)],
)
def test_bad_answers_are_refused(
    europe_asks: Policy,
    contract: Callable[..., Contract],
    channel: str,
    score: int,
    error: type[Exception],
) -> None:
    uow = _store(contract(), "0000003")
    with pytest.raises(error):
        record_survey(
            uow,
            europe_asks,
            channel=channel,
            ticket_number="0000003",
            language="en",
            understood=True,
            score=score,
            at=AT,
        )


def test_an_unknown_ticket_is_refused(europe_asks: Policy) -> None:
    with pytest.raises(UnknownTicket):
        record_survey(
            FakeUnitOfWork(),
            europe_asks,
            channel="chat",
            ticket_number="9999999",
            language="en",
            understood=True,
            score=5,
            at=AT,
        )


def test_tallies_per_channel_theatre_and_language(
    europe_asks: Policy, contract: Callable[..., Contract]
) -> None:
    uow = _store(contract(), "0000004", "0000005", "0000006")
    for number, understood, score in (("0000004", True, 5), ("0000005", False, 2)):
        record_survey(
            uow,
            europe_asks,
            channel="phone",
            ticket_number=number,
            language="it",
            understood=understood,
            score=score,
            at=AT,
        )
    record_survey(
        uow,
        europe_asks,
        channel="phone",
        ticket_number="0000006",
        language="it",
        understood=True,
        score=None,
        at=AT,
    )
    (tally,) = survey_tallies(uow)
    assert (tally.channel, tally.theatre, tally.language) == ("phone", "europe", "it")
    assert (tally.answers, tally.understood, tally.scores) == (3, 2, 2)
    assert tally.mean_score == 3.5 and round(tally.understood_share, 2) == 0.67


def test_the_chat_survey_is_due_for_the_conversations_ticket(
    europe_asks: Policy, contract: Callable[..., Contract]
) -> None:
    uow = _store(contract(), "0000007")
    assert chat_survey_ticket(uow, europe_asks, "web-0000007") == ("0000007", "europe")
    assert chat_survey_ticket(uow, europe_asks, "web-other") is None
