"""The helpdesk: the row that hands a ticket over, and the sync that brings changes back
(fakes for the helpdesk and the store; the real Request Tracker is in the integration tests)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.calendar import CalendarBook
from core.delivery import missing, render
from core.helpdesk import HelpdeskError, RemoteEvent, RemoteTicket
from core.model import Contract, Ticket
from core.notices import Clock
from core.policy import Policy, PolicyError
from core.policy_helpdesk import HelpdeskPolicy
from core.services import Case, pause, submit_case
from core.services.helpdesk_sync import OVERLAP, sync_once
from core.settings import SettingsError, load_settings
from core.testing import FakeUnitOfWork
from outbound.request_tracker import RequestTrackerHelpdesk, RtClient

OPENED = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday morning in Rome
HELPDESK = {"kind": "request_tracker", "queues": {"europe": "Support Europe"}}


def at(minutes: int) -> datetime:
    return OPENED + timedelta(minutes=minutes)


@pytest.fixture
def rt_policy(edited_policy: Callable[[Callable[[dict[str, Any]], None]], Policy]) -> Policy:
    return edited_policy(lambda data: data.update(helpdesk=HELPDESK))


@pytest.fixture
def rt_book(rt_policy: Policy) -> CalendarBook:
    return CalendarBook(rt_policy)


def open_ticket(
    book: CalendarBook, contract: Contract | None, uow: FakeUnitOfWork | None = None
) -> tuple[FakeUnitOfWork, Ticket | None]:
    uow = uow or FakeUnitOfWork()
    if contract is not None:
        uow.contracts.add(contract)
    case = Case("phone", "CA1", OPENED, contract, "P2", "en", idempotency_key="phone:CA1")
    return uow, submit_case(uow, book, case).ticket


def helpdesk_rows(uow: FakeUnitOfWork, ticket: Ticket) -> list[Any]:
    assert ticket.id is not None
    return [e for e in uow.outbox.for_ticket(ticket.id) if e.payload.get("channel") == "helpdesk"]


def test_a_ticket_opened_gets_one_helpdesk_row_in_its_theatres_queue(
    rt_book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """The row carries the facts the helpdesk ticket shows; its message names the queue."""
    uow, ticket = open_ticket(rt_book, contract())
    assert ticket is not None
    [row] = helpdesk_rows(uow, ticket)
    assert row.payload["queue"] == "Support Europe"
    assert row.payload["contract"] == "C-1" and row.payload["plan"] == "gold"
    assert row.payload["ticket_channel"] == "phone" and row.payload["guaranteed"] is True
    assert missing(row) is None
    message = render(row, Clock(due=ticket.due_at, left=None), "https://fd.example", OPENED)
    assert (message.channel, message.to_name, message.to_address) == (
        "helpdesk",
        "Support Europe",
        ticket.number,
    )
    assert message.data["url"] == f"https://fd.example/console/tickets/{ticket.number}"


def test_without_a_helpdesk_policy_no_row_is_written(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """The built-in console is the default: nothing to hand over."""
    uow, ticket = open_ticket(book, contract())
    assert ticket is not None and helpdesk_rows(uow, ticket) == []


def test_a_decision_that_opens_no_ticket_sends_nothing(rt_book: CalendarBook) -> None:
    """An unknown customer opens no ticket, so the outbox gets no helpdesk row."""
    uow, ticket = open_ticket(rt_book, None)
    assert ticket is None and uow.outbox.claimable(at(60), 100) == []


def test_a_queue_for_an_unknown_theatre_is_refused(
    edited_policy: Callable[[Callable[[dict[str, Any]], None]], Policy],
) -> None:
    with pytest.raises(PolicyError, match="helpdesk -> queues: no theatre 'mars'"):
        edited_policy(lambda data: data.update(helpdesk={"queues": {"mars": "Q"}}))


@dataclass
class FakeHelpdesk:
    tickets: list[RemoteTicket] = field(default_factory=list)
    history: dict[str, list[RemoteEvent]] = field(default_factory=dict)
    down: bool = False
    asked: list[datetime | None] = field(default_factory=list)
    read: list[str] = field(default_factory=list)

    def changed_since(self, since: datetime | None) -> list[RemoteTicket]:
        if self.down:
            raise HelpdeskError("connection refused")
        self.asked.append(since)
        return [t for t in self.tickets if since is None or t.updated_at >= since]

    def events(self, ref: str) -> list[RemoteEvent]:
        if self.down:
            raise HelpdeskError("connection refused")
        self.read.append(ref)
        return self.history.get(ref, [])


@dataclass
class FakeCursor:
    value: datetime | None = None

    def get(self) -> datetime | None:
        return self.value

    def set(self, value: datetime) -> None:
        self.value = value


def remote(number: str | None, state: str, updated: datetime, owner: str | None = None) -> Any:
    return RemoteTicket("17", number, state, owner, updated)  # type: ignore[arg-type]


def event(seq: int, kind: str, minutes: int) -> RemoteEvent:
    return RemoteEvent(seq, kind, at(minutes), "alice")  # type: ignore[arg-type]


@pytest.fixture
def opened(
    rt_book: CalendarBook, contract: Callable[..., Contract]
) -> tuple[FakeUnitOfWork, Ticket]:
    uow, ticket = open_ticket(rt_book, contract())
    assert ticket is not None
    return uow, ticket


def test_rt_events_are_applied_in_order_once(
    rt_book: CalendarBook, opened: tuple[FakeUnitOfWork, Ticket]
) -> None:
    """Taken, waiting, back, resolved: each applied at RT's instant; the next round (the
    overlap lists the ticket again) applies nothing and the ref is stored once."""
    uow, ticket = opened
    number = ticket.number or ""
    helpdesk = FakeHelpdesk(
        [remote(number, "closed", at(40), "alice")],
        {"17": [event(1, "take", 10), event(2, "pause", 20), event(3, "resume", 30)]},
    )
    helpdesk.history["17"].append(event(4, "resolve", 40))
    cursor = FakeCursor()
    report = sync_once(lambda: uow, rt_book, helpdesk, cursor)
    assert report.applied == [f"{number} {k}" for k in ("take", "pause", "resume", "resolve")]
    assert (ticket.status, ticket.taken_at, ticket.taken_by) == ("closed", at(10), "alice")
    assert [(p.start, p.end) for p in ticket.pauses] == [(at(20), at(30))]
    assert ticket.helpdesk_ref == "17" and report.linked == 1 and cursor.value == at(40)
    again = sync_once(lambda: uow, rt_book, helpdesk, cursor)
    assert (again.applied, again.linked) == ([], 0)
    assert helpdesk.asked[-1] == at(40) - OVERLAP


def test_an_unchanged_ticket_that_agrees_is_not_read_again(
    rt_book: CalendarBook, opened: tuple[FakeUnitOfWork, Ticket]
) -> None:
    """Only tickets changed since the cursor, or whose state disagrees with ours, cost a
    history request."""
    uow, ticket = opened
    helpdesk = FakeHelpdesk([remote(ticket.number, "new", at(5))])
    cursor = FakeCursor(at(10))
    sync_once(lambda: uow, rt_book, helpdesk, cursor)
    assert helpdesk.read == [] and ticket.helpdesk_ref == "17"


def test_a_pause_made_in_the_console_is_not_undone_by_an_older_rt_resume(
    rt_book: CalendarBook, opened: tuple[FakeUnitOfWork, Ticket]
) -> None:
    """RT's stall before our own pause is history: it neither pauses again nor resumes ours."""
    uow, ticket = opened
    pause(uow, ticket.number or "", at=at(50))
    helpdesk = FakeHelpdesk(
        [remote(ticket.number, "open", at(40), "alice")],
        {"17": [event(1, "take", 10), event(2, "pause", 20), event(3, "resume", 30)]},
    )
    report = sync_once(lambda: uow, rt_book, helpdesk, FakeCursor())
    assert report.applied == [f"{ticket.number} take"]
    assert ticket.status == "waiting" and [p.start for p in ticket.pauses] == [at(50)]


def test_rt_down_keeps_the_cursor_and_unknown_tickets_are_skipped(
    rt_book: CalendarBook, opened: tuple[FakeUnitOfWork, Ticket]
) -> None:
    """A list that cannot be read raises and moves nothing; RT tickets that are not ours
    (no number, a number we do not know) are counted and left alone."""
    uow, ticket = opened
    helpdesk = FakeHelpdesk(
        [remote(None, "new", at(1)), remote("0000000", "new", at(2))], down=True
    )
    cursor = FakeCursor(at(0))
    with pytest.raises(HelpdeskError):
        sync_once(lambda: uow, rt_book, helpdesk, cursor)
    assert cursor.value == at(0)
    helpdesk.down = False
    report = sync_once(lambda: uow, rt_book, helpdesk, cursor)
    assert (report.unknown, report.applied, ticket.helpdesk_ref) == (2, [], None)


class FakeClient(RtClient):
    def __init__(self) -> None:
        super().__init__("http://rt.test", "1-2-secret")

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        return {"user/Nobody": {"id": "6"}, "user/29": {"Name": "alice"}}[path]


@pytest.mark.parametrize(
    ("item", "kinds"),
    [
        ({"Type": "Set", "Field": "Owner", "OldValue": "6", "NewValue": "29"}, ["take"]),
        ({"Type": "SetWatcher", "Field": "Owner", "OldValue": "6", "NewValue": "29"}, []),
        ({"Type": "Set", "Field": "Owner", "OldValue": "29", "NewValue": "6"}, []),
        ({"Type": "Status", "Field": "Status", "OldValue": "new", "NewValue": "open"}, ["take"]),
        (
            {"Type": "Status", "Field": "Status", "OldValue": "new", "NewValue": "stalled"},
            ["take", "pause"],
        ),
        (
            {"Type": "Status", "Field": "Status", "OldValue": "stalled", "NewValue": "open"},
            ["resume"],
        ),
        (
            {"Type": "Status", "Field": "Status", "OldValue": "open", "NewValue": "resolved"},
            ["resolve"],
        ),
        ({"Type": "Comment", "Field": "", "OldValue": "", "NewValue": ""}, []),
    ],
)
def test_rt_transactions_become_front_door_events(item: dict[str, str], kinds: list[str]) -> None:
    """Owner given (not back to Nobody) or leaving ``new``: taken; ``stalled``: waiting; out
    of it: back; resolved: closed."""
    full = {"id": "46", "Created": "2026-12-07T10:31:58Z", "Creator": {"id": "alice"}, **item}
    events = RequestTrackerHelpdesk(FakeClient(), HelpdeskPolicy())._events(full)
    assert [e.kind for e in events] == kinds
    assert all(e.at == datetime(2026, 12, 7, 10, 31, 58, tzinfo=UTC) for e in events)
    assert all(e.by == "alice" for e in events)


def test_the_rt_token_is_a_secret_setting() -> None:
    """Never in a repr; URL and token go together; production refuses a short token."""
    env = {"FRONTDOOR_RT_URL": "https://rt.example/", "FRONTDOOR_RT_TOKEN": "1-2-short"}
    settings = load_settings(env).helpdesk
    assert settings.rt_url == "https://rt.example" and settings.request_tracker
    assert "short" not in repr(settings) and "short" not in repr(FakeClient())
    with pytest.raises(SettingsError, match="go together"):
        load_settings({"FRONTDOOR_RT_URL": "https://rt.example"})
    production = {
        **env,
        "FRONTDOOR_ENV": "production",
        "SECRET_KEY": "x" * 40,
        "CHAT_TOKEN_SECRET": "y" * 40,
    }
    with pytest.raises(SettingsError, match="FRONTDOOR_RT_TOKEN of at least 32 bytes"):
        load_settings(production)
