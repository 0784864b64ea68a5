"""End to end in a real headless Chromium: the Help Center page, our web app, Rasa and the
action server on a demo database. An Italian contact gets Italian answers and a ticket; Arabic
replies render right-to-left; the page fits a phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from bot.language import detect
from core.bootstrap import Frontdoor
from core.services import find_contract

pytestmark = [pytest.mark.slow, pytest.mark.chat_model]

ITALIAN_ADMIN = "1018|admin1018@customer.example"  # Europe Platinum cloud, prefers Italian
ARABIC_ADMIN = "1022|admin1022@customer.example"  # Middle East Gold, prefers Arabic
TICKET = re.compile(r"\b(\d{7})\b")
BOT_OR_ERROR = "#chat-log .msg.bot, #chat-log .msg.error"
TURN_TIMEOUT_MS = 90_000
MIN_WORDS_TO_CHECK = 4


def help_center_tab(browser: Any, help_center_url: str) -> Iterator[Any]:
    """A fresh browser context (own cookies, so its own conversation) on the Help Center."""
    context = browser.new_context(base_url=help_center_url)
    tab = context.new_page()
    tab.goto("/help/")
    yield tab
    context.close()


@pytest.fixture
def page(browser: Any, help_center_url: str) -> Iterator[Any]:
    yield from help_center_tab(browser, help_center_url)


def _sign_in(page: Any, contact: str) -> None:
    page.select_option("#contact", contact)
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("#signed-in")


def _wait_for_replies(page: Any, before: int) -> list[Any]:
    """The bubbles the bot added after ``before``; fails on the polite error bubble."""
    page.wait_for_function(
        f"n => document.querySelectorAll('{BOT_OR_ERROR}').length > n",
        arg=before,
        timeout=TURN_TIMEOUT_MS,
    )
    bubbles = page.query_selector_all(BOT_OR_ERROR)[before:]
    errors = [b.inner_text() for b in bubbles if "error" in (b.get_attribute("class") or "")]
    assert not errors, errors
    return list(bubbles)


def _type(page: Any, text: str) -> list[Any]:
    page.wait_for_selector("#chat-form[data-ready]")  # as a user waits for an enabled Send
    before = len(page.query_selector_all(BOT_OR_ERROR))
    page.fill("#chat-input", text)
    page.press("#chat-input", "Enter")
    return _wait_for_replies(page, before)


def _click(page: Any, button: Any) -> list[Any]:
    before = len(page.query_selector_all(BOT_OR_ERROR))
    button.click()
    return _wait_for_replies(page, before)


def _next_step(page: Any, bubbles: list[Any], description: str) -> list[Any]:
    """What the user does next: click the bot's button (P2 when priorities are offered), or
    type the description again."""
    buttons = [b for bubble in bubbles for b in bubble.query_selector_all(".buttons button")]
    if not buttons:
        return _type(page, description)
    priorities = [b for b in buttons if '"priority"' in (b.get_attribute("data-payload") or "")]
    return _click(page, priorities[1] if priorities else buttons[0])


def _converse_until_ticket(page: Any, opening: str) -> list[str]:
    texts: list[str] = []
    bubbles = _type(page, opening)
    for _ in range(6):
        texts += [b.inner_text() for b in bubbles]
        if any(TICKET.search(t) for t in texts):
            return texts
        bubbles = _next_step(page, bubbles, opening)
    pytest.fail(f"no ticket after six turns: {texts}")


def _words_in_language(text: str, fd: Frontdoor) -> str:
    """``text`` without product names, numbers and priority codes (the same in every language)."""
    policy = fd.policy
    names = [p.name for p in policy.products]
    for name in [*names, *policy.third_party_products, *policy.hardware_products]:
        text = re.sub(re.escape(name), " ", text, flags=re.IGNORECASE)
    return re.sub(r"\bP[1-4]\b|[\d()]+", " ", text)


def test_an_italian_contact_types_italian_and_gets_italian_answers_and_a_ticket(
    page: Any, help_center_frontdoor: Frontdoor
) -> None:
    """Signed in as Admin 1018 (Italian), the whole conversation is in Italian and the ticket
    the bot names is in the database, on contract 1018, opened by the chat in Italian."""
    _sign_in(page, ITALIAN_ADMIN)
    texts = _converse_until_ticket(
        page, "Buongiorno, il nostro fax digitale non spedisce più nessun documento"
    )
    for text in texts:
        words = _words_in_language(text, help_center_frontdoor)
        if len(words.split()) >= MIN_WORDS_TO_CHECK:
            assert detect(words)[0] == "it", text
    assert all(b.get_attribute("lang") == "it" for b in page.query_selector_all(".msg.bot"))
    number = next(m.group(1) for t in texts if (m := TICKET.search(t)))
    with help_center_frontdoor.uow() as uow:
        ticket = uow.tickets.get(number)
        contract = find_contract(uow, "1018")
        assert ticket is not None and contract is not None
        assert ticket.contract_id == contract.id
        assert (ticket.channel, ticket.language) == ("chat", "it")
        assert (ticket.conversation_id or "").startswith("web-")


def test_an_arabic_conversation_renders_right_to_left(page: Any) -> None:
    """The bot's Arabic bubbles have lang="ar" and a computed direction of rtl; the user's own
    Arabic text, typed in a dir="auto" bubble, is right-to-left too."""
    _sign_in(page, ARABIC_ADMIN)
    bubbles = _type(page, "مرحبا، جهاز الفاكس الرقمي لدينا لم يعد يرسل أي مستند منذ الصباح")
    for bubble in bubbles:
        assert bubble.get_attribute("lang") == "ar"
        assert bubble.evaluate("e => getComputedStyle(e).direction") == "rtl"
    user = page.query_selector("#chat-log .msg.user")
    assert user.evaluate("e => getComputedStyle(e).direction") == "rtl"


def test_the_page_works_on_a_phone_sized_screen(browser: Any, help_center_url: str) -> None:
    """At 390x844 nothing scrolls sideways, the composer is on screen, and a reply fits."""
    context = browser.new_context(
        base_url=help_center_url, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    try:
        page = context.new_page()
        page.goto("/help/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        for selector in ("#chat-input", "#chat-send", "#contact"):
            box = page.locator(selector).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, selector
        bubbles = _type(page, "Hello, what are your opening hours?")
        box = bubbles[0].bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


def test_enter_before_the_chat_script_runs_does_not_send_the_message_anywhere(
    browser: Any, help_center_url: str
) -> None:
    """Without chat.js (not loaded yet, or scripts off) Send is disabled: Enter neither reloads
    the page nor puts the customer's message in a URL (and so in access logs)."""
    context = browser.new_context(base_url=help_center_url, java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto("/help/")
        assert tab.is_disabled("#chat-send")
        tab.fill("#chat-input", "il centralino non risponde")
        tab.press("#chat-input", "Enter")
        tab.wait_for_timeout(500)
        assert "message=" not in tab.url and "centralino" not in tab.url
    finally:
        context.close()


def test_a_signed_in_italian_contact_gets_the_page_and_a_greeting_in_italian(page: Any) -> None:
    """The whole page follows the contact's language: document lang, heading, composer, and a
    greeting that says what the assistant can do, before anything is typed."""
    _sign_in(page, ITALIAN_ADMIN)
    assert page.get_attribute("html", "lang") == "it"
    assert page.inner_text("h1") == "Come possiamo aiutarla?"
    assert page.inner_text("#chat-send") == "Invia"
    assert page.get_attribute("#chat-input", "placeholder") == "Scriva il suo messaggio…"
    greeting = page.query_selector("#chat-log .msg.bot.greeting")
    assert greeting.get_attribute("lang") == "it"
    assert "aprire un ticket" in greeting.inner_text()


def test_an_arabic_contact_gets_a_right_to_left_page_in_arabic(page: Any) -> None:
    """Arabic: the document is lang="ar" dir="rtl", laid out right to left, in Arabic."""
    _sign_in(page, ARABIC_ADMIN)
    assert page.get_attribute("html", "lang") == "ar"
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert page.inner_text("#chat-send") == "إرسال"
    greeting = page.query_selector("#chat-log .msg.bot.greeting")
    assert greeting.get_attribute("lang") == "ar"
    assert greeting.evaluate("e => getComputedStyle(e).direction") == "rtl"


def test_choosing_a_language_before_chatting_shows_the_page_in_it(page: Any) -> None:
    """Not signed in, picking Deutsch in the chat's selector reloads the page in German."""
    page.wait_for_selector("#chat-form[data-ready]")
    with page.expect_navigation():
        page.select_option("#chat-language", "de")
    assert page.get_attribute("html", "lang") == "de"
    assert page.inner_text("h1") == "Wie können wir helfen?"
    assert page.input_value("#chat-language") == "de"
