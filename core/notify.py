"""The port through which the outbox worker sends a notification, whatever the medium.

An adapter implements :class:`Notifier`: ``send`` returns when the message was handed over, or
raises :class:`DeliveryError` with a one-line reason. Each message names its ``channel``:

- ``email``: :class:`core.adapters.mail.SmtpNotifier` (``to_address`` an e-mail address);
- ``sms`` and ``call``: Twilio's REST API (``to_address`` a phone number; ``text`` what the
  message says or the call reads);
- ``webhook``: a signed HTTP POST (``to_name`` the endpoint's name, ``to_address`` its URL,
  ``text`` the JSON body);
- ``oncall``: the proactive alert's call to an on-call engineer, who presses 1 to take the
  ticket (``data`` holds the page: ticket, customer, contract, product, summary);
- ``callback``: a caller who asked in the desk queue to be called back (``to_address`` their
  number, ``text`` the sentence said before ``data["desk"]`` is dialled, or ``data["queue"]``
  joined; ``data["caller_id"]`` the number the call comes from);
- ``helpdesk``: the ticket handed to the helpdesk engineers work in (Request Tracker,
  :mod:`outbound.request_tracker`; docs/helpdesk.md).

:class:`Router` sends each message through the adapter of its channel; a channel nobody
configured fails (and is retried, then dead, visibly). Every message carries the outbox row's
stable ``delivery_id``: a retried delivery has the same one, so that a receiver can drop what
it already has.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

CHANNELS = ("email", "sms", "call", "webhook", "oncall", "helpdesk", "callback")


class DeliveryError(Exception):
    """The message could not be handed over (the attempt is retried later)."""


@dataclass(frozen=True)
class Message:
    delivery_id: str
    to_name: str
    to_address: str
    language: str
    subject: str
    text: str
    html: str
    at: datetime  # when it was written (the worker's clock)
    channel: str = "email"
    data: Mapping[str, Any] = field(default_factory=dict)


class Notifier(Protocol):
    def send(self, message: Message) -> None:
        """Hand ``message`` over, or raise :class:`DeliveryError`."""


class Router:
    """One :class:`Notifier` for the worker: each message goes to its channel's adapter."""

    def __init__(self, adapters: Mapping[str, Notifier]):
        self.adapters = dict(adapters)

    def send(self, message: Message) -> None:
        adapter = self.adapters.get(message.channel)
        if adapter is None:
            raise DeliveryError(f"no {message.channel} delivery is configured")
        adapter.send(message)

    def close(self) -> None:
        """Close the adapters that keep a connection (SMTP)."""
        for adapter in self.adapters.values():
            close = getattr(adapter, "close", None)
            if close is not None:
                close()
