"""Traffic for the scale-out test and benchmark: phone calls and Help Center chats played
through the load balancer, each retried as its sender would retry it.

Twilio retries a webhook whose connection failed or that answered 5xx (its connection overrides,
``#rc=``/``#rp=``, docs/scale-out.md); a browser's chat script lets the customer send again.
:class:`RetryingTransport` and :class:`ChatClient` do the same and count their retries.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from phonesim import CallResult, CallSimulator, HttpTransport, Reply, scripted
from phonesim.demo_calls import DemoCall
from web.helpcenter.views import CONVERSATION_KEY

RETRY_STATUSES = frozenset({0, 502, 503, 504})
RETRIES = 4
PAUSE = 0.5  # seconds between two attempts
TICKET = re.compile(r"\b(\d{7})\b")
CONFIRM_PREFIX = "/affirm"  # the payload of "Yes, open it"
CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


class RetryingTransport(HttpTransport):
    """An HTTP transport that sends a failed webhook again, as Twilio's retry policy does."""

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url, timeout=30.0)
        self.retried = 0

    def send(
        self, method: str, url: str, form: Mapping[str, str], headers: Mapping[str, str]
    ) -> Reply:
        reply = super().send(method, url, form, headers)
        for _ in range(RETRIES):
            if reply.status not in RETRY_STATUSES:
                break
            self.retried += 1
            time.sleep(PAUSE)
            reply = super().send(method, url, form, headers)
        return reply


def play_call(base_url: str, public_url: str, token: str, call: DemoCall) -> tuple[CallResult, int]:
    """One scripted call through ``base_url``: its record and how many webhooks were retried."""
    transport = RetryingTransport(base_url)
    simulator = CallSimulator(
        transport,
        auth_token=token,
        public_base_url=public_url,
        caller=scripted(call.answers),
        output=None,
    )
    result = simulator.call(call.to, call.from_, at=call.at, status_callback="/ivr/status")
    return result, transport.retried


@dataclass
class ChatResult:
    contact: str
    conversation_id: str = ""
    sent: list[str] = field(default_factory=list)  # every customer message, once
    said: list[str] = field(default_factory=list)  # the bot's texts
    ticket: str | None = None
    retried: int = 0


class ChatClient:
    """A signed-in Help Center visitor (demo sign-in) chatting through the load balancer;
    ``secret_key`` (the web apps' ``SECRET_KEY``) reads the conversation id in its session."""

    def __init__(self, base_url: str, contact_code: str, secret_key: str = "") -> None:
        self.secret_key = secret_key
        self.base = base_url.rstrip("/")
        self.session = requests.Session()
        self.result = ChatResult(contact_code)
        page = self._get("/help/")
        key = re.search(rf'<option value="({contact_code}\|[^"]+)"', page)
        assert key is not None, f"no demo contact of contract {contact_code}"
        self._post("/help/sign-in", data={"contact": key.group(1), "csrf_token": _csrf(page)})
        self.csrf = _csrf(self._get("/help/"))

    def report(self, opening: str, language: str = "en", turns: int = 6) -> ChatResult:
        """Report a problem: the opening message, then the P2 button when priorities are
        offered, then the first button (the confirmation), and stop: the bot names the ticket
        in its answer. Each message has its id, kept when it is sent again (as the page's
        script does), so that Rasa answers a copy instead of processing it twice."""
        message = opening
        for _ in range(turns):
            body = self._post(
                "/help/chat",
                json={"message": message, "language": language, "message_id": uuid.uuid4().hex},
                headers={"X-CSRFToken": self.csrf},
            ).json()
            self.result.sent.append(message)
            replies: list[dict[str, Any]] = body.get("replies", [])
            texts = [r["text"] for r in replies if r.get("text")]
            self.result.said += texts
            if found := next((m.group(1) for t in texts if (m := TICKET.search(t))), None):
                self.result.ticket = found
                break
            if self.result.sent[-1].startswith(CONFIRM_PREFIX):
                break
            buttons = [b for r in replies for b in r.get("buttons") or []]
            priorities = [b for b in buttons if '"priority"' in b["payload"]]
            choice = priorities[1] if priorities else (buttons[0] if buttons else None)
            message = choice["payload"] if choice else opening
        if self.secret_key:  # without it the cookie cannot be read (the benchmark's visitors)
            self.result.conversation_id = self.conversation_id
        return self.result

    @property
    def conversation_id(self) -> str:
        """The Rasa conversation of this visitor, read from the signed session cookie."""
        app = Flask(__name__)
        app.secret_key = self.secret_key
        serializer = SecureCookieSessionInterface().get_signing_serializer(app)
        assert serializer is not None
        session = serializer.loads(self.session.cookies["session"])
        return str(session[CONVERSATION_KEY])

    def _get(self, path: str) -> str:
        return self._send("GET", path).text

    def _post(self, path: str, **kwargs: Any) -> requests.Response:
        return self._send("POST", path, **kwargs)

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        for attempt in range(RETRIES + 1):
            try:
                response = self.session.request(method, self.base + path, timeout=60, **kwargs)
            except requests.ConnectionError:
                response = None
            if response is not None and response.status_code not in RETRY_STATUSES:
                response.raise_for_status()
                return response
            if attempt < RETRIES:
                self.result.retried += 1
                time.sleep(PAUSE)
        raise AssertionError(f"{method} {path}: no answer after {RETRIES} retries")


def _csrf(page: str) -> str:
    found = CSRF.search(page)
    assert found is not None, "no CSRF token on the Help Center page"
    return found.group(1)
