"""Attacks on the request bodies (security perimeter, finding 2), kept as regression tests.

The app runs under a real HTTP server (werkzeug's, in a thread of this process) that decodes
chunked bodies as gunicorn does; a middleware counts the bytes the app pulled from each
request's body. The client sends 400 MiB chunked bodies from a generator through http.client,
stopping when the server answers or closes; the server's peak resident memory (VmHWM, reset
before each attack) is measured around it.
"""

from __future__ import annotations

import http.client
import io
import json
import re
import select
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from core.adapters.db import upgrade
from core.bootstrap import Frontdoor, bootstrap
from core.policy import Policy
from core.settings import load_settings
from web import create_app, limits

from .helpers import count

KIB, MIB = 1024, 1024 * 1024
ATTACK = 400 * MIB
CHUNK = 64 * KIB
MEMORY_BUDGET = 50 * MIB
TOKEN = "alerts-token-" + "x" * 32
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
JSON_ROUTES = ("alerts.receive", "helpcenter.chat", "helpcenter.survey", "api.ticket_event")
ADMIN_ONLY = ("console.contracts_import",)


@dataclass
class Counted:
    """Bytes the app read from each request's body, by path."""

    read: dict[str, int] = field(default_factory=dict)


class CountingInput:
    def __init__(self, stream: Any, path: str, counted: Counted) -> None:
        self._stream, self._path, self._counted = stream, path, counted
        counted.read[path] = 0

    def _add(self, data: bytes) -> bytes:
        self._counted.read[self._path] += len(data)
        return data

    def read(self, size: int | None = -1) -> bytes:
        return self._add(self._stream.read(size))

    def readline(self, size: int | None = -1) -> bytes:
        return self._add(self._stream.readline(size))


@dataclass
class Server:
    app: Flask
    port: int
    counted: Counted
    cookie: str
    csrf: str


@pytest.fixture
def sqlite_frontdoor(tmp_path: Path, shipped_policy: Policy) -> Iterator[Frontdoor]:
    url = f"sqlite:///{tmp_path / 'frontdoor.sqlite3'}"
    upgrade(url)
    fd = bootstrap(load_settings({"DATABASE_URL": url}), policy=shipped_policy)
    settings = replace(
        fd.settings,
        alerts_token=TOKEN,
        twilio_auth_token="twilio-token",
        public_base_url="http://127.0.0.1",
    )
    yield replace(fd, settings=settings)
    fd.dispose()


@pytest.fixture
def server(sqlite_frontdoor: Frontdoor) -> Iterator[Server]:
    app = create_app({"FRONTDOOR_WARM": False}, sqlite_frontdoor)
    counted = Counted()
    inner = app.wsgi_app

    def counting(environ: dict[str, Any], start_response: Any) -> Any:
        path = environ["PATH_INFO"]
        environ["wsgi.input"] = CountingInput(environ["wsgi.input"], path, counted)
        return inner(environ, start_response)

    app.wsgi_app = counting  # type: ignore[method-assign]
    httpd: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", httpd.server_port, timeout=10)
        connection.request("GET", "/help/")
        page = connection.getresponse()
        html = page.read().decode()
        cookie = page.headers["Set-Cookie"].split(";")[0]
        match = CSRF_META.search(html)
        assert match is not None
        yield Server(app, httpd.server_port, counted, cookie, match.group(1))
    finally:
        httpd.shutdown()
        thread.join(timeout=10)


def _status_kib(name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1]) * KIB
    raise AssertionError(f"{name} not in /proc/self/status")


def peak_memory_during(action: Callable[[], Any]) -> tuple[Any, int]:
    """What ``action`` returned, and how far this process's peak resident memory rose above
    its resident memory before (the peak is reset first)."""
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current VmRSS
    before = _status_kib("VmRSS")
    result = action()
    return result, _status_kib("VmHWM") - before


@dataclass
class Outcome:
    status: int | None  # None: the server closed before its answer could be read
    body: bytes
    sent: int  # bytes the generator produced before the server answered or closed


def send_chunked(
    port: int, path: str, headers: dict[str, str], start: bytes, total: int = ATTACK
) -> Outcome:
    """POST ``start`` then filler, chunked, up to ``total`` bytes: stop as soon as the server
    answers (or closes), counting what the generator produced."""
    produced = 0

    def body() -> Iterator[bytes]:
        nonlocal produced
        produced += len(start)
        yield start
        filler = b"a" * CHUNK
        while produced < total:
            produced += CHUNK
            yield filler

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.putrequest("POST", path, skip_accept_encoding=True)
    for name, value in {**headers, "Transfer-Encoding": "chunked"}.items():
        connection.putheader(name, value)
    connection.endheaders()
    sock = connection.sock
    try:
        for chunk in body():
            if select.select([sock], [], [], 0)[0]:
                break  # the server answered: stop sending
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        else:
            sock.sendall(b"0\r\n\r\n")
    except OSError:
        pass  # the server closed the connection after its answer
    try:
        response = connection.getresponse()
        return Outcome(response.status, response.read(), produced)
    except OSError:
        return Outcome(None, b"", produced)
    finally:
        connection.close()


def post_routes(app: Flask) -> list[tuple[str, str]]:
    """(endpoint, a path of it) for every POST route of the app."""
    routes = []
    for rule in app.url_map.iter_rules():
        if "POST" in (rule.methods or ()):
            path = re.sub(r"<int:[^>]+>", "1", rule.rule)
            routes.append((rule.endpoint, re.sub(r"<[^>]+>", "x", path)))
    return sorted(routes)


def attack_headers(server: Server, endpoint: str) -> tuple[dict[str, str], bytes]:
    """Everything that lets the route read its body (bearer token, session and CSRF token),
    and the start of an endless body of the route's kind."""
    headers = {
        "Cookie": server.cookie,
        "X-CSRFToken": server.csrf,
        "Authorization": f"Bearer {TOKEN}",
    }
    if endpoint in JSON_ROUTES:
        return {**headers, "Content-Type": "application/json"}, b'{"message": "'
    start = b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
    return {**headers, "Content-Type": "multipart/form-data; boundary=b"}, start


def test_every_post_route_is_covered(server: Server) -> None:
    """The parametrised attack below names every POST route the app has."""
    assert sorted(endpoint for endpoint, _ in post_routes(server.app)) == sorted(ALL_POST_ROUTES)


ALL_POST_ROUTES = (
    "alerts.acknowledge",
    "alerts.receive",
    "api.ticket_event",  # the REST API (web/api): bearer token first
    "console.sign_in_submit",
    "console.sign_out",
    "console.staff_create",
    "console.staff_toggle",
    "console.outbox_action",
    "console.contracts_import",
    "console.ticket_action",
    "console.live_take",  # the live hand-off (web/console/live.py)
    "console.live_message",
    "console.live_give_back",
    "console.live_close",
    "console.live_ticket",
    "helpcenter.chat",
    "helpcenter.sign_in",
    "helpcenter.sign_out",
    "helpcenter.survey",  # the survey after a chat's ticket (web/helpcenter/survey.py)
    *(
        f"ivr.{name}"
        for name in (
            "voice",
            "language",
            "identify",
            "role",
            "menu",
            "priority",
            "ticket",
            "pin",
            "voicemail",
            "voicemail_recorded",
            "dial_status",
            "status",
            "fallback",
            "queue_wait",  # the desk queue (ivr/queue.py)
            "queue_choice",
            "queue_left",
            "survey_understood",  # the survey (ivr/survey.py)
            "survey_score",
        )
    ),
)


@pytest.mark.parametrize("endpoint", ALL_POST_ROUTES)
def test_a_400_mib_chunked_body_is_refused_within_the_routes_limit(
    server: Server, endpoint: str
) -> None:
    """400 MiB chunked, no Content-Length: the app reads at most the route's limit + 1 byte,
    answers 413, and the server's memory rises by less than 50 MiB."""
    path = dict(post_routes(server.app))[endpoint]
    limit = limits.route_limit(server.app, endpoint)
    if endpoint in ADMIN_ONLY:  # the attacker is not signed in as an admin
        limit = limits.FORM_LIMIT
    headers, start = attack_headers(server, endpoint)
    outcome, grown = peak_memory_during(lambda: send_chunked(server.port, path, headers, start))
    read = server.counted.read[path]
    print(f"{endpoint}: {outcome.status}, limit {limit}, read {read}, sent {outcome.sent}", end="")
    print(f", memory +{grown // KIB} KiB")
    assert read <= limit + 1
    assert outcome.sent < ATTACK
    assert outcome.status in (413, None) or read == 0  # refused, or never read at all
    assert grown < MEMORY_BUDGET


def post_declared(server: Server, path: str, length: int, **headers: str) -> Outcome:
    """POST announcing ``length`` bytes of body and sending none: the answer must not wait."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.putrequest("POST", path, skip_accept_encoding=True)
    for name, value in {**headers, "Content-Length": str(length)}.items():
        connection.putheader(name, value)
    connection.endheaders()
    try:
        response = connection.getresponse()
        return Outcome(response.status, response.read(), 0)
    finally:
        connection.close()


def test_a_300_mb_json_message_to_the_chat_is_refused_before_it_is_read(server: Server) -> None:
    """The finding's chat attack with its size announced (anonymous CSRF token): 413 as JSON
    at once, not one byte read."""
    headers = {"Cookie": server.cookie, "X-CSRFToken": server.csrf}
    outcome = post_declared(
        server, "/help/chat", 300_000_000, **headers, **{"Content-Type": "application/json"}
    )
    assert outcome.status == 413
    assert "larger than this address accepts (16384 bytes)" in json.loads(outcome.body)["error"]
    assert server.counted.read["/help/chat"] == 0


@pytest.mark.parametrize(
    ("path", "kind", "headers"),
    [
        ("/api/alerts", "application/json", {"Authorization": f"Bearer {TOKEN}"}),
        ("/ivr/voice", "text/plain", {}),
        ("/console/sign-in", "text/html", {}),
        ("/help/chat", "application/json", {}),
    ],
)
def test_a_413_answers_in_the_kind_of_the_route(
    server: Server, path: str, kind: str, headers: dict[str, str]
) -> None:
    """JSON for the APIs and the chat, plain text for Twilio, the console's error page."""
    if path == "/help/chat":
        headers = {"Cookie": server.cookie, "X-CSRFToken": server.csrf}
    outcome = post_declared(server, path, 400 * MIB, **headers)
    assert outcome.status == 413
    assert kind in _content_type(server, path, headers)
    assert b"larger than this address accepts" in outcome.body


def _content_type(server: Server, path: str, headers: dict[str, str]) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.putrequest("POST", path, skip_accept_encoding=True)
    for name, value in {**headers, "Content-Length": str(400 * MIB)}.items():
        connection.putheader(name, value)
    connection.endheaders()
    try:
        response = connection.getresponse()
        response.read()
        return response.headers["Content-Type"]
    finally:
        connection.close()


def test_a_json_array_100000_deep_on_the_alerts_webhook_is_400_not_500(server: Server) -> None:
    """The finding's RecursionError: refused by the depth scan before parsing, nothing
    written."""
    client = server.app.test_client()
    deep = "[" * 100_000 + "]" * 100_000
    response = client.post(
        "/api/alerts",
        data=deep,
        content_type="application/json",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 400
    assert "nested deeper than 32 levels" in response.get_json()["error"]
    assert count(server.app.extensions["frontdoor"], "alerts") == 0


def test_a_deep_json_chat_message_is_400_not_500(server: Server) -> None:
    """8,000 levels fit in the chat's 16 KiB and used to overflow json.loads' recursion."""
    client = server.app.test_client()
    client.get("/help/")
    deep = '{"message": ' + "[" * 8_000 + "]" * 8_000 + "}"
    response = client.post(
        "/help/chat",
        data=deep,
        content_type="application/json",
        headers={"X-CSRFToken": _csrf(client)},
    )
    assert response.status_code == 400
    assert "nested deeper than 32 levels" in response.get_json()["error"]


def _csrf(client: Any) -> str:
    match = CSRF_META.search(client.get("/help/").get_data(as_text=True))
    assert match is not None
    return match.group(1)


@pytest.mark.parametrize(
    ("document", "deep"),
    [
        ('{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', False),
        ('{"a": "\\\\", "b": ' + "[" * 33 + "]" * 33 + "}", True),
        ('{"a": "\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', False),
        ("[" * 32 + "]" * 32, False),
        ("[" * 33 + "]" * 33, True),
    ],
)
def test_the_depth_scan_ignores_brackets_inside_strings(document: str, deep: bool) -> None:
    """Brackets in strings (escaped quotes and backslashes included) do not count."""
    if deep:
        with pytest.raises(limits.JsonTooDeep):
            limits.loads_bounded(document.encode())
    else:
        assert limits.loads_bounded(document.encode()) is not None


def test_the_contracts_upload_takes_a_large_file_from_an_admin_only(admin: Any, agent: Any) -> None:
    """An admin may send up to the CSV limit; an agent is cut at the form limit (413)."""
    big = {"file": (io.BytesIO(b"x" * 100 * KIB), "contracts.csv")}
    refused = agent.post("/console/admin/contracts", data=big)
    assert refused.status_code == 413
    assert b"larger than this address accepts (16384 bytes)" in refused.data
    big = {"file": (io.BytesIO(b"x" * 100 * KIB), "contracts.csv")}
    answered = admin.post("/console/admin/contracts", data=big)
    assert answered.status_code == 400  # read in full, then refused as a CSV
    assert b"nothing was imported" in answered.data


@pytest.mark.parametrize("size", [0, 1, 16 * KIB])
def test_a_body_of_exactly_the_limit_is_read_in_full(size: int) -> None:
    """The limit is the largest body accepted: one byte more is the most ever read."""
    bounded = limits.BoundedInput(io.BytesIO(b"x" * size), 16 * KIB)
    assert bounded.read() == b"x" * size and bounded.read(10) == b""
    over = limits.BoundedInput(io.BytesIO(b"x" * (size + 16 * KIB + 1)), 16 * KIB)
    with pytest.raises(limits.BodyTooLarge):
        while over.read(4096):
            pass
    assert over.consumed == 16 * KIB + 1
