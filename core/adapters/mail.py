"""E-mail delivery of notifications over SMTP (the :class:`~core.notify.Notifier` port).

One connection per round of the worker, opened at the first message and kept while it works
(closed by :meth:`SmtpNotifier.close`, or after a failure, so the next message reconnects):
STARTTLS (certificate checked) unless turned off, login when a user is set. Each message has a
plain-text and an HTML part, ``Content-Language``, and its
outbox delivery id twice: as ``Message-ID`` (``<delivery-id@sender-domain>``) and as the
``X-Frontdoor-Delivery-Id`` header, so that a receiver drops a message delivered twice.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from core.notify import DeliveryError, Message
from core.settings import MailSettings

DELIVERY_ID_HEADER = "X-Frontdoor-Delivery-Id"


def message_id(delivery_id: str, sender: str) -> str:
    """The ``Message-ID`` of a delivery: the same for every attempt."""
    return f"<{delivery_id}@{sender.rpartition('@')[2] or 'frontdoor'}>"


def build_email(message: Message, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = formataddr((message.to_name, message.to_address))
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.at)
    email["Message-ID"] = message_id(message.delivery_id, sender)
    email[DELIVERY_ID_HEADER] = message.delivery_id
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    email.set_content(message.text)
    email.add_alternative(message.html, subtype="html")
    email["Content-Language"] = message.language  # after the parts: they move Content-* down
    return email


class SmtpNotifier:
    def __init__(self, settings: MailSettings):
        if not settings.smtp_host:
            raise ValueError("FRONTDOOR_SMTP_HOST is not set")
        self.settings = settings
        self.host = settings.smtp_host
        self._smtp: smtplib.SMTP | None = None

    def send(self, message: Message) -> None:
        email = build_email(message, self.settings.sender)
        try:
            self._connection().send_message(email)
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            s = self.settings
            smtp = smtplib.SMTP(self.host, s.smtp_port, timeout=s.timeout)
            try:
                if s.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if s.user:
                    smtp.login(s.user, s.password or "")
            except BaseException:
                smtp.close()
                raise
            self._smtp = smtp
        return self._smtp

    def close(self) -> None:
        """End the connection (politely when it still answers)."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
