"""The Help Center's one client to Rasa's REST channel (helpdesk-assistant style).

The browser never talks to Rasa: the web app forwards each message to
``POST {FRONTDOOR_RASA_URL}/webhooks/rest/webhook`` and passes back only the text and buttons of
the bot's replies. The transport is a small callable so tests can inject a fake one; the default
uses the standard library (no extra HTTP dependency in the web process).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.settings import DEFAULT_RASA_TIMEOUT as DEFAULT_TIMEOUT
from core.settings import DEFAULT_RASA_URL as DEFAULT_URL

REST_PATH = "/webhooks/rest/webhook"

Transport = Callable[[str, bytes, float], bytes]
"""(url, JSON body, timeout in seconds) -> response body; raises :class:`RasaUnavailable`."""


class RasaUnavailable(Exception):
    """Rasa is down, too slow, or answered something that is not a list of messages."""


@dataclass(frozen=True)
class BotReply:
    """One message of the bot, as the chat panel shows it."""

    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"text": self.text, "buttons": self.buttons}


def urllib_transport(url: str, body: bytes, timeout: float) -> bytes:
    """POST ``body`` as JSON with the standard library; every failure is RasaUnavailable."""
    request = urllib.request.Request(  # noqa: S310 - the URL is our own setting, http(s) only
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            data: bytes = response.read()
            return data
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        raise RasaUnavailable(f"{url}: {exc}") from exc


@dataclass(frozen=True)
class RasaClient:
    """Sends one user message to Rasa and returns the bot's replies."""

    base_url: str = DEFAULT_URL
    timeout: float = DEFAULT_TIMEOUT
    transport: Transport = urllib_transport

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"FRONTDOOR_RASA_URL must be an http(s) URL, got {self.base_url!r}")

    def send(
        self,
        sender: str,
        message: str,
        metadata: Mapping[str, Any],
        message_id: str | None = None,
    ) -> list[BotReply]:
        """One user turn: Rasa's REST channel answers with the bot's messages for it. The same
        ``message_id`` sent again gets the first answer, processed once (a new one if None)."""
        # a message id: Rasa answers a message it already processed from its tracker instead of
        # processing it again (a retried request, rasaserver/rest_channel.py)
        metadata = {**metadata, "message_id": message_id or uuid.uuid4().hex}
        body = json.dumps({"sender": sender, "message": message, "metadata": metadata})
        url = self.base_url.rstrip("/") + REST_PATH
        raw = self.transport(url, body.encode("utf-8"), self.timeout)
        try:
            messages = json.loads(raw)
        except ValueError as exc:
            raise RasaUnavailable(f"{url}: the answer is not JSON") from exc
        if not isinstance(messages, list):
            raise RasaUnavailable(f"{url}: the answer is not a list of messages")
        return [reply for m in messages if (reply := _reply(m)) is not None]


def _reply(message: object) -> BotReply | None:
    """Text and buttons of one Rasa message; anything else (images, custom JSON) is left out."""
    if not isinstance(message, dict):
        return None
    text = message.get("text")
    buttons = [_button(b) for b in message.get("buttons") or [] if isinstance(b, dict)]
    buttons = [b for b in buttons if b["title"]]
    if not isinstance(text, str) and not buttons:
        return None
    return BotReply(text if isinstance(text, str) else "", buttons)


def _button(button: dict[str, Any]) -> dict[str, str]:
    title = str(button.get("title") or "")
    return {"title": title, "payload": str(button.get("payload") or title)}
