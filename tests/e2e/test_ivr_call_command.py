"""``frontdoor call`` in-process against the real IVR on the demo data: keys from the terminal."""

from __future__ import annotations

from datetime import datetime

from click.testing import CliRunner

from cli.main import cli
from core.bootstrap import Frontdoor
from ivr.speakable import ticket_number
from phonesim.demo_calls import EUROPE, NIGHT_ROME, admin_phone

from .conftest import DEMO_TODAY
from .test_ivr_office_hours import outcome_of, stored_tickets


def test_the_call_command_leaves_a_night_voicemail_in_process_without_twilio_settings(
    demo: Frontdoor,
) -> None:
    """No TWILIO_AUTH_TOKEN nor simulated-time setting: the in-process app shares the run's
    token and takes --at as its clock; the Italian caller hears Roma and gets a ticket."""
    result = CliRunner().invoke(
        cli,
        ["call", "--to", EUROPE, "--from", admin_phone("1012", DEMO_TODAY), "--at", NIGHT_ROME],
        input="3\n15 #\n",
        obj={"frontdoor": demo},
        env={"TWILIO_AUTH_TOKEN": "", "PUBLIC_BASE_URL": "", "FRONTDOOR_IVR_SIMULATED_TIME": ""},
    )
    assert result.exit_code == 0, result.output
    assert "dalle 9:00 alle 18:00, ora di Roma" in result.output
    assert "call ended: hangup" in result.output
    ticket = stored_tickets(demo)[-1]
    assert ticket.opened_at == datetime.fromisoformat(NIGHT_ROME)
    assert ticket_number(ticket.number, ticket.language) in result.output
    assert outcome_of(demo, result.output.split()[1].rstrip(":")) == ("open_ticket", "closed")
