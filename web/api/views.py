"""Routes of the REST API, version 1 (docs/api.md): tickets listed, read, and changed.

Each event runs the core service it names (take_in_charge, pause, resume, resolve, a note) in
one transaction, committed here, with the answer kept for its idempotency key in the same
transaction: a concurrent request with the key loses the unique key and runs again
(:func:`core.unit_of_work.in_transaction`), then finds the kept answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Response, jsonify, request

from core import api_views
from core import views as queries
from core.model import Ticket
from core.services import (
    ServiceError,
    UnknownTicket,
    get_ticket,
    pause,
    resolve,
    resume,
    take_in_charge,
)
from core.services.api_tokens import IdempotencyConflict, keep_answer, kept_answer, request_hash
from core.services.tickets import add_note
from core.unit_of_work import AbstractUnitOfWork, in_transaction
from web.api import inputs
from web.api.auth import current_token, requires
from web.api.blueprint import ApiError, bp, frontdoor, now
from web.api.documents import Where, ticket_detail, ticket_summary
from web.api.openapi import document


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI document of this version (no token needed)."""
    return jsonify(document())


@bp.get("/tickets")
@requires("read")
def tickets() -> Response:
    query, limit, after = inputs.ticket_query(), inputs.page_limit(), inputs.cursor()
    with queries.reading(frontdoor().engine) as session:
        page = api_views.ticket_page(session, query, after, limit)
    listed = [ticket_summary(row.ticket, _where(row)) for row in page.rows]
    following = inputs.encode_cursor(page.last_id) if page.last_id is not None else None
    return jsonify(tickets=listed, next_cursor=following)


def _where(row: queries.TicketRow) -> Where | None:
    if row.contract is None or row.theatre is None or row.plan is None:
        return None
    return Where(row.contract, row.theatre, row.plan)


@bp.get("/tickets/<number>")
@requires("read")
def ticket(number: str) -> Response:
    with frontdoor().uow() as uow:
        return jsonify(_detail(uow, _known(uow, number[:32])))


def _known(uow: AbstractUnitOfWork, number: str) -> Ticket:
    try:
        return get_ticket(uow, number)
    except UnknownTicket:
        raise ApiError(404, f"no ticket {number}") from None


def _detail(uow: AbstractUnitOfWork, ticket: Ticket) -> dict[str, Any]:
    """The full document, read in ``uow`` (after its changes, so that it shows them)."""
    assert ticket.id is not None
    events = uow.outbox.for_ticket(ticket.id)  # flushes the changes: updated_at is set
    contract = uow.contracts.get_by_id(ticket.contract_id) if ticket.contract_id else None
    transcript = (
        uow.transcripts.get(ticket.channel, ticket.conversation_id, with_turns=False)
        if ticket.conversation_id
        else None
    )
    return ticket_detail(ticket, Where.of(contract), events, transcript.id if transcript else None)


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    replayed: bool = False


@bp.post("/tickets/<number>/events")
@requires("write")
def ticket_event(number: str) -> Response:
    number, token = number[:32], current_token()
    key, body = inputs.idempotency_key(), inputs.json_body()
    change = inputs.event(body, now())
    digest = request_hash("POST", request.path, body)

    def work(uow: AbstractUnitOfWork) -> Answer:
        kept = kept_answer(uow, token, key, digest) if key else None
        if kept is not None:
            return Answer(kept.status, kept.response, replayed=True)
        answer = Answer(200, _detail(uow, _apply(uow, number, change)))
        if key:
            keep_answer(uow, token, key, digest, status=200, response=answer.body, at=now())
        return answer

    try:
        answer = in_transaction(frontdoor().uow, work)
    except IdempotencyConflict as exc:
        raise ApiError(409, str(exc), field="Idempotency-Key") from None
    except UnknownTicket:
        raise ApiError(404, f"no ticket {number}") from None
    except ServiceError as exc:  # the ticket's state refuses it (closed, pause order...)
        raise ApiError(409, str(exc)) from None
    response = jsonify(answer.body)
    response.status_code = answer.status
    if answer.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def _apply(uow: AbstractUnitOfWork, number: str, change: inputs.Event) -> Ticket:
    """The core service of the event, inside the request's transaction."""
    fd = frontdoor()
    if change.type == "taken_in_charge":
        return take_in_charge(uow, fd.book, number, by=change.by, at=change.at)
    if change.type == "waiting":
        return pause(uow, number, at=change.at)
    if change.type == "resumed":
        return resume(uow, fd.book, number, at=change.at)
    if change.type == "resolved":
        return resolve(uow, fd.book, number, by=change.by, at=change.at)
    ticket = get_ticket(uow, number)
    add_note(ticket, change.at, f"{change.by}: {change.text}")
    return ticket
