"""Transcripts of calls and chats, as staff will read them (issue #2: masked secrets).

One transcript per (channel, conversation id), created on first use. Callers decide what is
secret (a PIN, a customer code) and ask :func:`add_turn` to mask it, or mask text themselves
with :func:`mask_digits`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime

from core.model import Transcript, Turn
from core.repository import DuplicateError
from core.services.errors import ServiceError
from core.services.tickets import is_valid_ticket_number
from core.unit_of_work import AbstractUnitOfWork, transactional

MASK = "•"
_DIGIT_RUN = re.compile(r"\d+")


def mask_digits(text: str, *, min_run: int = 1) -> str:
    """Replace every run of at least ``min_run`` digits with as many "•" (a typed PIN or
    customer code stays readable as "something was typed here" but is not stored)."""
    return _DIGIT_RUN.sub(
        lambda m: MASK * len(m.group()) if len(m.group()) >= min_run else m.group(), text
    )


CODE_LENGTHS = range(4, 9)  # the digit runs masked as possible customer codes


def _never(_: str) -> bool:
    return False


def mask_customer_codes(text: str, is_code: Callable[[str], bool] = _never) -> str:
    """Mask what may be a customer code in free text (a chat message): every run of 4 to 8
    digits that is not a ticket number (7 digits or more with a right Luhn check digit), and
    every run, of any length, that ``is_code`` says is a known contract's code (also one that
    looks like a ticket number). Other numbers (a ticket number, a priority, a year in a
    date... but also a phone number's parts of 4 to 8 digits) stay as written."""

    def mask(match: re.Match[str]) -> str:
        digits = match.group()
        if is_code(digits):
            return MASK * len(digits)
        if len(digits) in CODE_LENGTHS and not is_valid_ticket_number(digits):
            return MASK * len(digits)
        return digits

    return _DIGIT_RUN.sub(mask, text)


@transactional
def start_or_get_transcript(
    uow: AbstractUnitOfWork,
    *,
    channel: str,
    conversation_id: str,
    started_at: datetime,
    theatre: str | None = None,
    language: str | None = None,
    caller: str | None = None,
) -> Transcript:
    """The conversation's transcript, created at its first event (a retried webhook or a
    concurrent first event gets the same one)."""
    transcript = _get_or_create(uow, channel, conversation_id, started_at)
    transcript.theatre = transcript.theatre or theatre
    transcript.language = transcript.language or language
    transcript.caller = transcript.caller or caller
    return transcript


@transactional
def add_turn(
    uow: AbstractUnitOfWork,
    *,
    channel: str,
    conversation_id: str,
    speaker: str,
    text: str,
    at: datetime,
    kind: str = "say",
    reason: str | None = None,
    secret: bool = False,
) -> Turn:
    """Append one line to the conversation; ``secret`` masks every digit in ``text``."""
    masked = mask_digits(text) if secret else text
    turn = Turn(speaker=speaker, text=masked, at=at, kind=kind, reason=reason)
    transcript = _get_or_create(uow, channel, conversation_id, at, with_turns=False)
    uow.transcripts.add_turns(transcript, [turn])
    return turn


@transactional
def add_turns(
    uow: AbstractUnitOfWork,
    *,
    channel: str,
    conversation_id: str,
    turns: Sequence[Turn],
    at: datetime | None = None,
    caller: str | None = None,
    outcome: tuple[str, str | None] | None = None,
    secret: Sequence[bool] = (),
    contract_code: str | None = None,
    language: str | None = None,
) -> list[Turn]:
    """Append several lines and, when given, the outcome and its reason, in one transaction
    (an IVR step, a chat action's question and answers); ``secret[i]`` masks every digit of
    ``turns[i]``. The transcript is created at ``at`` (or the first line's time) if needed;
    the contract and language, once known, are recorded with the outcome."""
    masked = [
        Turn(t.speaker, mask_digits(t.text), t.at, t.kind, t.reason)
        if secret[i : i + 1] == [True]
        else t
        for i, t in enumerate(turns)
    ]
    if not masked and outcome is None:
        return []
    started = at or masked[0].at
    transcript = _get_or_create(uow, channel, conversation_id, started, with_turns=False)
    transcript.caller = transcript.caller or caller
    uow.transcripts.add_turns(transcript, masked)
    if outcome is not None:
        transcript.outcome, transcript.reason = outcome
        _known(uow, transcript, contract_code, language)
    return masked


@transactional
def set_outcome(
    uow: AbstractUnitOfWork,
    *,
    channel: str,
    conversation_id: str,
    outcome: str,
    reason: str | None = None,
    contract_code: str | None = None,
    language: str | None = None,
) -> Transcript:
    """Record how the conversation ended (the decision outcome and reason) and, once known,
    the contract and language."""
    transcript = uow.transcripts.get(channel, conversation_id)
    if transcript is None:
        raise ServiceError(f"no transcript for {channel} conversation {conversation_id!r}")
    transcript.outcome, transcript.reason = outcome, reason
    _known(uow, transcript, contract_code, language)
    return transcript


def _known(
    uow: AbstractUnitOfWork,
    transcript: Transcript,
    contract_code: str | None,
    language: str | None,
) -> None:
    if contract_code is not None:
        contract = uow.contracts.get(contract_code)
        transcript.contract_id = contract.id if contract else transcript.contract_id
    transcript.language = language or transcript.language


def _get_or_create(
    uow: AbstractUnitOfWork,
    channel: str,
    conversation_id: str,
    at: datetime,
    *,
    with_turns: bool = True,
) -> Transcript:
    found = uow.transcripts.get(channel, conversation_id, with_turns=with_turns)
    if found is not None:
        return found
    transcript = Transcript(channel=channel, conversation_id=conversation_id, started_at=at)
    try:
        with uow.savepoint():
            uow.transcripts.add(transcript)
    except DuplicateError:  # a concurrent first event of the conversation stored it first
        found = uow.transcripts.get(channel, conversation_id, with_turns=with_turns)
        if found is None:
            raise
        return found
    return transcript


@transactional
def purge_transcripts(uow: AbstractUnitOfWork, *, before: datetime) -> int:
    """Delete transcripts started before ``before`` with their turns (recording links
    included); tickets are kept, with their conversation id (privacy)."""
    return uow.transcripts.delete_started_before(before)
