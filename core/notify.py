"""The port through which the outbox worker sends a notification, whatever the medium.

An adapter (:class:`core.adapters.mail.SmtpNotifier` for e-mail; :class:`core.testing.
FakeNotifier` in memory) implements :class:`Notifier`: ``send`` returns when the message was
handed over, or raises :class:`DeliveryError` with a one-line reason. Every message carries the
outbox row's stable ``delivery_id``: a retried delivery has the same one, so that a receiver
can drop what it already has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


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


class Notifier(Protocol):
    def send(self, message: Message) -> None:
        """Hand ``message`` over, or raise :class:`DeliveryError`."""
