"""The REST API (/api/v1) through the Flask test client on the real app, on SQLite and
PostgreSQL: tokens and scopes, the rate limit, every route with its answers checked against the
OpenAPI document, bad input field by field, pagination, idempotency, and the clock and outbox
effects of the events. The ``api-token`` commands through click's runner."""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from flask import Flask
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate as validate_spec
from werkzeug.test import TestResponse

from cli.api_tokens import api_token
from core.adapters.db import make_engine, upgrade
from core.bootstrap import Frontdoor
from core.services import Case, find_contract, submit_case
from core.services.api_tokens import add_token, revoke_token
from web.api.openapi import document

from .console import Clock, make_app
from .helpers import add_contract, all_stored_text, iso

MON_10 = "2026-06-08T10:00:00+02:00"  # a Monday, Europe open
DOC = document()


def open_case(fd: Frontdoor, n: int, *, code: str = "2001", priority: str = "P2") -> str:
    """A phone case through the intake service (ticket, transcript and its notifications)."""
    at = iso(MON_10) + timedelta(minutes=n)
    case = Case(
        channel="phone",
        conversation_id=f"CA-api-{n}",
        at=at,
        contract=find_contract(fd.uow(), code),
        priority=priority,
        language="en",
        summary=f"case {n}",
        idempotency_key=f"phone:CA-api-{n}",
    )
    ticket = submit_case(fd.uow(), fd.book, case).ticket
    assert ticket is not None and ticket.number is not None
    return ticket.number


def token(fd: Frontdoor, name: str, *scopes: str) -> str:
    return add_token(fd.uow(), name=name, scopes=list(scopes), at=iso(MON_10)).token


class Api:
    """A client of the API with one token; every answer is checked against the document."""

    def __init__(self, app: Flask, bearer: str | None):
        self.client, self.bearer = app.test_client(), bearer

    def _headers(self, extra: dict[str, str]) -> dict[str, str]:
        auth = {"Authorization": f"Bearer {self.bearer}"} if self.bearer else {}
        return {**auth, **extra}

    def get(self, path: str, **headers: str) -> TestResponse:
        return checked(self.client.get(f"/api/v1{path}", headers=self._headers(headers)), "get")

    def post(self, path: str, body: Any, key: str | None = None, **kw: Any) -> TestResponse:
        headers = self._headers({"Idempotency-Key": key} if key else {})
        response = self.client.post(f"/api/v1{path}", headers=headers, json=body, **kw)
        return checked(response, "post")

    def event(self, number: str, **body: Any) -> TestResponse:
        return self.post(f"/tickets/{number}/events", body)


def _template(path: str) -> str:
    if path.startswith("/tickets/") and path.endswith("/events"):
        return "/tickets/{number}/events"
    return "/tickets/{number}" if path.startswith("/tickets/") else path


def checked(response: TestResponse, method: str) -> TestResponse:
    """The answer's body validates against the document's schema for its route and status."""
    path = _template(response.request.path.removeprefix("/api/v1").split("?")[0])
    operation = DOC["paths"][path][method]
    answer = operation["responses"][str(response.status_code)]
    schema = answer["content"]["application/json"]["schema"]
    OAS31Validator({**DOC, **schema}, format_checker=OAS31Validator.FORMAT_CHECKER).validate(
        response.get_json()
    )
    for header in answer.get("headers", {}):
        assert header in response.headers, header
    return response


@pytest.fixture
def clock() -> Clock:
    return Clock(iso(MON_10) + timedelta(hours=1))


@pytest.fixture
def fd(frontdoor: Frontdoor) -> Frontdoor:
    add_contract(frontdoor, "2001")
    add_contract(
        frontdoor, "2002", plan="platinum", theatre="americas", timezone="America/New_York"
    )
    return frontdoor


@pytest.fixture
def app(fd: Frontdoor, clock: Clock) -> Flask:
    return make_app(fd, clock, FRONTDOOR_API_RATE_LIMIT=1000)


@pytest.fixture
def reader(fd: Frontdoor, app: Flask) -> Api:
    return Api(app, token(fd, "reader", "read"))


@pytest.fixture
def writer(fd: Frontdoor, app: Flask) -> Api:
    return Api(app, token(fd, "helpdesk", "read", "write"))


def numbers(response: TestResponse) -> list[str]:
    return [t["number"] for t in response.get_json()["tickets"]]


def outbox(fd: Frontdoor, number: str) -> list[tuple[str, str]]:
    with fd.uow() as uow:
        ticket = uow.tickets.get(number)
        assert ticket is not None and ticket.id is not None
        return [(e.kind, e.status) for e in uow.outbox.for_ticket(ticket.id)]


# -- the document ---------------------------------------------------------------------------


def test_the_openapi_document_is_valid_and_served_without_a_token(app: Flask) -> None:
    """openapi-spec-validator accepts the document; GET /api/v1/openapi.json needs no token."""
    validate_spec(DOC)
    response = Api(app, None).get("/openapi.json")
    assert response.status_code == 200
    assert response.get_json() == DOC


# -- reading --------------------------------------------------------------------------------


def test_a_ticket_is_read_with_its_clock_ladder_notifications_and_transcript(
    fd: Frontdoor, reader: Api
) -> None:
    """GET /tickets/<n>: deadline, status, escalations, planned notifications, transcript."""
    number = open_case(fd, 1)
    body = reader.get(f"/tickets/{number}").get_json()
    assert (body["number"], body["status"], body["guaranteed"]) == (number, "open", True)
    assert (body["contract"], body["theatre"], body["plan"]) == ("2001", "europe", "gold")
    assert iso(body["due_at"]) > iso(MON_10) and body["taken_at"] is None
    assert body["escalations"] and body["pauses"] == []
    kinds = {n["kind"] for n in body["notifications"]}
    assert {"ticket_opened", "escalation_due", "breach"} <= kinds
    assert {n["status"] for n in body["notifications"]} == {"pending"}
    assert body["transcript_url"].startswith("http://localhost/console/conversations/")
    assert body["console_url"] == f"http://localhost/console/tickets/{number}"


def test_an_unknown_ticket_is_404(fd: Frontdoor, writer: Api) -> None:
    """A number nobody has, or not a ticket number at all: 404 on read and on events."""
    assert writer.get("/tickets/0000000").status_code == 404
    assert writer.get("/tickets/banana").status_code == 404
    assert writer.event("0000000", type="resolved", by="x").status_code == 404


def test_the_list_filters_by_status_theatre_plan_and_priority(fd: Frontdoor, writer: Api) -> None:
    """Each filter keeps only the matching tickets."""
    first, second = open_case(fd, 1), open_case(fd, 2, priority="P3")
    other = open_case(fd, 3, code="2002")
    writer.event(second, type="taken_in_charge", by="ada")
    assert numbers(writer.get("/tickets")) == [first, second, other]
    assert numbers(writer.get("/tickets?status=taken")) == [second]
    assert numbers(writer.get("/tickets?theatre=americas")) == [other]
    assert numbers(writer.get("/tickets?plan=gold&priority=P3")) == [second]
    assert numbers(writer.get("/tickets?status=closed")) == []


def test_the_list_pages_with_an_opaque_cursor_until_the_last_page(
    fd: Frontdoor, reader: Api
) -> None:
    """Five tickets two at a time: three pages, each ticket once, in order, no cursor at the end."""
    opened = [open_case(fd, n) for n in range(5)]
    seen, cursor, pages = [], "", 0
    while True:
        page = reader.get(f"/tickets?limit=2{'&cursor=' + cursor if cursor else ''}").get_json()
        seen += [t["number"] for t in page["tickets"]]
        pages += 1
        if page["next_cursor"] is None:
            break
        cursor = page["next_cursor"]
    assert (seen, pages) == (opened, 3)


def test_updated_since_lists_the_tickets_written_since(fd: Frontdoor, writer: Api) -> None:
    """updated_at is the storage's clock of the last write: a ticket changed after the mark is
    listed, one untouched since is not, and a late-reported event (old ``at``) still counts."""
    changed, untouched = open_case(fd, 1), open_case(fd, 2)
    mark = datetime.now(UTC)
    writer.event(changed, type="taken_in_charge", by="ada", at=MON_10)
    since = mark.isoformat().replace("+00:00", "Z")
    assert numbers(writer.get(f"/tickets?updated_since={since}")) == [changed]
    listed = writer.get(f"/tickets?updated_since={(mark - timedelta(hours=1)).isoformat()}")
    assert sorted(numbers(listed)) == sorted([changed, untouched])
    assert iso(listed.get_json()["tickets"][0]["updated_at"]) >= mark


# -- events ---------------------------------------------------------------------------------


def test_taking_in_charge_cancels_the_pending_escalations(fd: Frontdoor, writer: Api) -> None:
    """taken_in_charge: status taken, taken_at/by as sent, the ladder cancelled in the outbox."""
    number = open_case(fd, 1)
    body = writer.event(number, type="taken_in_charge", by="ada@helpdesk", at=MON_10).get_json()
    assert (body["status"], body["taken_by"], body["taken_at"]) == (
        "taken",
        "ada@helpdesk",
        iso(MON_10).astimezone(UTC).isoformat(),
    )
    ladder = [s for k, s in outbox(fd, number) if k in ("escalation_due", "breach")]
    assert ladder and set(ladder) == {"cancelled"}
    assert ("taken_in_charge", "pending") in outbox(fd, number)


def test_waiting_stops_the_clock_and_resumed_restarts_it_later(
    fd: Frontdoor, writer: Api, clock: Clock
) -> None:
    """waiting: no deadline and an open pause; resumed two hours later: the deadline moved."""
    number = open_case(fd, 1)
    before = iso(writer.get(f"/tickets/{number}").get_json()["due_at"])
    waiting = writer.event(number, type="waiting").get_json()
    assert (waiting["status"], waiting["due_at"]) == ("waiting", None)
    assert waiting["pauses"][0]["end"] is None
    clock.advance(hours=2)
    resumed = writer.event(number, type="resumed").get_json()
    assert resumed["status"] == "open" and resumed["pauses"][0]["end"] is not None
    assert iso(resumed["due_at"]) > before


def test_resolved_closes_and_a_note_is_added(fd: Frontdoor, writer: Api) -> None:
    """resolved closes the ticket; a note adds a dated line naming who wrote it."""
    number = open_case(fd, 1)
    noted = writer.event(number, type="note", by="bob", text="called back").get_json()
    assert noted["notes"][-1].endswith("bob: called back")
    closed = writer.event(number, type="resolved", by="bob").get_json()
    assert (closed["status"], closed["taken_by"]) == ("closed", "bob")
    assert numbers(writer.get("/tickets?status=closed")) == [number]


def test_an_event_the_ticket_state_refuses_is_409(fd: Frontdoor, writer: Api) -> None:
    """Taking a closed ticket in charge is a conflict, with the core's reason."""
    number = open_case(fd, 1)
    writer.event(number, type="resolved", by="bob")
    refused = writer.event(number, type="taken_in_charge", by="ada")
    assert refused.status_code == 409 and "closed" in refused.get_json()["error"]


# -- idempotency ----------------------------------------------------------------------------


def test_a_repeated_idempotency_key_replays_the_first_answer(fd: Frontdoor, writer: Api) -> None:
    """Same key and body: the first answer again, marked replayed, the note written once."""
    number = open_case(fd, 1)
    body = {"type": "note", "by": "bob", "text": "once"}
    first = writer.post(f"/tickets/{number}/events", body, key="k-1")
    again = writer.post(f"/tickets/{number}/events", dict(reversed(body.items())), key="k-1")
    assert again.status_code == 200 and again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    notes = writer.get(f"/tickets/{number}").get_json()["notes"]
    assert [n for n in notes if n.endswith("bob: once")] == [first.get_json()["notes"][-1]]


def test_concurrent_requests_with_one_key_do_the_event_once(fd: Frontdoor, app: Flask) -> None:
    """Eight clients post the same note with the same key at once: one note, one answer."""
    number, bearer = open_case(fd, 1), token(fd, "racer", "write", "read")
    body = {"type": "note", "by": "bob", "text": "raced"}
    barrier, answers = threading.Barrier(8), []

    def post() -> None:
        client = Api(app, bearer)
        barrier.wait()
        response = client.post(f"/tickets/{number}/events", body, key="race")
        answers.append((response.status_code, json.dumps(response.get_json(), sort_keys=True)))

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 8 and len(set(answers)) == 1 and answers[0][0] == 200
    notes = Api(app, bearer).get(f"/tickets/{number}").get_json()["notes"]
    assert sum(1 for n in notes if n.endswith("bob: raced")) == 1


def test_an_idempotency_key_reused_for_another_request_is_409(
    fd: Frontdoor, writer: Api, app: Flask
) -> None:
    """Same key, another body: 409 naming the key; another token's same key is its own."""
    number = open_case(fd, 1)
    writer.post(f"/tickets/{number}/events", {"type": "note", "by": "b", "text": "a"}, key="k")
    other = writer.post(
        f"/tickets/{number}/events", {"type": "note", "by": "b", "text": "z"}, key="k"
    )
    assert other.status_code == 409 and other.get_json()["field"] == "Idempotency-Key"
    second = Api(app, token(fd, "second", "write"))
    body = {"type": "note", "by": "b", "text": "z"}
    assert second.post(f"/tickets/{number}/events", body, key="k").status_code == 200


# -- tokens, scopes, rate limit -------------------------------------------------------------


@pytest.mark.parametrize(
    "bearer", [None, "fd_unknown", "fd_" + "A" * 55, "Basic dXNlcjpwYXNz", "x" * 10]
)
def test_a_missing_or_unknown_token_is_401_with_a_bearer_challenge(
    fd: Frontdoor, app: Flask, bearer: str | None
) -> None:
    """No token, a malformed or unknown one: 401 and WWW-Authenticate: Bearer."""
    response = Api(app, bearer).get("/tickets")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_401_at_once(fd: Frontdoor, reader: Api) -> None:
    """A token works, is revoked, and the next request is refused."""
    assert reader.get("/tickets").status_code == 200
    revoke_token(fd.uow(), "reader", at=iso(MON_10))
    assert reader.get("/tickets").status_code == 401


def test_a_token_without_the_scope_is_403_naming_it(fd: Frontdoor, app: Flask) -> None:
    """read cannot post events, write alone cannot list: 403 naming the scope lacking."""
    number = open_case(fd, 1)
    read_only, write_only = Api(app, token(fd, "r", "read")), Api(app, token(fd, "w", "write"))
    refused = read_only.event(number, type="note", by="x", text="y")
    assert refused.status_code == 403 and "'write'" in refused.get_json()["error"]
    listing = write_only.get("/tickets")
    assert listing.status_code == 403 and "'read'" in listing.get_json()["error"]


def test_the_rate_limit_holds_across_workers_and_answers_retry_after(
    fd: Frontdoor, clock: Clock
) -> None:
    """Three requests a minute: counted in the database, so two app instances (two workers)
    share them; the fourth is 429 with Retry-After; the next minute is open again."""
    bearer = token(fd, "busy", "read")
    workers = [Api(make_app(fd, clock, FRONTDOOR_API_RATE_LIMIT=3), bearer) for _ in range(2)]
    answers = [workers[n % 2].get("/tickets").status_code for n in range(3)]
    clock.advance(seconds=20)
    refused = workers[1].get("/tickets")
    assert answers == [200, 200, 200] and refused.status_code == 429
    assert refused.headers["Retry-After"] == "40"
    clock.advance(seconds=40)
    assert workers[0].get("/tickets").status_code == 200


def test_the_token_is_stored_hashed_and_never_logged(
    fd: Frontdoor, writer: Api, caplog: pytest.LogCaptureFixture
) -> None:
    """Neither the database nor the logs of a request hold the token."""
    caplog.set_level(logging.DEBUG)
    number = open_case(fd, 1)
    writer.event(number, type="note", by="x", text="y")
    assert writer.bearer is not None
    assert not any(writer.bearer in text for text in all_stored_text(fd))
    assert writer.bearer not in caplog.text


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=lost", "status"),
        ("theatre=mars", "theatre"),
        ("plan=silver", "plan"),
        ("priority=P9", "priority"),
        ("updated_since=2026-06-08T10:00:00", "updated_since"),
        ("updated_since=yesterday", "updated_since"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=ten", "limit"),
        ("cursor=not-ours", "cursor"),
        ("update_since=2026-06-08T10:00:00Z", "update_since"),
    ],
)
def test_a_bad_list_parameter_is_400_naming_it(reader: Api, query: str, field: str) -> None:
    """Each wrong filter, limit or cursor is refused with its name."""
    response = reader.get(f"/tickets?{query}")
    assert (response.status_code, response.get_json()["field"]) == (400, field)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"by": "x"}, "type"),
        ({"type": "escalate", "by": "x"}, "type"),
        ({"type": "taken_in_charge"}, "by"),
        ({"type": "resolved", "by": 7}, "by"),
        ({"type": "resolved", "by": "x" * 201}, "by"),
        ({"type": "note", "by": "x"}, "text"),
        ({"type": "waiting", "text": "why"}, "text"),
        ({"type": "note", "by": "x", "text": "y" * 2001}, "text"),
        ({"type": "waiting", "at": "2026-06-08T10:00:00"}, "at"),
        ({"type": "waiting", "at": "2099-01-01T00:00:00Z"}, "at"),
        ({"type": "waiting", "at": 1780000000}, "at"),
        ({"type": "waiting", "colour": "red"}, "colour"),
        (["waiting"], "body"),
    ],
)
def test_a_bad_event_field_is_400_naming_it(
    fd: Frontdoor, writer: Api, body: Any, field: str
) -> None:
    """Each wrong field of an event is refused with its name; nothing is written."""
    number = open_case(fd, 1)
    response = writer.post(f"/tickets/{number}/events", body)
    assert (response.status_code, response.get_json()["field"]) == (400, field)
    assert writer.get(f"/tickets/{number}").get_json()["status"] == "open"


def test_a_bad_idempotency_key_is_400_naming_the_header(fd: Frontdoor, writer: Api) -> None:
    number = open_case(fd, 1)
    response = writer.post(f"/tickets/{number}/events", {"type": "waiting"}, key="two words")
    assert (response.status_code, response.get_json()["field"]) == (400, "Idempotency-Key")


def test_malformed_json_is_400_another_type_415_and_a_large_body_413(
    fd: Frontdoor, writer: Api
) -> None:
    """Broken JSON names the body; a form is 415; a body over 16 KiB is 413; all JSON."""
    number = open_case(fd, 1)
    path, auth = f"/api/v1/tickets/{number}/events", {"Authorization": f"Bearer {writer.bearer}"}
    client = writer.client
    broken = client.post(path, data="{", content_type="application/json", headers=auth)
    assert (broken.status_code, broken.get_json()["field"]) == (400, "body")
    form = checked(client.post(path, data={"type": "waiting"}, headers=auth), "post")
    assert form.status_code == 415
    huge = {"type": "note", "by": "x", "text": "y", "pad": "z" * 20_000}
    assert checked(client.post(path, json=huge, headers=auth), "post").status_code == 413


def test_other_addresses_under_the_api_answer_json(reader: Api) -> None:
    """An unknown address is a JSON 404, a wrong method a JSON 405 with Allow."""
    missing = reader.client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and "error" in missing.get_json()
    wrong = reader.client.get("/api/v1/tickets/0000018/events")
    assert wrong.status_code == 405 and "POST" in wrong.headers["Allow"]
    assert "error" in wrong.get_json()


# -- the command line -----------------------------------------------------------------------


@click.group()
@click.pass_context
def root(ctx: click.Context) -> None:
    ctx.ensure_object(dict)


root.add_command(api_token)


def run(fd: Frontdoor, *args: str) -> Result:
    return CliRunner().invoke(root, ["api-token", *args], obj={"frontdoor": fd})


def test_api_token_add_prints_a_working_token_once(fd: Frontdoor, app: Flask) -> None:
    """add prints fd_ and 55 characters; it works; list shows no secret; revoke stops it."""
    made = run(fd, "add", "helpdesk-b", "--scope", "read", "--scope", "write")
    assert made.exit_code == 0, made.output
    shown = json.loads(made.stdout)
    bearer = shown["token"]
    assert bearer.startswith("fd_") and len(bearer) == 58
    assert shown["scopes"] == ["read", "write"] and bearer.startswith(shown["prefix"])
    assert Api(app, bearer).get("/tickets").status_code == 200
    listed = run(fd, "list")
    assert bearer not in listed.stdout and bearer[len(shown["prefix"]) :] not in listed.stdout
    assert [t["name"] for t in json.loads(listed.stdout)["tokens"]] == ["helpdesk-b"]
    assert run(fd, "revoke", "helpdesk-b").exit_code == 0
    assert Api(app, bearer).get("/tickets").status_code == 401


@pytest.mark.parametrize(
    "args",
    [
        ("add", "dup", "--scope", "read"),
        ("add", "bad name", "--scope", "read"),
        ("add", "x", "--scope", "admin"),
        ("add", "x"),
        ("revoke", "nobody"),
    ],
)
def test_api_token_bad_input_exits_2_with_one_line(fd: Frontdoor, args: tuple[str, ...]) -> None:
    """A taken or bad name, an unknown or missing scope, an unknown token: exit 2."""
    token(fd, "dup", "read")
    result = run(fd, *args)
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) >= 1


# -- the migration --------------------------------------------------------------------------


def test_the_migration_dates_existing_tickets_by_their_latest_own_instant(
    database_url: str,
) -> None:
    """0501 gives a ticket stored before it the latest of its opening, taking in charge and
    pauses (here a pause's end), and a ticket without any of those its opening."""
    upgrade(database_url, "0401_outbox")
    engine = make_engine(database_url)
    columns = (
        "id, number, idempotency_key, channel, language, priority, topic, summary, status,"
        " reason, opened_at, guaranteed, basis, notes, taken_at"
    )
    row = (
        "{id}, '{id}', 'k{id}', 'phone', 'en', 'P2', 'product', 's', 'open', 'ok',"
        " '2026-06-08 08:00:00', false, 'none', '', {taken}"
    )
    with engine.begin() as connection:
        for ident, taken in ((1, "'2026-06-08 09:00:00'"), (2, "NULL")):
            sql = f"INSERT INTO tickets ({columns}) VALUES ({row.format(id=ident, taken=taken)})"
            connection.exec_driver_sql(sql)
        connection.exec_driver_sql(
            'INSERT INTO pauses (ticket_id, start, "end", reason)'
            " VALUES (1, '2026-06-08 09:30:00', '2026-06-08 11:00:00', 'waiting_for_customer')"
        )
    upgrade(database_url)
    with engine.connect() as connection:
        stamps = connection.exec_driver_sql("SELECT id, updated_at FROM tickets ORDER BY id").all()
    engine.dispose()
    found = [str(stamp)[:19] for _, stamp in stamps]
    assert found == ["2026-06-08 11:00:00", "2026-06-08 08:00:00"]
