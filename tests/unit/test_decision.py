"""The decision function: every rule and reason code of policy-notes.md, in the documented order.

Order (issue #2, "Command line"): contract known, paid, in force at that instant, product not past
End of Support; then the topic; then the requester's level; then hours and on-call.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from core.calendar import CalendarBook
from core.decision import Decision, Request, decide, is_asia_pacific, served_language
from core.model import Contract
from core.policy import Policy

iso = datetime.fromisoformat
OPEN = "2026-06-08T10:00:00+02:00"  # Monday, Europe office hours
EVENING = "2026-06-08T20:00:00+02:00"  # Monday evening, closed for every plan in Europe
SUNDAY = "2026-06-14T10:00:00+02:00"  # Sunday, closed for every plan in Europe
MONDAY_9 = "2026-06-15T09:00:00+02:00"
TUESDAY_9 = "2026-06-09T09:00:00+02:00"
MakeContract = Callable[..., Contract]


@pytest.fixture
def ask(book: CalendarBook, contract: MakeContract) -> Callable[..., Decision]:
    """``ask(contract_fields..., request_fields...)``: decide() on a Gold Europe admin request."""
    request_fields = set(Request.__dataclass_fields__) - {"contract"}

    def run(**kw: Any) -> Decision:
        req: dict[str, Any] = {
            "channel": "phone",
            "at": OPEN,
            "priority": "P2",
            "language": "en",
            "requester": "admin",
        }
        req.update({k: v for k, v in kw.items() if k in request_fields})
        req["at"] = iso(req["at"])
        fields = {k: v for k, v in kw.items() if k not in request_fields and k != "no_contract"}
        chosen = None if kw.get("no_contract") else contract(**fields)
        return decide(book, Request(contract=chosen, **req))

    return run


# ---- contract: known, paid, in force, product supported ------------------------------------
# (case id, fields, outcome, reason)
CONTRACT_RULES = [
    ("unknown-contract", {"no_contract": True}, "refuse", "unknown_contract"),
    ("unpaid", {"paid": False}, "refuse", "payment_overdue"),
    (
        "unpaid-before-expired",
        {"paid": False, "ends": date(2026, 5, 31)},
        "refuse",
        "payment_overdue",
    ),
    ("expired-yesterday", {"ends": date(2026, 6, 7)}, "refuse", "contract_expired"),
    (
        "expired-before-end-of-support",
        {"ends": date(2026, 6, 7), "product": "Legacy Billing"},
        "refuse",
        "contract_expired",
    ),
    ("not-started", {"starts": date(2026, 6, 9)}, "refuse", "contract_not_started"),
    ("end-of-support", {"product": "Legacy Billing"}, "refuse", "end_of_support"),
    ("end-of-support-any-case", {"product": "legacy BILLING"}, "refuse", "end_of_support"),
    (
        "end-of-support-before-topic",
        {"product": "Classic Fax Server", "topic": "installation"},
        "refuse",
        "end_of_support",
    ),
    (
        "end-of-support-before-requester",
        {"product": "Legacy Billing", "requester": "end_user"},
        "refuse",
        "end_of_support",
    ),
    ("supported-product", {"product": "UCX Platform"}, "open_ticket", "ok"),
    ("unknown-product-is-not-refused", {"product": "Something Else"}, "open_ticket", "ok"),
    ("paid-and-in-force", {}, "open_ticket", "ok"),
]


@pytest.mark.parametrize(
    ("fields", "outcome", "reason"),
    [row[1:] for row in CONTRACT_RULES],
    ids=[row[0] for row in CONTRACT_RULES],
)
def test_contract_checks_come_first_in_order(
    ask: Callable[..., Decision], fields: dict[str, Any], outcome: str, reason: str
) -> None:
    """Unknown, unpaid, expired and End-of-Support requests are refused, in that order."""
    got = ask(**fields)
    assert (got.outcome, got.reason) == (outcome, reason)


# Validity at an instant, in the theatre's zone: (theatre, starts, ends, at, in force?)
VALIDITY = [
    # Europe: 2026-01-01 00:00 .. 2026-06-30 23:59:59 Rome time
    ("europe", "2026-01-01", "2026-06-30", "2026-06-30T23:59:59+02:00", True),
    ("europe", "2026-01-01", "2026-06-30", "2026-06-30T23:59:59.999999+02:00", True),
    ("europe", "2026-01-01", "2026-06-30", "2026-07-01T00:00:00+02:00", False),
    ("europe", "2026-01-01", "2026-06-30", "2026-06-30T21:59:59+00:00", True),
    ("europe", "2026-01-01", "2026-06-30", "2026-06-30T22:30:00+00:00", False),
    ("europe", "2026-01-01", "2026-06-30", "2025-12-31T23:59:59+01:00", False),
    ("europe", "2026-01-01", "2026-06-30", "2026-01-01T00:00:00+01:00", True),
    ("europe", "2026-01-01", "2026-06-30", "2025-12-31T23:30:00+00:00", True),
    # Americas: the end date lasts until 23:59:59 New York time, i.e. 03:59:59 UTC next day
    ("americas", "2026-01-01", "2026-06-30", "2026-07-01T03:59:59+00:00", True),
    ("americas", "2026-01-01", "2026-06-30", "2026-07-01T04:00:00+00:00", False),
    ("americas", "2026-01-01", "2026-06-30", "2026-01-01T04:59:59+00:00", False),
    ("americas", "2026-01-01", "2026-06-30", "2026-01-01T05:00:00+00:00", True),
    # Middle East (+04:00)
    ("middle_east", "2026-01-01", "2026-06-30", "2026-06-30T19:59:59+00:00", True),
    ("middle_east", "2026-01-01", "2026-06-30", "2026-06-30T20:00:00+00:00", False),
    # a contract ending on the night of a DST change ends at local midnight
    ("europe", "2026-01-01", "2026-10-25", "2026-10-25T23:59:59+01:00", True),
    ("europe", "2026-01-01", "2026-10-25", "2026-10-26T00:00:00+01:00", False),
]


@pytest.mark.parametrize(
    ("theatre", "starts", "ends", "at", "in_force"),
    VALIDITY,
    ids=[f"{t}-{s}-{e}-{a}" for t, s, e, a, _ in VALIDITY],
)
def test_contract_covers_start_date_to_end_date_inclusive_in_theatre_zone(
    ask: Callable[..., Decision], theatre: str, starts: str, ends: str, at: str, in_force: bool
) -> None:
    """A contract covers from its start date 00:00 to its end date 23:59:59, theatre time."""
    week = "sun-thu" if theatre == "middle_east" else "mon-fri"
    got = ask(
        theatre=theatre,
        week=week,
        starts=date.fromisoformat(starts),
        ends=date.fromisoformat(ends),
        at=at,
    )
    if in_force:
        assert got.outcome == "open_ticket"
    else:
        assert got.outcome == "refuse"
        assert got.reason in ("contract_expired", "contract_not_started")


# End of Support date is inclusive, in the theatre's zone ("Classic Fax Server": 2025-12-31).
EOS = [
    ("2025-12-31T23:59:59+01:00", "open_ticket"),
    ("2025-12-31T23:30:00+00:00", "refuse"),  # already 2026-01-01 in Rome
    ("2026-01-01T00:00:00+01:00", "refuse"),
]


@pytest.mark.parametrize(("at", "outcome"), EOS, ids=[a for a, _ in EOS])
def test_end_of_support_date_is_inclusive(
    ask: Callable[..., Decision], at: str, outcome: str
) -> None:
    """A product is supported through its End of Support date, in the theatre's zone."""
    got = ask(starts=date(2025, 1, 1), at=at, product="Classic Fax Server")
    assert got.outcome == outcome
    if outcome == "refuse":
        assert got.reason == "end_of_support"


# ---- topic: redirects and remote session ---------------------------------------------------
# (id, plan, topic, product, outcome, reason)
TOPICS = [
    ("third-party", "gold", "third_party", None, "redirect", "third_party_vendor"),
    ("third-party-product-jaws", "gold", "product", "JAWS", "redirect", "third_party_vendor"),
    (
        "third-party-product-nvda-any-case",
        "basic",
        "product",
        "nvda",
        "redirect",
        "third_party_vendor",
    ),
    ("hardware", "platinum", "hardware", None, "redirect", "hardware_warranty"),
    ("hardware-product", "gold", "product", "USB Headset", "redirect", "hardware_warranty"),
    ("installation", "gold", "installation", None, "redirect", "professional_services"),
    (
        "installation-platinum",
        "platinum",
        "installation",
        None,
        "redirect",
        "professional_services",
    ),
    ("onsite-basic", "basic", "onsite", None, "redirect", "onsite_paid_option"),
    ("onsite-gold", "gold", "onsite", None, "redirect", "onsite_paid_option"),
    ("onsite-platinum", "platinum", "onsite", None, "redirect", "onsite_paid_option"),
    ("remote-basic", "basic", "remote_session", None, "refuse", "remote_session_not_in_plan"),
    ("remote-gold", "gold", "remote_session", None, "open_ticket", "ok"),
    ("remote-platinum", "platinum", "remote_session", None, "open_ticket", "ok"),
    ("product-basic", "basic", "product", "UCX Platform", "open_ticket", "ok"),
    # the documented order among topics: third party, hardware, installation, on-site, remote
    (
        "third-party-before-installation",
        "gold",
        "installation",
        "JAWS",
        "redirect",
        "third_party_vendor",
    ),
    (
        "third-party-before-remote-session",
        "basic",
        "remote_session",
        "NVDA",
        "redirect",
        "third_party_vendor",
    ),
    ("hardware-before-onsite", "gold", "onsite", "Fax Modem", "redirect", "hardware_warranty"),
    (
        "hardware-before-installation",
        "gold",
        "installation",
        "Analog Gateway",
        "redirect",
        "hardware_warranty",
    ),
    (
        "installation-before-remote-session",
        "basic",
        "installation",
        None,
        "redirect",
        "professional_services",
    ),
]


@pytest.mark.parametrize(
    ("plan", "topic", "product", "outcome", "reason"),
    [row[1:] for row in TOPICS],
    ids=[row[0] for row in TOPICS],
)
def test_topic_redirects_and_remote_session(
    ask: Callable[..., Decision],
    plan: str,
    topic: str,
    product: str | None,
    outcome: str,
    reason: str,
) -> None:
    """Third party, hardware, installation and on-site are redirected; Basic gets no remote."""
    got = ask(plan=plan, topic=topic, product=product)
    assert (got.outcome, got.reason) == (outcome, reason)


def test_topic_is_checked_before_the_requester_level(ask: Callable[..., Decision]) -> None:
    """An end user asking for installation on Basic hears about Professional Services."""
    got = ask(plan="basic", requester="end_user", topic="installation")
    assert (got.outcome, got.reason) == ("redirect", "professional_services")


# ---- requester level -----------------------------------------------------------------------
# (plan, end-user add-on, requester, outcome, reason)
LEVELS = [
    ("basic", False, "end_user", "refuse", "end_user_not_covered"),
    ("basic", True, "end_user", "refuse", "end_user_not_covered"),  # never on Basic
    ("gold", False, "end_user", "refuse", "end_user_not_covered"),
    ("gold", True, "end_user", "open_ticket", "ok"),
    ("platinum", False, "end_user", "refuse", "end_user_not_covered"),
    ("platinum", True, "end_user", "open_ticket", "ok"),
    ("basic", False, "admin", "open_ticket", "ok"),
    ("basic", False, "partner", "open_ticket", "ok"),
    ("gold", False, "partner", "open_ticket", "ok"),
]


@pytest.mark.parametrize(
    ("plan", "addon", "requester", "outcome", "reason"),
    LEVELS,
    ids=[f"{p}-{'addon' if a else 'no-addon'}-{r}" for p, a, r, *_ in LEVELS],
)
def test_end_users_need_the_gold_or_platinum_add_on(
    ask: Callable[..., Decision], plan: str, addon: bool, requester: str, outcome: str, reason: str
) -> None:
    """Level 1 is covered only with the add-on on Gold/Platinum; level 2 always."""
    got = ask(plan=plan, end_user_support=addon, requester=requester)
    assert (got.outcome, got.reason) == (outcome, reason)


# ---- hours and on-call ---------------------------------------------------------------------
# (id, fields, outcome, reason, open_now, next_opening)
HOURS = [
    ("gold-open", {"at": OPEN}, "open_ticket", "ok", True, OPEN),
    ("gold-sunday", {"at": SUNDAY}, "open_ticket", "closed", False, MONDAY_9),
    (
        "gold-saturday-reduced",
        {"at": "2026-06-13T10:00:00+02:00"},
        "open_ticket",
        "ok",
        True,
        "2026-06-13T10:00:00+02:00",
    ),
    (
        "basic-saturday",
        {"plan": "basic", "at": "2026-06-13T10:00:00+02:00"},
        "open_ticket",
        "closed",
        False,
        MONDAY_9,
    ),
    ("basic-evening", {"plan": "basic", "at": EVENING}, "open_ticket", "closed", False, TUESDAY_9),
    (
        "gold-p1-phone-evening-no-on-call",
        {"priority": "P1", "at": EVENING, "pin_verified": True},
        "open_ticket",
        "closed",
        False,
        TUESDAY_9,
    ),
    (
        "platinum-p1-phone-open",
        {"plan": "platinum", "priority": "P1"},
        "open_ticket",
        "ok",
        True,
        OPEN,
    ),
    (
        "platinum-p1-phone-saturday-reduced-hours-is-office",
        {"plan": "platinum", "priority": "P1", "at": "2026-06-13T17:59:00+02:00"},
        "open_ticket",
        "ok",
        True,
        "2026-06-13T17:59:00+02:00",
    ),
    (
        "platinum-p1-phone-evening-no-pin",
        {"plan": "platinum", "priority": "P1", "at": EVENING},
        "refuse",
        "on_call_pin_required",
        False,
        TUESDAY_9,
    ),
    (
        "platinum-p1-phone-evening-pin",
        {"plan": "platinum", "priority": "P1", "at": EVENING, "pin_verified": True},
        "on_call",
        "ok",
        False,
        TUESDAY_9,
    ),
    (
        "platinum-p1-phone-sunday-pin",
        {"plan": "platinum", "priority": "P1", "at": SUNDAY, "pin_verified": True},
        "on_call",
        "ok",
        False,
        MONDAY_9,
    ),
    (
        "platinum-p2-phone-evening-pin-p1-only",
        {"plan": "platinum", "priority": "P2", "at": EVENING, "pin_verified": True},
        "open_ticket",
        "closed",
        False,
        TUESDAY_9,
    ),
    (
        "platinum-p1-chat-evening",
        {"plan": "platinum", "priority": "P1", "at": EVENING, "channel": "chat"},
        "open_ticket",
        "closed",
        False,
        TUESDAY_9,
    ),
    (
        "platinum-p1-web-evening",
        {"plan": "platinum", "priority": "P1", "at": EVENING, "channel": "web"},
        "open_ticket",
        "closed",
        False,
        TUESDAY_9,
    ),
    (
        "platinum-p1-email-evening",
        {"plan": "platinum", "priority": "P1", "at": EVENING, "channel": "email"},
        "open_ticket",
        "closed",
        False,
        TUESDAY_9,
    ),
    (
        "platinum-p1-proactive-alarm-evening",
        {"plan": "platinum", "priority": "P1", "at": EVENING, "channel": "proactive"},
        "on_call",
        "ok",
        False,
        TUESDAY_9,
    ),
    (
        "gold-p1-proactive-alarm-evening",
        {"priority": "P1", "at": EVENING, "channel": "proactive"},
        "open_ticket",
        "closed",
        False,
        TUESDAY_9,
    ),
    (
        "platinum-p1-end-user-with-addon-evening",
        {
            "plan": "platinum",
            "priority": "P1",
            "at": EVENING,
            "pin_verified": True,
            "requester": "end_user",
            "end_user_support": True,
        },
        "open_ticket",
        "closed",
        False,
        TUESDAY_9,
    ),
    (
        "platinum-p1-partner-evening-pin",
        {
            "plan": "platinum",
            "priority": "P1",
            "at": EVENING,
            "pin_verified": True,
            "requester": "partner",
        },
        "on_call",
        "ok",
        False,
        TUESDAY_9,
    ),
    (
        "americas-platinum-p1-saturday-afternoon-pin",
        {
            "plan": "platinum",
            "priority": "P1",
            "theatre": "americas",
            "timezone": "America/Chicago",
            "at": "2026-06-13T13:00:00-04:00",
            "pin_verified": True,
        },
        "on_call",
        "ok",
        False,
        "2026-06-15T07:00:00-04:00",
    ),
    (
        "americas-gold-thanksgiving-morning",
        {"theatre": "americas", "at": "2026-11-26T09:00:00-05:00"},
        "open_ticket",
        "ok",
        True,
        "2026-11-26T09:00:00-05:00",
    ),
    (
        "americas-basic-thanksgiving-morning",
        {"plan": "basic", "theatre": "americas", "at": "2026-11-26T09:00:00-05:00"},
        "open_ticket",
        "closed",
        False,
        "2026-11-27T07:00:00-05:00",
    ),
    (
        "me-sun-thu-basic-friday",
        {
            "plan": "basic",
            "theatre": "middle_east",
            "week": "sun-thu",
            "at": "2026-06-12T10:00:00+04:00",
        },
        "open_ticket",
        "closed",
        False,
        "2026-06-14T09:00:00+04:00",
    ),
    (
        "me-mon-fri-basic-friday",
        {
            "plan": "basic",
            "theatre": "middle_east",
            "week": "mon-fri",
            "at": "2026-06-12T10:00:00+04:00",
        },
        "open_ticket",
        "ok",
        True,
        "2026-06-12T10:00:00+04:00",
    ),
    (
        "me-sun-thu-platinum-p1-friday-pin",
        {
            "plan": "platinum",
            "priority": "P1",
            "theatre": "middle_east",
            "week": "sun-thu",
            "timezone": "Asia/Dubai",
            "at": "2026-06-12T10:00:00+04:00",
            "pin_verified": True,
        },
        "on_call",
        "ok",
        False,
        "2026-06-13T12:00:00+04:00",
    ),
]


@pytest.mark.parametrize(
    ("fields", "outcome", "reason", "open_now", "next_opening"),
    [row[1:] for row in HOURS],
    ids=[row[0] for row in HOURS],
)
def test_hours_and_on_call(
    ask: Callable[..., Decision],
    fields: dict[str, Any],
    outcome: str,
    reason: str,
    open_now: bool,
    next_opening: str,
) -> None:
    """Open or closed, on-call only for Platinum P1 by phone (or alarm) outside hours."""
    got = ask(**fields)
    assert (got.outcome, got.reason) == (outcome, reason)
    assert got.open_now is open_now
    assert got.next_opening is not None
    assert got.next_opening.isoformat() == iso(next_opening).isoformat()


# Asia-Pacific (customer site zone): no on-call. (zone, on-call?)
ASIA_PACIFIC = [
    ("Australia/Sydney", False),
    ("Australia/Perth", False),
    ("Pacific/Auckland", False),
    ("Asia/Tokyo", False),
    ("Asia/Singapore", False),
    ("Asia/Kolkata", False),  # +05:30, the boundary is included
    ("Asia/Kathmandu", False),  # +05:45
    ("Asia/Karachi", True),  # +05:00
    ("Asia/Tashkent", True),  # +05:00
    ("Asia/Dubai", True),  # +04:00
    ("Asia/Tehran", True),  # +03:30
    ("Europe/Rome", True),
    ("America/New_York", True),
    ("UTC", True),
]


@pytest.mark.parametrize(("zone", "on_call"), ASIA_PACIFIC, ids=[z for z, _ in ASIA_PACIFIC])
def test_on_call_is_not_available_in_asia_pacific(
    ask: Callable[..., Decision], zone: str, on_call: bool
) -> None:
    """A Platinum P1 phone call out of hours from Asia-Pacific gets open_ticket/closed."""
    for pin in (True, False):
        got = ask(plan="platinum", priority="P1", at=EVENING, timezone=zone, pin_verified=pin)
        assert got.on_call_available is on_call
        if not on_call:
            assert (got.outcome, got.reason) == ("open_ticket", "closed")
        elif pin:
            assert (got.outcome, got.reason) == ("on_call", "ok")
        else:
            assert (got.outcome, got.reason) == ("refuse", "on_call_pin_required")


@pytest.mark.parametrize(("zone", "expected"), [(z, not oc) for z, oc in ASIA_PACIFIC])
def test_asia_pacific_zones(policy: Policy, zone: str, expected: bool) -> None:
    """Australia/*, Pacific/*, and Asia/* at UTC+05:30 or further east are Asia-Pacific."""
    assert is_asia_pacific(policy, zone, iso(OPEN)) is expected


def test_on_call_is_served_in_english_on_the_24x7_clock(ask: Callable[..., Decision]) -> None:
    """An on-call P1 in Italian is handled in English, due 60 real minutes after the call."""
    got = ask(plan="platinum", priority="P1", at=EVENING, pin_verified=True, language="it")
    assert (got.outcome, got.language, got.language_class) == ("on_call", "en", "main")
    assert got.guaranteed
    assert got.due is not None
    assert got.due.astimezone(UTC) == iso(EVENING).astimezone(UTC) + timedelta(minutes=60)
    assert got.deadline is not None and got.deadline.basis == "clock"


def test_on_call_in_arabic_is_still_english(ask: Callable[..., Decision]) -> None:
    """The on-call service speaks English only, in the Middle East too."""
    got = ask(
        plan="platinum",
        priority="P1",
        theatre="middle_east",
        week="sun-thu",
        timezone="Asia/Dubai",
        at="2026-06-12T03:00:00+04:00",
        pin_verified=True,
        language="ar",
    )
    assert (got.outcome, got.language) == ("on_call", "en")


def test_platinum_p1_in_hours_runs_on_the_clock(ask: Callable[..., Decision]) -> None:
    """A Platinum P1 opened at 17:30 is due at 18:30, after closing (the on-call covers it)."""
    got = ask(plan="platinum", priority="P1", at="2026-06-12T17:30:00+02:00", channel="chat")
    assert (got.outcome, got.reason) == ("open_ticket", "ok")
    assert got.due is not None
    assert got.due.astimezone(UTC) == iso("2026-06-12T18:30:00+02:00").astimezone(UTC)


def test_gold_p1_in_hours_runs_on_business_time(ask: Callable[..., Decision]) -> None:
    """A Gold P1 opened at Friday 17:30 is due Saturday 09:30 (no clock without on-call)."""
    got = ask(priority="P1", at="2026-06-12T17:30:00+02:00")
    assert got.due == iso("2026-06-13T09:30:00+02:00")


def test_platinum_p1_chat_out_of_hours_counts_from_the_next_opening(
    ask: Callable[..., Decision],
) -> None:
    """A Platinum P1 by chat out of hours is a ticket due 60 business minutes after opening."""
    got = ask(plan="platinum", priority="P1", at=EVENING, channel="chat")
    assert (got.outcome, got.reason) == ("open_ticket", "closed")
    assert got.due == iso("2026-06-09T10:00:00+02:00")
    assert got.guaranteed


def test_asia_pacific_platinum_p1_in_hours_runs_on_business_time(
    ask: Callable[..., Decision],
) -> None:
    """Without on-call (Asia-Pacific) a Platinum P1 at 17:30 is due the next open hour."""
    got = ask(plan="platinum", priority="P1", at="2026-06-12T17:30:00+02:00", timezone="Asia/Tokyo")
    assert got.due == iso("2026-06-13T09:30:00+02:00")


# ---- languages and guarantees --------------------------------------------------------------
# (theatre, week, language, served in, class, guaranteed)
LANGUAGES = [
    ("europe", "mon-fri", "en", "en", "main", True),
    ("europe", "mon-fri", "it", "it", "main", True),
    ("europe", "mon-fri", "fr", "fr", "optional", False),
    ("europe", "mon-fri", "es", "es", "optional", False),
    ("europe", "mon-fri", "de", "de", "optional", False),
    ("europe", "mon-fri", "pt", "pt", "optional", False),
    ("europe", "mon-fri", "ar", "ar", "optional", False),  # one of the seven, not listed here
    ("europe", "mon-fri", "zh", "en", "main", True),  # outside the seven: English
    ("europe", "mon-fri", "xx", "en", "main", True),
    ("middle_east", "sun-thu", "ar", "ar", "main", True),
    ("middle_east", "sun-thu", "en", "en", "main", True),
    ("middle_east", "sun-thu", "fr", "fr", "optional", False),
    ("middle_east", "sun-thu", "ja", "en", "main", True),
    ("americas", "mon-fri", "en", "en", "main", True),
    ("americas", "mon-fri", "es", "es", "optional", False),
    ("americas", "mon-fri", "it", "it", "optional", False),
    ("americas", "mon-fri", "ru", "en", "main", True),
]


@pytest.mark.parametrize(
    ("theatre", "week", "language", "served", "cls", "guaranteed"),
    LANGUAGES,
    ids=[f"{t}-{lang}" for t, _, lang, *_ in LANGUAGES],
)
def test_languages_main_optional_and_fallback(
    ask: Callable[..., Decision],
    policy: Policy,
    theatre: str,
    week: str,
    language: str,
    served: str,
    cls: str,
    guaranteed: bool,
) -> None:
    """Main languages keep the SLA, optional ones are accepted without it, others get English."""
    assert served_language(policy, theatre, language) == (served, cls)
    at = {"americas": "2026-06-08T10:00:00-04:00", "middle_east": "2026-06-08T10:00:00+04:00"}
    got = ask(theatre=theatre, week=week, language=language, at=at.get(theatre, OPEN))
    assert (got.outcome, got.reason) == ("open_ticket", "ok")
    assert (got.language, got.language_class, got.guaranteed) == (served, cls, guaranteed)
    assert (got.due is not None) is guaranteed


@pytest.mark.parametrize("plan", ["basic", "gold", "platinum"])
def test_email_is_never_guaranteed(ask: Callable[..., Decision], plan: str) -> None:
    """A request by e-mail opens a ticket without a guaranteed deadline."""
    got = ask(plan=plan, priority="P1", channel="email")
    assert (got.outcome, got.reason, got.guaranteed, got.due) == ("open_ticket", "ok", False, None)
    assert got.deadline is not None and got.deadline.no_guarantee == "channel_without_sla"


def test_decision_carries_the_facts_it_used(ask: Callable[..., Decision]) -> None:
    """A ticket decision names the theatre, plan, hours, deadline and escalation ladder."""
    got = ask(plan="basic", priority="P1", at=EVENING)
    assert (got.theatre, got.plan, got.open_now, got.on_call_available) == (
        "europe",
        "basic",
        False,
        False,
    )
    assert got.next_opening == iso(TUESDAY_9)
    assert got.due == iso("2026-06-09T18:00:00+02:00")
    assert [(e.after_hours, e.to) for e in got.escalations] == [
        (2, "Support Regional Manager"),
        (8, "Support Manager"),
        (40, "Co-CEO and CTO"),
    ]
    assert got.escalations[0].at == iso("2026-06-09T11:00:00+02:00")


def test_refusals_name_theatre_and_plan_but_no_deadline(ask: Callable[..., Decision]) -> None:
    """A refusal after the contract is known carries theatre and plan, and no deadline."""
    got = ask(paid=False)
    assert (got.theatre, got.plan, got.deadline, got.escalations) == ("europe", "gold", None, ())
    unknown = ask(no_contract=True)
    assert (unknown.theatre, unknown.plan) == (None, None)
