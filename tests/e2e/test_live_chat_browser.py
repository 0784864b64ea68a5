"""End to end in two real Chromium contexts on the real stack (Rasa, the action server, the
web app): a customer on the Help Center asks for a person in office hours; an agent watching
the console's hand-off queue sees the chat appear without reloading, takes it, and they write
to each other in Italian and Arabic (right to left); the agent opens a ticket that carries the
transcript; a second agent cannot take the chat; once handed back, the bot answers again.
And when nobody takes the chat in time, the bot comes back and opens a ticket when the
customer agrees."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from core.bootstrap import Frontdoor, bootstrap
from core.hours import office_hours
from core.services import add_staff, find_contract
from core.settings import load_settings
from tests.e2e.chat_stack import SECRET, ChatStack, chat_stack
from tests.e2e.test_helpcenter_browser import TICKET, _sign_in, _type
from web import create_app
from web.helpcenter.views import page_strings

pytestmark = [pytest.mark.slow, pytest.mark.chat_model]

PASSWORD = "correct horse battery staple"
AGENT, SECOND = "marco.rossi@example.com", "giulia.bianchi@example.com"
ITALIAN_ADMIN = "1018|admin1018@customer.example"  # Europe Platinum cloud, prefers Italian
WAIT_SECONDS = 6  # FRONTDOOR_LIVE_CHAT_WAIT for the timeout test
SLOW_MS = 30_000


@dataclass
class LiveStack:
    """The chat stack the hand-off runs on, its core, and how far its clock runs ahead."""

    stack: ChatStack
    fd: Frontdoor
    ahead: timedelta


@pytest.fixture(scope="module")
def live_stack(
    shared_chat_stack: ChatStack,
    help_center_frontdoor: Frontdoor,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveStack]:
    """The hand-off to a person happens in office hours, contract 1018's (Europe). Open now: the
    session's stack. Closed (an evening, a weekend): a stack of its own whose action server's
    clock runs ahead to an hour after the office opens (FRONTDOOR_CHAT_CLOCK_OFFSET), and the
    web app's clock with it."""
    now = datetime.now(UTC)
    with help_center_frontdoor.uow() as uow:
        contract = find_contract(uow, "1018")
    assert contract is not None
    hours = office_hours(help_center_frontdoor.book, contract, now)
    if hours.open_now:
        yield LiveStack(shared_chat_stack, help_center_frontdoor, timedelta(0))
        return
    assert hours.next_opening is not None
    ahead = timedelta(seconds=int((hours.next_opening + timedelta(hours=1) - now).total_seconds()))
    offset = {"FRONTDOOR_CHAT_CLOCK_OFFSET": str(int(ahead.total_seconds()))}
    with chat_stack(tmp_path_factory.mktemp("live-stack"), offset) as stack:
        fd = bootstrap(load_settings({"DATABASE_URL": stack.database_url}))
        try:
            assert office_hours(fd.book, contract, now + ahead).open_now
            yield LiveStack(stack, fd, ahead)
        finally:
            fd.dispose()


@pytest.fixture(scope="module")
def live_app(live_stack: LiveStack) -> Flask:
    """The web app on the stack's database, forwarding to its Rasa, with two agents."""
    for email in (AGENT, SECOND):
        with live_stack.fd.uow() as uow:
            if uow.staff.get(email) is None:
                add_staff(uow, email=email, role="agent", password=PASSWORD, at=datetime.now(UTC))
                uow.commit()
    rasa_url = live_stack.stack.rest_url.removesuffix("/webhooks/rest/webhook")
    ahead = live_stack.ahead
    config = {
        "FRONTDOOR_RASA_URL": rasa_url,
        "FRONTDOOR_RASA_TIMEOUT": 60.0,
        "FRONTDOOR_CHAT_TOKEN_SECRET": SECRET,
        "SECRET_KEY": "live-chat-browser-test",
        "FRONTDOOR_CLOCK": lambda: datetime.now(UTC) + ahead,  # the action server's time
    }
    return create_app(config, frontdoor=live_stack.fd)


@pytest.fixture(scope="module")
def live_url(live_app: Flask) -> Iterator[str]:
    server: BaseWSGIServer = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def _context(browser: Any, base_url: str) -> tuple[Any, Any]:
    context = browser.new_context(base_url=base_url)
    tab = context.new_page()
    tab.set_default_timeout(SLOW_MS)
    return context, tab


def _console(browser: Any, base_url: str, email: str, path: str) -> tuple[Any, Any]:
    context, tab = _context(browser, base_url)
    tab.goto(f"/console/sign-in?next={path}")
    tab.fill("input[name=email]", email)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_url(f"**{path}")
    return context, tab


def _customer(browser: Any, base_url: str) -> tuple[Any, Any]:
    context, tab = _context(browser, base_url)
    tab.goto("/help/")
    _sign_in(tab, ITALIAN_ADMIN)
    return context, tab


def _ask_for_a_person(tab: Any) -> None:
    bubbles = _type(tab, "voglio parlare con un operatore")
    assert any("operatore" in b.inner_text() for b in bubbles), [b.inner_text() for b in bubbles]
    tab.wait_for_selector("#live-waiting:not([hidden])")
    assert "numero" in tab.inner_text("#live-waiting")


def _agent_bubble(customer: Any, text: str) -> Any:
    bubble = customer.locator("#chat-log .msg.agent", has_text=text)
    bubble.wait_for()
    return bubble


def _agent_writes(agent: Any, text: str) -> None:
    agent.fill("#live-text", text)
    agent.click("#live-send")


def test_an_agent_takes_the_chat_and_they_talk_in_italian_and_arabic(
    browser: Any, live_url: str, live_stack: LiveStack
) -> None:
    """The whole exchange, as both people see it, then the ticket and the bot again."""
    agent_ctx, agent = _console(browser, live_url, AGENT, "/console/hand-offs")
    customer_ctx, customer = _customer(browser, live_url)
    second_ctx = None
    try:
        agent.wait_for_selector("#live[data-ready]")
        _ask_for_a_person(customer)
        # the queue updates by itself: no reload
        row = agent.locator("#live-queue tbody tr", has_text="1018")
        row.wait_for()
        assert "it" in row.inner_text() and "platinum" in row.inner_text()
        row.get_by_role("link", name="Open").click()
        agent.wait_for_selector("#live-chat[data-state=waiting]")
        assert "voglio parlare con un operatore" in agent.inner_text("#live-log")
        agent.click("#live-take")
        agent.wait_for_selector("#live-chat[data-mine='1']")
        customer.locator("#chat-log .msg.status", has_text="Marco").wait_for()
        assert customer.is_hidden("#live-waiting")

        # a second agent sees who has it and cannot take it
        chat_path = agent.url.removeprefix(live_url)
        second_ctx, second = _console(browser, live_url, SECOND, chat_path)
        second.wait_for_selector("#live-chat[data-state=taken]")
        assert "Marco" in second.inner_text("#live-state")
        refused = second.evaluate(
            """async () => {
                const d = document.getElementById("live-chat").dataset;
                const body = new URLSearchParams({csrf_token: d.csrf});
                const r = await fetch(d.take, {method: "POST", body: body});
                return [r.status, (await r.json()).agent];
            }"""
        )
        assert refused == [409, "Marco"]

        # Italian both ways
        _agent_writes(agent, "Buongiorno, sono Marco del supporto. Come posso aiutarla?")
        bubble = _agent_bubble(customer, "sono Marco del supporto")
        assert bubble.locator(".who").inner_text().startswith("Marco")
        assert bubble.get_attribute("lang") == "it"
        _type_live(customer, "Il centralino non riceve chiamate da stamattina.")
        agent.locator("#live-log li.customer", has_text="Il centralino non riceve").wait_for()

        # Arabic both ways, right to left
        arabic = "مرحبا، هل يمكنك إعادة تشغيل الخادم من فضلك؟"
        _agent_writes(agent, arabic)
        bubble = _agent_bubble(customer, "إعادة تشغيل")
        assert bubble.get_attribute("lang") == "ar"
        assert bubble.evaluate("e => getComputedStyle(e).direction") == "rtl"
        _type_live(customer, "نعم، أعدت تشغيله ولكن المشكلة ما زالت قائمة")
        line = agent.locator("#live-log li.customer .said", has_text="المشكلة ما زالت قائمة")
        line.wait_for()
        assert line.evaluate("e => getComputedStyle(e).direction") == "rtl"

        # a ticket from the chat, through the intake service, with the transcript
        agent.select_option("#live-priority", "P2")
        agent.fill("#live-summary", "Centralino: nessuna chiamata in entrata")
        agent.click("#live-ticket")
        agent.wait_for_selector("#live-notice:not([hidden])")
        number = TICKET.search(agent.inner_text("#live-notice"))
        assert number, agent.inner_text("#live-notice")
        customer.locator("#chat-log .msg.status", has_text=number.group(1)).wait_for()
        _ticket_carries_the_transcript(live_stack.fd, number.group(1), arabic)

        # back to the bot
        agent.click("#live-give-back")
        agent.wait_for_selector("#live-chat[data-state=bot]")
        returned = page_strings()["it"]["live_returned"].format(name="Marco")
        customer.locator("#chat-log .msg.status", has_text=returned).wait_for()
        bot_before = customer.locator("#chat-log .msg.bot").count()
        _type(customer, "quali sono i vostri orari di apertura?")
        assert customer.locator("#chat-log .msg.bot").count() > bot_before
    finally:
        for context in (agent_ctx, customer_ctx, second_ctx):
            if context is not None:
                context.close()


def _type_live(tab: Any, text: str) -> None:
    """The customer writes while an agent has the chat: the bubble is shown, Rasa is not
    asked, so no bot reply is waited for."""
    tab.fill("#chat-input", text)
    tab.press("#chat-input", "Enter")
    tab.locator("#chat-log .msg.user", has_text=text[:20]).wait_for()


def _ticket_carries_the_transcript(fd: Frontdoor, number: str, arabic: str) -> None:
    with fd.uow() as uow:
        ticket = uow.tickets.get(number)
        assert ticket is not None and ticket.conversation_id
        assert (ticket.channel, ticket.priority) == ("chat", "P2")
        transcript = uow.transcripts.get("chat", ticket.conversation_id)
        assert transcript is not None
        said = [(t.speaker.split(":")[0], t.text) for t in transcript.turns]
    assert ("customer", "voglio parlare con un operatore") in said
    assert ("agent", arabic) in said
    assert ("customer", "Il centralino non riceve chiamate da stamattina.") in said
    assert ("system", f"ticket {number} opened (P2)") in said


def test_nobody_takes_the_chat_the_bot_returns_and_opens_a_ticket(
    browser: Any, live_url: str, live_app: Flask, live_stack: LiveStack
) -> None:
    """After FRONTDOOR_LIVE_CHAT_WAIT the bot apologises and offers a ticket; "yes" opens it
    with the conversation."""
    live_app.config["FRONTDOOR_LIVE_CHAT_WAIT"] = WAIT_SECONDS
    customer_ctx, customer = _customer(browser, live_url)
    try:
        _ask_for_a_person(customer)
        t = page_strings()["it"]
        offer = customer.locator("#chat-log .msg.bot", has_text=t["live_timeout"][:30])
        offer.wait_for(timeout=(WAIT_SECONDS + 10) * 1000)
        before = customer.locator("#chat-log .msg.bot").count()
        offer.get_by_role("button", name=t["live_yes"]).click()
        customer.wait_for_function(
            "n => document.querySelectorAll('#chat-log .msg.bot').length > n", arg=before
        )
        reply = customer.locator("#chat-log .msg.bot").last.inner_text()
        number = TICKET.search(reply)
        assert number, reply
        with live_stack.fd.uow() as uow:
            ticket = uow.tickets.get(number.group(1))
            assert ticket is not None and ticket.conversation_id
            transcript = uow.transcripts.get("chat", ticket.conversation_id)
            assert transcript is not None
            said = [t.text for t in transcript.turns]
        assert "voglio parlare con un operatore" in said
        assert t["live_timeout"] in said and t["live_yes"] in said
    finally:
        live_app.config.pop("FRONTDOOR_LIVE_CHAT_WAIT", None)
        customer_ctx.close()
