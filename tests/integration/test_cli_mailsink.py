"""``frontdoor mailsink``: make run's development SMTP server keeps e-mails in a Maildir."""

from __future__ import annotations

import mailbox
import smtplib
import subprocess
import sys
import time
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path

from click.testing import CliRunner

from cli.main import cli
from core.bootstrap import Frontdoor

from .helpers import free_port
from .test_cli_data import assert_one_line_error


def greeting(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            smtplib.SMTP("127.0.0.1", port, timeout=1).quit()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the mail sink never answered")


def test_the_mail_sink_keeps_each_email_in_a_maildir(tmp_path: Path) -> None:
    """An e-mail sent to the sink is a file in DIR/new that a Maildir reader opens; SIGTERM
    stops the sink."""
    port, where = free_port(), tmp_path / "mail"
    env = {"FRONTDOOR_ENV": "development", "PATH": "/bin"}
    frontdoor = str(Path(sys.executable).with_name("frontdoor"))
    command = [frontdoor, "mailsink", "--port", str(port), "--dir", str(where)]
    sink = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    try:
        greeting(port)
        message = EmailMessage()
        message["From"], message["To"] = "fd@localhost", "support-eu@example.com"
        message["Subject"] = "[P2] Ticket 0000018: escalated to Support team"
        message.set_content("the ticket is not in charge after 2 business hours")
        with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
            smtp.send_message(message)
        [kept] = list(mailbox.Maildir(where, create=False))
        assert kept["Subject"] == message["Subject"]
    finally:
        sink.terminate()
        assert sink.wait(timeout=10) == 0


def test_the_mail_sink_refuses_to_run_in_production(frontdoor: Frontdoor) -> None:
    """A production instance sends to a real SMTP server: one line, exit 2, nothing listens."""
    production = replace(frontdoor, settings=replace(frontdoor.settings, production=True))
    result = CliRunner().invoke(cli, ["mailsink", "--port", "0"], obj={"frontdoor": production})
    assert_one_line_error(result, "mailsink is a development tool")
