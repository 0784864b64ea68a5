"""A real SMTP server on loopback (aiosmtpd) and a clock the tests move, for the outbox worker.

The server keeps every message it accepted; :meth:`Mailbox.take` parses them with the standard
``email`` package, as a mail client would.
"""

from __future__ import annotations

import email
import email.policy
import socket
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from core.bootstrap import Frontdoor
from core.notify import Notifier
from core.settings import MailSettings, OutboxSettings
from core.worker import OutboxWorker

SENDER = "frontdoor@support.example.com"
BASE_URL = "https://frontdoor.example.com"


class _Handler:
    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((list(envelope.rcpt_tos), bytes(envelope.original_content)))
        return "250 Message accepted"


class Mailbox:
    """An SMTP server on 127.0.0.1 that can be stopped and started again on the same port."""

    def __init__(self) -> None:
        self.handler = _Handler()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def take(self) -> list[EmailMessage]:
        """The messages received since the last call, parsed."""
        found = [
            email.message_from_bytes(raw, policy=email.policy.default)
            for _, raw in self.handler.received
        ]
        self.handler.received.clear()
        return [m for m in found if isinstance(m, EmailMessage)]

    def settings(self) -> MailSettings:
        return MailSettings(
            smtp_host="127.0.0.1", smtp_port=self.port, starttls=False, sender=SENDER, timeout=5
        )


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


def make_worker(fd: Frontdoor, notifier: Notifier, clock: Clock, **settings: Any) -> OutboxWorker:
    return OutboxWorker(
        fd.uow,
        fd.book,
        notifier,
        OutboxSettings(**settings),
        base_url=BASE_URL,
        clock=clock,
    )
