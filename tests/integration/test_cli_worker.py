"""``frontdoor worker --once``: what is due now goes out by e-mail, then the command exits."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from cli.main import cli
from core.bootstrap import Frontdoor

from .helpers import add_contract
from .mailbox import Mailbox
from .test_cli_data import assert_one_line_error
from .test_escalation_mail import open_gold_p2


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    box.start()
    yield box
    box.stop()


def test_worker_once_sends_what_is_due_and_exits(frontdoor: Frontdoor, mailbox: Mailbox) -> None:
    """A ticket opened a minute ago: its team's two e-mails leave; the ladder waits."""
    opened = datetime.now(UTC) - timedelta(minutes=1)
    year = timedelta(days=365)
    add_contract(frontdoor, starts=(opened - year).date(), ends=(opened + year).date())
    frontdoor.settings = dataclasses.replace(frontdoor.settings, mail=mailbox.settings())
    ticket = open_gold_p2(frontdoor, at=opened.isoformat())
    result = CliRunner().invoke(cli, ["worker", "--once"], obj={"frontdoor": frontdoor})
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["sent"] == 2 and summary["failed"] == 0
    received = mailbox.take()
    assert {m["Subject"].split(": ")[0] for m in received} == {f"[P2] Ticket {ticket.number}"}


def test_worker_with_no_delivery_configured_exits_2_with_one_line(frontdoor: Frontdoor) -> None:
    """No SMTP host, no Twilio, no webhook secret: one line saying what to set, exit 2."""
    result = CliRunner().invoke(cli, ["worker", "--once"], obj={"frontdoor": frontdoor})
    assert_one_line_error(result, "no delivery is configured (FRONTDOOR_SMTP_HOST")
