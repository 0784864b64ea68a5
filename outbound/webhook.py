"""Signed webhooks (the :class:`~core.notify.Notifier` port): one HTTP POST per message.

The body is the message's text, the JSON object of :func:`core.delivery.webhook_body`, sent as
UTF-8 to the endpoint's URL with these headers (docs/webhooks.md):

- ``X-Frontdoor-Event``: the event type (``ticket.escalated``, ...);
- ``X-Frontdoor-Delivery-Id``: the outbox row's delivery id, the same on every retry;
- ``X-Frontdoor-Timestamp``: when this attempt was signed, in unix seconds;
- ``X-Frontdoor-Signature``: ``v1=`` and the hex HMAC-SHA256, keyed with the endpoint's secret,
  of ``"<timestamp>."`` followed by the body's bytes.

A 2xx answer is success. Any other status (a redirect is not followed), a timeout or a failed
connection raises :class:`~core.notify.DeliveryError` naming the status or the failure and the
host only: never the secret, the URL's path (it often holds a token) or the answer's body.
Receivers check a delivery with :func:`verify`.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

import requests

from core.notify import DeliveryError, Message

USER_AGENT = "frontdoor-webhook/1"
EVENT_HEADER = "X-Frontdoor-Event"
DELIVERY_ID_HEADER = "X-Frontdoor-Delivery-Id"
TIMESTAMP_HEADER = "X-Frontdoor-Timestamp"
SIGNATURE_HEADER = "X-Frontdoor-Signature"
SCHEME = "v1"
DEFAULT_TOLERANCE = 300  # seconds a receiver accepts between the timestamp and its clock


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The ``X-Frontdoor-Signature`` value: ``v1=`` and the hex HMAC-SHA256 of
    ``"<timestamp>."`` followed by ``body``, keyed with ``secret``."""
    return f"{SCHEME}={_mac(secret, timestamp, body)}"


def verify(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    now: float,
    tolerance: int = DEFAULT_TOLERANCE,
) -> bool:
    """True when ``signature`` (the ``X-Frontdoor-Signature`` header; several comma-separated
    values allowed) signs ``body`` at ``timestamp`` with ``secret``, and ``timestamp`` is
    within ``tolerance`` seconds of ``now`` (an old delivery replayed is refused)."""
    if not timestamp.isascii() or not timestamp.isdigit():
        return False
    if abs(now - int(timestamp)) > tolerance:
        return False
    expected = _mac(secret, timestamp, body).encode()
    for part in signature.split(","):
        scheme, _, value = part.strip().partition("=")
        if scheme == SCHEME and hmac.compare_digest(value.encode(), expected):
            return True
    return False


def _mac(secret: str, timestamp: int | str, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def host_of(url: str) -> str:
    """The URL's host (and port), all an error message says about an endpoint."""
    return urlsplit(url).netloc.rpartition("@")[2] or "an invalid URL"


class WebhookNotifier:
    """``webhook`` messages: a signed POST with the secret of the endpoint (``message.to_name``)."""

    def __init__(
        self,
        secrets: Mapping[str, str],
        *,
        timeout: float = 10,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.secrets = dict(secrets)
        self.timeout = timeout
        self._owned = session is None
        self.session = session or requests.Session()
        self.clock = clock

    def __repr__(self) -> str:
        return f"WebhookNotifier(endpoints={sorted(self.secrets)!r}, timeout={self.timeout!r})"

    def send(self, message: Message) -> None:
        if message.channel != "webhook":
            raise ValueError(f"a {message.channel} message cannot go through the webhook adapter")
        secret = self.secrets.get(message.to_name)
        if not secret:
            raise DeliveryError(f"no secret for webhook endpoint {message.to_name!r}")
        host = host_of(message.to_address)
        if urlsplit(message.to_address).scheme not in ("http", "https"):
            raise DeliveryError(f"webhook endpoint {message.to_name!r} has no http(s) URL")
        body = message.text.encode()
        try:
            response = self.session.post(
                message.to_address,
                data=body,
                headers=self.headers(message, secret, body),
                timeout=self.timeout,
                allow_redirects=False,
                stream=True,  # the answer's body is never read
            )
        except requests.Timeout as exc:
            raise DeliveryError(f"no answer from {host} within {self.timeout:g} s") from exc
        except requests.RequestException as exc:
            raise DeliveryError(f"{type(exc).__name__} reaching {host}") from exc
        with response:
            if not 200 <= response.status_code < 300:
                raise DeliveryError(f"HTTP {response.status_code} from {host}")

    def headers(self, message: Message, secret: str, body: bytes) -> dict[str, str]:
        """The headers of one attempt, signed now."""
        timestamp = int(self.clock())
        return {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            EVENT_HEADER: message.subject,
            DELIVERY_ID_HEADER: message.delivery_id,
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(secret, timestamp, body),
        }

    def close(self) -> None:
        """Drop the kept connections between rounds (a session passed in is the caller's)."""
        if self._owned:
            self.session.close()
