"""End to end in a real headless Chromium, conversation repair: a question asked inside the
ticket form is answered and the form asks again; "never mind" ends it with nothing opened; the
customer sees a summary and opens the ticket with one click (or declines); a new report starts
without the previous one's priority; and at night a Platinum contact gets the on-call line
(asking, or with a P1 ticket) while a Gold contact is told when the office opens instead."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot import replies
from bot.language import LANGUAGES
from bot.reporting import summary_line
from core.adapters import orm
from core.bootstrap import Frontdoor
from core.hours import OfficeHours, office_hours
from core.services import find_contract
from tests.e2e.test_helpcenter_browser import TICKET, _click, _sign_in, _type, help_center_tab
from web.helpcenter.views import page_strings

pytestmark = [pytest.mark.slow, pytest.mark.chat_model]

ITALIAN_ADMIN = "1018|admin1018@customer.example"  # Europe Platinum cloud, prefers Italian
ENGLISH_GOLD_ADMIN = "1004|admin1004@customer.example"  # Americas Gold perpetual, English
EUROPE_GOLD_ADMIN = "1013|admin1013@customer.example"  # Europe Gold perpetual
# Candidates at night, English-speaking admins first (the messages below are in English).
PLATINUM = ("1008", "1025", "1027", "1007", "1009", "1016", "1017", "1018", "1026")
GOLD = ("1004", "1006", "1013", "1023", "1005", "1014", "1015", "1022", "1024")
STAYS_CLOSED = timedelta(minutes=15)  # longer than the test takes
MAX_FORM_TURNS = 5


@pytest.fixture
def page(browser: Any, help_center_url: str) -> Iterator[Any]:
    """A fresh browser context (own cookies, so its own conversation) on the Help Center."""
    yield from help_center_tab(browser, help_center_url)


# -- what the user sees --------------------------------------------------------------------
def _text(bubble: Any) -> str:
    """A bubble's own text, without its buttons' titles or a leading right-to-left mark."""
    text: str = bubble.evaluate("e => e.firstChild ? e.firstChild.textContent : ''")
    return text.removeprefix(replies.RLM)


def _texts(bubbles: list[Any]) -> list[str]:
    return [_text(b) for b in bubbles]


def _offered(bubbles: list[Any], slot: str) -> dict[str, Any]:
    """The buttons that answer the form's ``slot`` (product, priority, confirmed) by value."""
    found: dict[str, Any] = {}
    for bubble in bubbles:
        for button in bubble.query_selector_all(".buttons button"):
            payload = button.get_attribute("data-payload") or ""
            if payload in ("/affirm", "/deny") and slot == "confirmed":
                found[payload.removeprefix("/")] = button
            elif payload.startswith("/inform"):
                values = json.loads(payload.removeprefix("/inform"))
                if slot in values:
                    found[values[slot]] = button
    return found


@dataclass
class Summary:
    bubble: Any  # the bubble with the yes/no buttons
    clicked: dict[str, str]  # slot -> value, in the order the form asked
    seen: list[str]  # every bot text up to and including the summary


def _to_summary(page: Any, bubbles: list[Any], priority: str, description: str) -> Summary:
    """Answer the report form as a user would, with its buttons (the first product offered,
    ``priority``) or by typing ``description``, until the bot shows the summary to confirm."""
    clicked: dict[str, str] = {}
    seen: list[str] = []
    for _ in range(MAX_FORM_TURNS):
        seen += _texts(bubbles)
        assert not any(TICKET.search(t) for t in seen), f"opened before confirming: {seen}"
        if _offered(bubbles, "confirmed"):
            summary = next(b for b in bubbles if _offered([b], "confirmed"))
            return Summary(summary, clicked, seen)
        products, priorities = _offered(bubbles, "product"), _offered(bubbles, "priority")
        if products:
            clicked["product"] = next(iter(products))
            bubbles = _click(page, products[clicked["product"]])
        elif priorities:
            clicked["priority"] = priority
            bubbles = _click(page, priorities[priority])
        else:
            bubbles = _type(page, description)
    pytest.fail(f"no summary to confirm after {MAX_FORM_TURNS} turns: {seen}")


# -- what the database and the calendars say -----------------------------------------------
def _ticket_numbers(fd: Frontdoor, code: str) -> set[str]:
    """The numbers of every ticket of contract ``code`` in the database."""
    tickets, contracts = orm.tickets, orm.contracts
    query = (
        select(tickets.c.number)
        .join(contracts, contracts.c.id == tickets.c.contract_id)
        .where(contracts.c.code == code)
    )
    with fd.uow() as uow:
        return {str(n) for n in uow.session.execute(query).scalars()}  # type: ignore[attr-defined]


def _ticket(fd: Frontdoor, number: str) -> tuple[str, str, str]:
    """(contract code, priority, summary) of the ticket ``number`` in the database."""
    tickets, contracts = orm.tickets, orm.contracts
    query = (
        select(contracts.c.code, tickets.c.priority, tickets.c.summary)
        .join(contracts, contracts.c.id == tickets.c.contract_id)
        .where(tickets.c.number == number)
    )
    with fd.uow() as uow:
        row = uow.session.execute(query).one_or_none()  # type: ignore[attr-defined]
    assert row is not None, f"ticket {number} is not in the database"
    return str(row[0]), str(row[1]), str(row[2])


def _closed_for_a_while(fd: Frontdoor, codes: tuple[str, ...]) -> tuple[str, OfficeHours, str]:
    """The first contract of ``codes`` whose office is closed now and for STAYS_CLOSED: its
    code, its office hours now, and its time zone."""
    now = datetime.now(UTC)
    with fd.uow() as uow:
        for code in codes:
            contract = find_contract(uow, code)
            assert contract is not None
            facts = office_hours(fd.book, contract, now)
            later = office_hours(fd.book, contract, now + STAYS_CLOSED)
            opening = facts.next_opening
            stays = opening is not None and opening > now + STAYS_CLOSED
            if not facts.open_now and not later.open_now and stays:
                return code, facts, contract.timezone
    pytest.skip(f"every one of {codes} is open now or within {STAYS_CLOSED} ({now:%c} UTC)")


def _admin(code: str) -> str:
    return f"{code}|admin{code}@customer.example"


def _every_language(key: str, **params: object) -> set[str]:
    return {replies.text(lang, key, **params) for lang in LANGUAGES}


# -- 1. a question inside the form, then "never mind" ------------------------------------


def _open_p1(page: Any, fd: Frontdoor, code: str) -> list[str]:
    """A P1 told in a sentence, taken to the summary and confirmed: the bot's texts after the
    click, once the database has the P1 ticket on ``code``."""
    problem = "Our phone system is completely down since an hour, nobody can work"
    summary = _to_summary(page, _type(page, problem), "P1", problem)
    assert "P1" in _text(summary.bubble), summary.seen
    opened = _texts(_click(page, _offered([summary.bubble], "confirmed")["affirm"]))
    number = next((m.group(1) for t in opened if (m := TICKET.search(t))), None)
    assert number is not None, (code, opened)
    assert _ticket(fd, number)[:2] == (code, "P1")
    return opened


def test_an_hours_question_inside_the_form_is_answered_in_italian_and_never_mind_opens_nothing(
    page: Any, help_center_frontdoor: Frontdoor
) -> None:
    """Admin 1018 (Italian) reports a problem; asked a form question, she asks the office
    hours: the Italian hours come and the same question is asked again. "Lascia stare" then
    ends the form: the bot says nothing was opened and contract 1018 has no new ticket."""
    fd = help_center_frontdoor
    before = _ticket_numbers(fd, "1018")
    _sign_in(page, ITALIAN_ADMIN)
    assert (page.get_attribute("html", "lang"), page.get_attribute("html", "dir")) == ("it", "ltr")
    opening = _texts(
        _type(page, "Buongiorno, da stamattina i telefoni degli operatori non squillano più")
    )
    questions = {replies.text("it", k) for k in ("ask_product", "ask_description", "ask_priority")}
    assert opening[-1] in questions, opening
    question = opening[-1]

    answer = _type(page, "quali sono i vostri orari?")
    with fd.uow() as uow:
        contract = find_contract(uow, "1018")
        assert contract is not None
        facts = office_hours(fd.book, contract, datetime.now(UTC))
    week = replies.text(
        "it",
        "hours_week",
        theatre=replies.text("it", "theatre_europe"),
        days=replies.day_names("it", facts.working_days),
        open=f"{facts.hours.open:%H:%M}",
        close=f"{facts.hours.close:%H:%M}",
        zone=facts.zone,
    )
    texts = _texts(answer)
    assert week in texts, texts
    assert texts[-1] == question, texts  # the form asks its question again
    assert not any(TICKET.search(t) for t in texts), texts
    for bubble in page.query_selector_all("#chat-log .msg.bot"):
        assert bubble.get_attribute("lang") == "it", _text(bubble)
        assert bubble.evaluate("e => getComputedStyle(e).direction") == "ltr"

    cancelled = _texts(_type(page, "lascia stare, era solo una domanda sugli orari"))
    assert replies.text("it", "cancelled") in cancelled, cancelled
    assert question not in cancelled, cancelled
    assert not any(TICKET.search(t) for t in cancelled), cancelled
    assert _ticket_numbers(fd, "1018") == before


# -- 2. the summary, yes, and a second report that starts clean ---------------------------
def test_the_summary_shows_product_problem_and_priority_yes_opens_it_and_the_next_report_asks_again(
    page: Any, help_center_frontdoor: Frontdoor
) -> None:
    """Product and priority chosen with the buttons, the summary shows them and the problem on
    one line, with "Yes, open it" / "No, don't open it"; yes opens a ticket with that priority.
    A second, different problem without an impact word is asked its product and priority again
    (nothing inherited) and becomes a second ticket with its own priority."""
    fd = help_center_frontdoor
    before = _ticket_numbers(fd, "1004")
    _sign_in(page, ENGLISH_GOLD_ADMIN)
    problem = "Since this morning the phones of our agents no longer ring when customers call"
    summary = _to_summary(page, _type(page, problem), "P2", problem)
    assert list(summary.clicked) == ["product", "priority"], summary.seen
    product = summary.clicked["product"]
    assert _text(summary.bubble) == replies.text(
        "en",
        "confirm_report",
        product=product,
        description=summary_line(problem),
        priority=replies.text("en", "priority_P2"),
    )
    buttons = summary.bubble.query_selector_all(".buttons button")
    assert [b.inner_text() for b in buttons] == ["Yes, open it", "No, don't open it"]
    assert _ticket_numbers(fd, "1004") == before  # nothing is opened before the click

    opened = _texts(_click(page, _offered([summary.bubble], "confirmed")["affirm"]))
    number = next((m.group(1) for t in opened if (m := TICKET.search(t))), None)
    assert number is not None, opened
    priority = replies.text("en", "priority_P2")
    expected = replies.text(
        "en", "ticket_opened", number=number, priority=priority, product=product
    )
    assert expected in opened, opened
    assert _ticket(fd, number) == ("1004", "P2", " ".join(problem.split()))
    assert _ticket_numbers(fd, "1004") == before | {number}

    second = (
        "Another thing: the voicemail greetings we recorded last week are not played to callers"
    )
    again = _to_summary(page, _type(page, second), "P4", second)
    assert list(again.clicked) == ["product", "priority"], again.seen  # both asked again
    assert replies.text("en", "ask_priority") in again.seen
    assert _text(again.bubble) == replies.text(
        "en",
        "confirm_report",
        product=again.clicked["product"],
        description=summary_line(second),
        priority=replies.text("en", "priority_P4"),
    )
    reopened = _texts(_click(page, _offered([again.bubble], "confirmed")["affirm"]))
    other = next((m.group(1) for t in reopened if (m := TICKET.search(t))), None)
    assert other is not None and other != number, reopened
    assert _ticket(fd, other)[:2] == ("1004", "P4")


# -- 3. no at the summary -------------------------------------------------------------------
def test_no_at_the_summary_opens_nothing(page: Any, help_center_frontdoor: Frontdoor) -> None:
    """Clicking "No, don't open it" on the summary: the bot says nothing has been opened and
    the contract has no new ticket."""
    fd = help_center_frontdoor
    before = _ticket_numbers(fd, "1013")
    _sign_in(page, EUROPE_GOLD_ADMIN)
    problem = "The reception desk cannot transfer calls to the sales team since yesterday"
    summary = _to_summary(page, _type(page, problem), "P3", problem)
    declined = _texts(_click(page, _offered([summary.bubble], "confirmed")["deny"]))
    assert replies.text("en", "not_opened") in declined, declined
    assert not any(TICKET.search(t) for t in declined), declined
    assert _ticket_numbers(fd, "1013") == before


# -- 4. on call at night ------------------------------------------------------------------
def test_a_platinum_contact_at_night_gets_the_on_call_line_when_asking_and_with_a_p1_ticket(
    page: Any, help_center_frontdoor: Frontdoor
) -> None:
    """A Platinum contract whose office is closed now (and for the next minutes): asking
    whether anyone is on call because it is urgent gives the theatre's phone and the PIN;
    a P1 report, confirmed, opens a P1 ticket whose reply carries the on-call line too."""
    fd = help_center_frontdoor
    code, facts, _zone = _closed_for_a_while(fd, PLATINUM)
    on_call_line = _every_language("on_call_now", phone=facts.phone)
    _sign_in(page, _admin(code))

    asked = _texts(_type(page, "Is anyone on call right now? It's urgent."))
    assert any(facts.phone in t and "PIN" in t for t in asked), (code, asked)
    assert on_call_line & set(asked), (code, asked)

    opened = _open_p1(page, fd, code)
    assert any(facts.phone in t and "PIN" in t for t in opened), (code, opened)
    assert on_call_line & set(opened), (code, opened)


def test_a_gold_contact_at_night_gets_no_on_call_line_but_when_the_office_opens(
    page: Any, help_center_frontdoor: Frontdoor
) -> None:
    """A Gold contract whose office is closed now: asking for on-call gives no phone or PIN
    but when the office opens; a P1 report, confirmed, opens a P1 ticket without any on-call
    line or PIN, saying when the office opens again."""
    fd = help_center_frontdoor
    code, facts, zone = _closed_for_a_while(fd, GOLD)
    assert facts.next_opening is not None
    opens = {replies.local_datetime(lang, facts.next_opening, zone) for lang in LANGUAGES}
    _sign_in(page, _admin(code))

    asked = _texts(_type(page, "Is anyone on call right now? It's urgent."))
    assert not any("PIN" in t or facts.phone in t for t in asked), (code, asked)
    assert _every_language("on_call_no_plan", plan="Gold") & set(asked), (code, asked)
    assert any(o in t for o in opens for t in asked), (code, opens, asked)

    opened = _open_p1(page, fd, code)
    assert not any("PIN" in t or facts.phone in t for t in opened), (code, opened)
    assert any(o in t for o in opens for t in opened), (code, opens, opened)


# -- 5. the greeting in the other languages -----------------------------------------------
@pytest.mark.parametrize(
    ("contact", "language"),
    [
        ("1013|admin1013@customer.example", "en"),
        ("1016|admin1016@customer.example", "de"),
        ("1014|admin1014@customer.example", "fr"),
        ("1015|admin1015@customer.example", "es"),
        ("1017|admin1017@customer.example", "pt"),
    ],
)
def test_a_signed_in_contact_is_greeted_with_what_the_assistant_can_do_in_their_language(
    page: Any, contact: str, language: str
) -> None:
    """Italian and Arabic are in test_helpcenter_browser.py: the other five languages get a
    left-to-right page and a greeting bubble in the contact's language."""
    _sign_in(page, contact)
    assert page.get_attribute("html", "lang") == language
    assert page.get_attribute("html", "dir") == "ltr"
    greeting = page.query_selector("#chat-log .msg.bot.greeting")
    assert greeting.get_attribute("lang") == language
    assert greeting.evaluate("e => getComputedStyle(e).direction") == "ltr"
    assert greeting.inner_text() == page_strings()[language]["greeting"]
