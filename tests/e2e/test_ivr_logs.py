"""A call's log lines in JSON: every line names the CallSid, none holds the PIN, the caller's
number or the Twilio auth token."""

from __future__ import annotations

import json
from typing import Any

from tests.log_lines import json_logs

from .conftest import Ivr
from .test_ivr_on_call import night_call
from .twilio_client import TOKEN

PIN = "4321"  # the demo Platinum contract's on-call PIN


def _without_timestamps(events: list[dict[str, Any]]) -> str:
    """The lines as text, less their timestamps (whose microseconds may hold any digits)."""
    return json.dumps([{k: v for k, v in e.items() if k != "timestamp"} for e in events])


def test_pin_step_logs_call_sid_and_decision_but_never_the_pin_caller_or_token(ivr: Ivr) -> None:
    """A wrong PIN, then the right one: ivr.step per delivery and intake.decided with the
    ticket, all under the call's CallSid; the typed digits appear nowhere."""
    caller = ivr.phone_of("1016")
    with json_logs() as out:
        call = night_call(ivr)
        call.press("1111")
        call.press(PIN)
    events = out.events()
    steps = out.events("ivr.step")
    (decided,) = out.events("intake.decided")
    assert [s["step"] for s in steps] == ["voice", "pin", "pin"]
    assert all(s["call_sid"] == call.sid for s in steps) and decided["call_sid"] == call.sid
    assert (steps[-1]["outcome"], decided["outcome"], decided["priority"]) == (
        "on_call",
        "on_call",
        "P1",
    )
    assert decided["ticket"] and steps[-1]["ticket"] == decided["ticket"]
    text = _without_timestamps(events)
    assert PIN not in text and "1111" not in text
    assert TOKEN not in out.getvalue()
    assert caller.lstrip("+") not in text
