"""The two-question survey after a ticket (docs/phone.md "Survey"): "did we understand your
request" and a score 1-5, on the phone and at the end of a chat.

A theatre opts in with ``survey: true`` in the policy; the theatre is the one of the ticket's
contract, on every channel. One answer is kept per ticket and channel: a retried webhook or a
second click records nothing (a unique key, the insert in a savepoint).
"""

from __future__ import annotations

from datetime import datetime

from core import repository
from core.model import SurveyAnswer, SurveyTally, Ticket
from core.policy import Policy
from core.services.errors import ServiceError, UnknownTicket
from core.unit_of_work import AbstractUnitOfWork, transactional

CHANNELS = ("phone", "chat")
SCORES = range(1, 6)


def _theatre(uow: AbstractUnitOfWork, policy: Policy, ticket: Ticket) -> str | None:
    """The ticket's theatre when it asks for the survey, else None."""
    contract = uow.contracts.get_by_id(ticket.contract_id) if ticket.contract_id else None
    theatre = policy.theatres.get(contract.theatre) if contract is not None else None
    return contract.theatre if contract is not None and theatre and theatre.survey else None


@transactional
def survey_due(
    uow: AbstractUnitOfWork, policy: Policy, channel: str, ticket_number: str
) -> str | None:
    """The theatre to ask the survey for, when the ticket's theatre opted in and nobody
    answered it on ``channel`` yet; else None (nothing to ask)."""
    ticket = uow.tickets.get(ticket_number)
    if ticket is None or uow.surveys.get(channel, ticket_number) is not None:
        return None
    return _theatre(uow, policy, ticket)


@transactional
def record_survey(
    uow: AbstractUnitOfWork,
    policy: Policy,
    *,
    channel: str,
    ticket_number: str,
    language: str,
    understood: bool,
    score: int | None,
    at: datetime,
) -> bool:
    """Store the answer; False when nothing was stored (answered already on this channel, or
    the ticket's theatre does not ask). Bad input raises :class:`ServiceError`."""
    if channel not in CHANNELS:
        raise ServiceError(f"unknown survey channel {channel!r}")
    if score is not None and score not in SCORES:
        raise ServiceError(f"a survey score is 1 to 5, not {score!r}")
    ticket = uow.tickets.get(ticket_number)
    if ticket is None:
        raise UnknownTicket(ticket_number)
    theatre = _theatre(uow, policy, ticket)
    if theatre is None or uow.surveys.get(channel, ticket_number) is not None:
        return False
    answer = SurveyAnswer(
        channel=channel,
        theatre=theatre,
        language=language[:8],
        ticket_number=ticket_number,
        understood=understood,
        score=score,
        at=at,
    )
    try:
        with uow.savepoint():
            uow.surveys.add(answer)
    except repository.DuplicateError:  # the same answer, delivered twice at once
        return False
    return True


@transactional
def survey_tallies(uow: AbstractUnitOfWork, since: datetime | None = None) -> list[SurveyTally]:
    """Answers per channel, theatre and language (the console's table)."""
    return uow.surveys.tallies(since)


@transactional
def chat_survey_ticket(
    uow: AbstractUnitOfWork, policy: Policy, conversation_id: str
) -> tuple[str, str] | None:
    """The ticket a chat conversation opened and its theatre, when its survey is due. Asked
    after every chat turn: no query at all while no theatre has the survey on (the default)."""
    if not any(theatre.survey for theatre in policy.theatres.values()):
        return None
    number = uow.surveys.chat_ticket(conversation_id)
    theatre = survey_due(uow, policy, "chat", number) if number else None
    return (number, theatre) if number and theatre else None
