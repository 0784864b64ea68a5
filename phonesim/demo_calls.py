"""Complete scripted calls on the demo data (``core.demo``), for the caller simulator.

The multi-worker test and the load benchmark (``bench/bench_ivr.py``) play these against a
running app: each is a realistic sequence of webhooks, from ``/ivr/voice`` to the ticket and the
``<Dial>`` or the voicemail, with the keys a caller presses (:func:`phonesim.scripted`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.demo import demo_contracts


@dataclass(frozen=True)
class DemoCall:
    name: str
    to: str  # the theatre number dialled
    from_: str  # the caller's number
    at: str  # the simulated instant (X-Frontdoor-Simulated-At)
    answers: tuple[str, ...]  # keys, dial outcomes and messages, in order
    paths: tuple[str, ...]  # the webhooks the call requests, in order (status callback aside)
    outcome: tuple[str, str]  # the transcript's outcome and reason
    priority: str  # of the ticket the call opens


EUROPE, AMERICAS = "+390584943232", "+13055013030"
UNKNOWN_CALLER = "+15005550006"
IN_HOURS_ROME, NIGHT_ROME = "2026-11-23T10:00:00+01:00", "2026-11-23T22:30:00+01:00"
IN_HOURS_NEW_YORK = "2026-11-23T10:00:00-05:00"


def admin_phone(code: str, today: date) -> str:
    """The phone of a demo contract's administrator."""
    spec = next(s for s in demo_contracts(today) if s.code == code)
    phone = next(c.phone for c in spec.contacts if c.role == "admin")
    assert phone is not None
    return phone


def demo_calls(today: date) -> tuple[DemoCall, ...]:
    """Office hours (known and unknown callers, through to the desk), a night voicemail and a
    Platinum night call through the on-call PIN to a voicemail when no engineer answers.
    ``today`` is the day the demo data was loaded for; the calls happen on Monday 2026-11-23."""
    return (
        DemoCall(
            "registered caller, office hours, to the desk",
            EUROPE,
            admin_phone("1013", today),  # Europe Gold, English contact
            IN_HOURS_ROME,
            ("1", "2", "completed"),
            ("voice", "menu", "priority", "dial-status"),
            ("open_ticket", "ok"),
            "P2",
        ),
        DemoCall(
            "unknown caller, language menu, customer code, office hours",
            AMERICAS,
            UNKNOWN_CALLER,
            IN_HOURS_NEW_YORK,
            ("1", "1004#", "1", "1", "3", "completed"),  # English, Gold, administrator
            ("voice", "language", "identify", "role", "menu", "priority", "dial-status"),
            ("open_ticket", "ok"),
            "P3",
        ),
        DemoCall(
            "registered caller, out of hours, voicemail",
            EUROPE,
            admin_phone("1012", today),  # Europe Basic, Italian contact
            NIGHT_ROME,
            ("3", "15 #"),
            ("voice", "voicemail", "voicemail/recorded"),
            ("open_ticket", "closed"),
            "P3",
        ),
        DemoCall(
            "Platinum, out of hours, on-call PIN, nobody answers, voicemail",
            EUROPE,
            admin_phone("1016", today),  # Europe Platinum
            NIGHT_ROME,
            ("4321#", "no-answer", "busy", "20 #"),
            ("voice", "pin", "dial-status", "dial-status", "voicemail/recorded"),
            ("on_call", "ok"),
            "P1",
        ),
    )
