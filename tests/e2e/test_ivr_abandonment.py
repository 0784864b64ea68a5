"""Abandonment and containment (issue #15), through signed webhooks: Twilio's status callback
at the end of a call classifies it once (retried callbacks count nothing), on the transcript,
in ``frontdoor_ivr_calls_ended_total`` and on the console's phone tree page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

import pytest
from integration.console import Clock as ConsoleClock
from integration.console import ConsoleClient, add_accounts, make_app
from prometheus_client import REGISTRY
from sqlalchemy import select

from core.adapters.orm import transcripts, turns
from tests.e2e.twilio_client import Call

from .conftest import NUMBERS, Ivr
from .test_ivr_office_hours import IN_HOURS, NIGHT, outcome_of

STRANGER = "+15005550006"  # nobody's number: language menu and customer code asked


def ended(result: str, step: str, theatre: str = "europe") -> float:
    labels = {"result": result, "step": step, "theatre": theatre}
    return REGISTRY.get_sample_value("frontdoor_ivr_calls_ended_total", labels) or 0.0


def hang_up(ivr: Ivr, call: Call, status: str = "completed", times: int = 2) -> None:
    """Twilio's status callback at the end of the call, delivered ``times`` times."""
    for _ in range(times):
        response = ivr.twilio.post("/ivr/status", {**call.params, "CallStatus": status})
        assert response.status_code == 200


def ending_lines(ivr: Ivr, sid: str) -> list[str]:
    with ivr.fd.engine.connect() as db:
        rows = db.execute(
            select(turns.c.text, turns.c.reason)
            .join(transcripts, transcripts.c.id == turns.c.transcript_id)
            .where(transcripts.c.conversation_id == sid, turns.c.reason.like("ivr_end:%"))
        ).all()
    return [f"{row.text} [{row.reason}]" for row in rows]


def test_hanging_up_at_the_priority_question_is_abandoned_there_once(ivr: Ivr) -> None:
    """Menu 1, then the caller hangs up at the priority question; the callback comes twice."""
    before = ended("abandoned", "priority")
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1013"))
    call.start()
    assert call.press("1").gather_action.startswith("/ivr/priority")
    hang_up(ivr, call)
    assert ended("abandoned", "priority") - before == 1
    assert outcome_of(ivr.fd, call.sid) == ("abandoned", "priority")
    assert ending_lines(ivr, call.sid) == [
        "ended in the phone tree: abandoned at priority [ivr_end:abandoned:priority]"
    ]


def test_a_call_finished_with_a_ticket_is_contained_once(ivr: Ivr) -> None:
    """Ticket opened, read back, desk dialled; the callback twice: contained, counted once,
    the call's outcome kept."""
    before = ended("contained", "none")
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1013"))
    call.start()
    call.press("1")
    assert call.press("2").dial_numbers
    call.dial_ends("completed")
    hang_up(ivr, call)
    assert ended("contained", "none") - before == 1
    assert outcome_of(ivr.fd, call.sid) == ("open_ticket", "ok")
    assert ending_lines(ivr, call.sid) == ["ended in the phone tree: contained [ivr_end:contained]"]


def _language(ivr: Ivr) -> Call:
    call = ivr.twilio.call(NUMBERS["europe"], STRANGER)
    assert call.start().gather_action.startswith("/ivr/language")
    return call


def _identify(ivr: Ivr) -> Call:
    call = _language(ivr)
    assert call.press("1").gather_action.startswith("/ivr/identify")
    return call


def _role(ivr: Ivr) -> Call:
    call = _identify(ivr)
    assert call.press("1013").gather_action.startswith("/ivr/role")
    return call


def _ticket(ivr: Ivr) -> Call:
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1013"))
    call.start()
    assert call.press("2").gather_action.startswith("/ivr/ticket")
    return call


def _pin(ivr: Ivr) -> Call:
    ivr.clock.set(NIGHT["europe"])
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1016"))
    assert call.start().gather_action.startswith("/ivr/pin")
    return call


def _voicemail(ivr: Ivr) -> Call:
    ivr.clock.set(NIGHT["europe"])
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1013"))
    assert call.start().gather_action.startswith("/ivr/voicemail")
    return call


@pytest.mark.parametrize(
    ("step", "reach", "status"),
    [
        ("language", _language, "completed"),
        ("identify", _identify, "completed"),
        ("role", _role, "canceled"),
        ("ticket", _ticket, "completed"),
        ("pin", _pin, "completed"),
        ("voicemail", _voicemail, "completed"),
    ],
)
def test_a_hang_up_at_each_question_is_abandoned_there(
    ivr: Ivr, step: str, reach: Callable[[Ivr], Call], status: str
) -> None:
    before = ended("abandoned", step)
    call = reach(ivr)
    hang_up(ivr, call, status)
    assert ended("abandoned", step) - before == 1
    assert outcome_of(ivr.fd, call.sid) == ("abandoned", step)


def test_silence_until_the_tree_gives_up_is_abandoned_at_that_question(ivr: Ivr) -> None:
    """Three silences at the menu: the tree says goodbye (no_input), abandoned at the menu."""
    before = ended("abandoned", "menu")
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1013"))
    call.start()
    call.silence()
    call.silence()
    assert call.silence().hangs_up
    hang_up(ivr, call)
    assert ended("abandoned", "menu") - before == 1
    assert outcome_of(ivr.fd, call.sid) == ("no_input", "menu")


def test_a_status_before_the_end_classifies_nothing(ivr: Ivr) -> None:
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1013"))
    call.start()
    hang_up(ivr, call, "in-progress", times=1)
    assert ending_lines(ivr, call.sid) == []
    assert outcome_of(ivr.fd, call.sid) == (None, None)


def test_the_console_counts_endings_per_theatre_and_step_over_7_and_30_days(
    ivr: Ivr,
) -> None:
    """Two abandoned calls and one contained this week, one abandoned 20 days ago."""
    ivr.clock.set("2026-11-03T10:00:00+01:00")
    old = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1013"))
    old.start()
    hang_up(ivr, old)  # at the menu
    ivr.clock.set(IN_HOURS["europe"])
    for _ in range(2):
        call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1013"))
        call.start()
        call.press("1")
        hang_up(ivr, call)  # at the priority question
    done = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1013"))
    done.start()
    done.press("1")
    done.press("2")
    hang_up(ivr, done)

    add_accounts(ivr.fd)
    clock = ConsoleClock(datetime.fromisoformat("2026-11-23T18:00:00+01:00"))
    console = ConsoleClient(make_app(ivr.fd, clock).test_client())
    assert console.get("/console/phone-tree").status_code == 302  # signed out: sign-in first
    assert console.sign_in().status_code == 302
    html = console.text("/console/phone-tree")
    assert 'href="/console/phone-tree"' in html
    week, month = _rows(html, "endings-7"), _rows(html, "endings-30")
    assert week == [["europe", "3", "1", "2", "0", "33 %"]]
    assert month == [["europe", "4", "1", "3", "0", "25 %"]]
    assert _rows(html, "abandoned-7") == [["europe", "priority", "2"]]
    assert _rows(html, "abandoned-30") == [["europe", "priority", "2"], ["europe", "menu", "1"]]


def _rows(html: str, table: str) -> list[list[str]]:
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1])
    ]
