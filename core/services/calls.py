"""Phone calls in progress (issue #3): state keyed by the call id, replay of retried webhooks.

The IVR keeps a call's progress as plain JSON data in the database, so that whichever web worker
receives the next webhook can answer it. Each step is saved with the answer it gave and a
fingerprint of the request: the same delivery retried is answered from the store and causes no
second side effect. The transcript lines said and heard in a step are written in the same
transaction as the step's state.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from core.model import Call, Ticket, Transcript, Turn
from core.services.errors import ServiceError, UnknownTicket
from core.unit_of_work import AbstractUnitOfWork, transactional


def request_fingerprint(
    step: str, params: Mapping[str, str] | Iterable[tuple[str, str]], *, key: str | bytes
) -> str:
    """A keyed digest (HMAC-SHA256, hex) of a webhook delivery: the step (path and query) and
    every form field. ``key`` is the server's secret; an empty key is refused (a digest anyone
    can recompute would let the stored fingerprints give away the digits typed)."""
    if not key:
        raise ValueError("request_fingerprint needs the server's secret key")
    items = sorted(params.items() if isinstance(params, Mapping) else params)
    secret = key.encode() if isinstance(key, str) else key
    digest = hmac.new(secret, step.encode(), hashlib.sha256)
    for name, value in items:
        digest.update(b"\0" + name.encode() + b"=" + value.encode())
    return digest.hexdigest()


def replayed_answer(call: Call | None, step: str, fingerprint: str) -> str | None:
    """The answer already given to this very delivery (a retried webhook), if any."""
    if call is None or call.last_step != step or call.last_fingerprint != fingerprint:
        return None
    return call.last_answer


@transactional
def get_call(uow: AbstractUnitOfWork, call_sid: str, *, lock: bool = False) -> Call | None:
    """The call with this id, if a webhook of it was answered before; ``lock`` holds its row
    until the entry point's unit of work ends (a step of the call: two deliveries of one call
    wait for each other instead of both reading the same state)."""
    return uow.calls.get(call_sid, lock=lock)


@transactional
def save_step(
    uow: AbstractUnitOfWork,
    call_sid: str,
    *,
    at: datetime,
    state: Mapping[str, Any],
    step: str,
    fingerprint: str,
    answer: str,
    turns: Sequence[Turn] = (),
    caller: str | None = None,
    theatre: str | None = None,
    outcome: tuple[str, str | None] | None = None,
    call: Call | None = None,
) -> Call:
    """Store the call's new state, the answer given to ``step``, the transcript lines of the
    step and, once known, how the call ended (``outcome`` and reason, with the contract and
    language from ``state``). The call and its phone transcript are created on first use; the
    lines are appended without reading the call's earlier ones, so a step costs the same at the
    end of a long call as at its start. ``call`` is the call as read (locked) earlier in this
    unit of work by :func:`get_call`, or a new :class:`Call` when that found none. A first
    delivery that loses the race to store a new call raises
    :class:`~core.repository.DuplicateError`: the entry point runs the step again."""
    if call is None:
        call = uow.calls.get(call_sid, lock=True)
    call = call or Call(call_sid=call_sid, started_at=at, updated_at=at)
    _record(call, at, state, step, fingerprint, answer)
    if call.id is None:  # a new call: stored with its first step in one INSERT
        uow.calls.add(call)
    transcript = _transcript(uow, call_sid, at, caller, theatre)
    uow.transcripts.add_turns(transcript, turns)
    if outcome is not None:
        transcript.outcome, transcript.reason = outcome
        code = state.get("contract")
        contract = uow.contracts.get(str(code)) if code else None
        transcript.contract_id = contract.id if contract else transcript.contract_id
        transcript.language = state.get("lang") or transcript.language
    return call


def _record(
    call: Call, at: datetime, state: Mapping[str, Any], step: str, fingerprint: str, answer: str
) -> None:
    call.state = dict(state)
    call.updated_at = at
    call.last_step, call.last_fingerprint, call.last_answer = step, fingerprint, answer


def _transcript(
    uow: AbstractUnitOfWork, call_sid: str, at: datetime, caller: str | None, theatre: str | None
) -> Transcript:
    found = uow.transcripts.get("phone", call_sid, with_turns=False)
    if found is None:
        found = Transcript(
            channel="phone", conversation_id=call_sid, started_at=at, caller=caller, theatre=theatre
        )
        uow.transcripts.add(found)
        return found
    found.caller = found.caller or caller
    found.theatre = found.theatre or theatre
    return found


@transactional
def add_ticket_note(uow: AbstractUnitOfWork, number: str, note: str) -> Ticket:
    """Append a line to a ticket's notes (a voicemail recording left by the caller); a note
    already there is not added twice (a retried webhook)."""
    ticket = uow.tickets.get(number)
    if ticket is None:
        raise UnknownTicket(number)
    if not note.strip():
        raise ServiceError("an empty note")
    lines = ticket.notes.splitlines()
    if note not in lines:
        ticket.notes = "\n".join([*lines, note])
    return ticket
