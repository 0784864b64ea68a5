"""``frontdoor mailsink``: a development SMTP server that keeps every e-mail in a Maildir.

``make run`` starts it when no ``FRONTDOOR_SMTP_HOST`` is set, and points the outbox worker at
it, so the demo's escalation e-mails can be read (``var/mail/new/``, one file per message, any
mail client that reads a Maildir). It listens on loopback only and refuses to run in production.
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Any

import click

from cli.context import fail, get_settings
from core.logs import configure_logging


@click.command()
@click.option("--port", default=8025, show_default=True, help="port on 127.0.0.1")
@click.option(
    "--dir",
    "directory",
    default="var/mail",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="the Maildir the e-mails go to",
)
@click.pass_context
def mailsink(ctx: click.Context, port: int, directory: Path) -> None:
    """Development only: accept e-mail on 127.0.0.1 and keep it in a Maildir."""
    settings = get_settings(ctx)
    if settings.production:
        fail("mailsink is a development tool: it does not run in production")
    configure_logging(settings.ops)  # aiosmtpd's records, in the process's format
    try:
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Mailbox
    except ImportError:
        fail("aiosmtpd is not installed: pip install -e '.[dev]'")
    for part in ("tmp", "new", "cur"):  # a Maildir, even where the folder exists already
        (directory / part).mkdir(parents=True, exist_ok=True)
    controller = Controller(Mailbox(directory), hostname="127.0.0.1", port=port)
    try:
        controller.start()
    except OSError as exc:
        fail(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}")
    stop = threading.Event()

    def on_signal(_signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    click.echo(f"frontdoor mailsink: e-mail on 127.0.0.1:{port} kept in {directory}/new", err=True)
    stop.wait()
    controller.stop()
