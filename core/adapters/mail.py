"""E-mail delivery of notifications over SMTP (the :class:`~core.notify.Notifier` port).

One connection per round of the worker, opened at the first message and kept while it works
(closed by :meth:`SmtpNotifier.close`, or after a failure, so the next message reconnects):
STARTTLS (certificate checked) unless turned off, login when a user is set. Each message has a
plain-text and an HTML part, ``Content-Language``, and its
outbox delivery id twice: as ``Message-ID`` (``<delivery-id@sender-domain>``) and as the
``X-Frontdoor-Delivery-Id`` header, so that a receiver drops a message delivered twice. A digest
(``message.data["delivery_ids"]``: the notifications it lists) also carries every member's id in
``X-Frontdoor-Delivery-Ids``, comma separated and folded like any long header.

The message is written by :func:`render_email` (about a hundred times cheaper than the
standard ``email`` package's objects: headers encoded with RFC 2047 where they are not ASCII,
both parts in base64); :func:`build_email`, with the package, serves the rare sender or
recipient address that is not ASCII (sent with SMTPUTF8).
"""

from __future__ import annotations

import base64
import smtplib
import ssl
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr

from core.notify import DeliveryError, Message
from core.settings import MailSettings

DELIVERY_ID_HEADER = "X-Frontdoor-Delivery-Id"
DELIVERY_IDS_HEADER = "X-Frontdoor-Delivery-Ids"
LINE = 78  # the recommended longest header line (RFC 5322)


def message_id(delivery_id: str, sender: str) -> str:
    """The ``Message-ID`` of a delivery: the same for every attempt."""
    return f"<{delivery_id}@{sender.rpartition('@')[2].rstrip('>') or 'frontdoor'}>"


def _members(message: Message) -> list[str]:
    return [str(member) for member in message.data.get("delivery_ids") or ()]


def build_email(message: Message, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = formataddr((message.to_name, message.to_address))
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.at)
    email["Message-ID"] = message_id(message.delivery_id, sender)
    email[DELIVERY_ID_HEADER] = message.delivery_id
    if _members(message):
        email[DELIVERY_IDS_HEADER] = ", ".join(_members(message))
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    email.set_content(message.text)
    email.add_alternative(message.html, subtype="html")
    email["Content-Language"] = message.language  # after the parts: they move Content-* down
    return email


def _unstructured(name: str, value: str) -> str:
    """``name: value`` on one line, or folded (encoded-words when not ASCII), CRLF between."""
    value = " ".join(value.split())  # no line breaks smuggled into a header
    if value.isascii() and len(name) + 2 + len(value) <= LINE:
        return f"{name}: {value}"
    charset = "us-ascii" if value.isascii() else "utf-8"
    folded = Header(value, charset, header_name=name).encode(maxlinelen=LINE, linesep="\r\n")
    return f"{name}: {folded}"


def _address(name: str, display: str, address: str) -> str:
    """``name: display <address>``, the display name quoted or encoded as needed, folded."""
    display = " ".join(display.split())
    if not display:
        return f"{name}: {address}"
    if display.isascii():
        return _unstructured(name, formataddr((display, address)))
    words = Header(display, "utf-8", header_name=name).encode(maxlinelen=LINE, linesep="\r\n")
    return f"{name}: {words}\r\n <{address}>"


def _list(name: str, items: list[str]) -> str:
    """``name: a, b, c`` folded between items."""
    lines, line = [], f"{name}:"
    for n, item in enumerate(items):
        word = f" {item}{',' if n < len(items) - 1 else ''}"
        if len(line) + len(word) > LINE and line != f"{name}:":
            lines.append(line)
            line = ""
        line += word
    return "\r\n".join([*lines, line])


def _part(subtype: str, body: str, boundary: str) -> bytes:
    head = (
        f'--{boundary}\r\nContent-Type: text/{subtype}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
    )
    body = body if body.endswith("\n") else body + "\n"  # as the email package ends a part
    return head.encode() + base64.encodebytes(body.encode()).replace(b"\n", b"\r\n")


def render_email(message: Message, sender: str) -> bytes:
    """The message as sent (CRLF line ends): the headers :func:`build_email` writes, a
    ``multipart/alternative`` body with the plain-text and the HTML part."""
    boundary = f"=_frontdoor_{message.delivery_id}"  # base64 never holds "-" or "_"
    headers = [
        _unstructured("From", sender),
        _address("To", message.to_name, message.to_address),
        _unstructured("Subject", message.subject),
        f"Date: {format_datetime(message.at)}",
        f"Message-ID: {message_id(message.delivery_id, sender)}",
        f"{DELIVERY_ID_HEADER}: {message.delivery_id}",
    ]
    if _members(message):
        headers.append(_list(DELIVERY_IDS_HEADER, _members(message)))
    headers += [
        "Auto-Submitted: auto-generated",  # RFC 3834: no auto-replies, please
        "MIME-Version: 1.0",
        f'Content-Type: multipart/alternative;\r\n boundary="{boundary}"',
        _unstructured("Content-Language", message.language),
    ]
    return b"".join(
        [
            "\r\n".join([*headers, "", ""]).encode(),
            _part("plain", message.text, boundary),
            _part("html", message.html, boundary),
            f"--{boundary}--\r\n".encode(),
        ]
    )


class SmtpNotifier:
    def __init__(self, settings: MailSettings):
        if not settings.smtp_host:
            raise ValueError("FRONTDOOR_SMTP_HOST is not set")
        self.settings = settings
        self.host = settings.smtp_host
        self._smtp: smtplib.SMTP | None = None

    def send(self, message: Message) -> None:
        sender = self.settings.sender
        try:
            if sender.isascii() and message.to_address.isascii():
                raw = render_email(message, sender)
                self._connection().sendmail(parseaddr(sender)[1], [message.to_address], raw)
            else:
                self._connection().send_message(build_email(message, sender))
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
