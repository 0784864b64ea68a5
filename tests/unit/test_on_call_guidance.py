"""Who is told about the on-call line when a P1 reaches no one out of hours (policy-notes
"Priorities": a Platinum P1 by chat or web at night runs on business time, and the customer is
told how to reach on-call instead), and why someone cannot use it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from core.calendar import CalendarBook
from core.decision import Request, decide, on_call_access
from core.model import Contract
from tests.unit.test_decision import EVENING, OPEN, iso

# (case, contract fields, request fields, told about on-call?)
GUIDANCE = [
    ("platinum P1 by chat at night", {"plan": "platinum"}, {"channel": "chat"}, True),
    ("platinum P1 on the web at night", {"plan": "platinum"}, {"channel": "web"}, True),
    ("gold P1 by chat at night", {"plan": "gold"}, {"channel": "chat"}, False),
    ("basic P1 by chat at night", {"plan": "basic"}, {"channel": "chat"}, False),
    (
        "platinum P2 by chat at night",
        {"plan": "platinum"},
        {"channel": "chat", "priority": "P2"},
        False,
    ),
    ("platinum P1 by chat in hours", {"plan": "platinum"}, {"channel": "chat", "at": OPEN}, False),
    (
        "platinum P1 end user at night",
        {"plan": "platinum", "end_user_support": True},
        {"channel": "chat", "requester": "end_user"},
        False,
    ),
    (
        "platinum P1 from Sydney at night",
        {"plan": "platinum", "timezone": "Australia/Sydney"},
        {"channel": "chat"},
        False,
    ),
    (
        "platinum P1 by phone with PIN: put through",
        {"plan": "platinum"},
        {"channel": "phone", "pin_verified": True},
        False,
    ),
]


@pytest.mark.parametrize(
    ("case", "fields", "request_fields", "told"), GUIDANCE, ids=[g[0] for g in GUIDANCE]
)
def test_a_platinum_p1_out_of_hours_that_reaches_no_one_is_told_about_on_call(
    book: CalendarBook,
    contract: Callable[..., Contract],
    case: str,
    fields: dict[str, object],
    request_fields: dict[str, object],
    told: bool,
) -> None:
    req: dict[str, object] = {"channel": "chat", "at": EVENING, "priority": "P1"}
    req.update(request_fields)
    at = iso(str(req.pop("at")))
    got = decide(
        book,
        Request(
            contract=contract(**fields),
            at=at,
            language="en",
            requester=str(req.pop("requester", "admin")),
            **req,  # type: ignore[arg-type]
        ),
    )
    assert got.tell_on_call is told
    if told:
        assert (got.outcome, got.reason) == ("open_ticket", "closed")


# (contract fields, requester, access)
ACCESS = [
    ({"plan": "basic"}, "admin", "plan"),
    ({"plan": "gold"}, "admin", "plan"),
    ({"plan": "platinum"}, "admin", "ok"),
    ({"plan": "platinum"}, "partner", "ok"),
    ({"plan": "platinum"}, "end_user", "end_user"),
    ({"plan": "platinum", "timezone": "Australia/Sydney"}, "admin", "asia_pacific"),
    ({"plan": "platinum", "timezone": "Asia/Dubai"}, "admin", "ok"),
]


@pytest.mark.parametrize(("fields", "requester", "access"), ACCESS)
def test_on_call_access_says_why_someone_cannot_phone_on_call(
    book: CalendarBook,
    contract: Callable[..., Contract],
    fields: dict[str, object],
    requester: str,
    access: str,
) -> None:
    at: datetime = iso(EVENING)
    assert on_call_access(book.policy, contract(**fields), requester, at) == access
