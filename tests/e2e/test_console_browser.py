"""The staff console in a real headless Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

from typing import Any

import pytest
from integration.console import ADMIN, AGENT, PASSWORD, Seeded

from core.bootstrap import Frontdoor
from core.services import get_ticket

pytestmark = pytest.mark.slow


def sign_in(page: Any, email: str = AGENT) -> None:
    page.goto("/console/conversations")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url("**/console/conversations")


def test_signed_out_browser_is_sent_to_sign_in(page: Any) -> None:
    """Opening a console page without a session lands on the sign-in form."""
    page.goto("/console/tickets")
    assert "/console/sign-in?next=/console/tickets" in page.url
    assert page.locator("h1").inner_text() == "Sign in"


def test_wrong_password_shows_an_error_and_stays_signed_out(page: Any) -> None:
    """A wrong password leaves the browser on the sign-in page with one message."""
    page.goto("/console/sign-in")
    page.fill("input[name=email]", AGENT)
    page.fill("input[name=password]", "not the password")
    page.click("form.card button[type=submit]")
    assert page.locator("[role=alert]").inner_text() == "Wrong e-mail or password."


def test_agent_filters_and_opens_a_chat_and_a_phone_transcript(page: Any) -> None:
    """Sign in, filter by channel, open the chat transcript, then search and open a call."""
    sign_in(page)
    page.select_option("select[name=channel]", "chat")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**channel=chat**")
    rows = page.locator("#conversations tbody tr")
    assert rows.count() == 2
    page.locator("#conversations tbody tr", has_text="handed_off").locator("a").click()
    assert "Il server è bloccato da stamattina" in page.locator("table.turns").inner_text()
    assert page.locator("#outcome").inner_text() == "handed_off (asked_for_agent)"
    page.goto("/console/conversations")
    page.fill("input[name=q]", "press 1")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**q=press**")
    assert page.locator("#conversations tbody tr").count() == 1
    page.locator("#conversations tbody tr a").click()
    turns = page.locator("table.turns").inner_text()
    assert "Welcome to support. For English press 1." in turns
    assert "customer code ••••" in turns
    assert page.locator("h1").inner_text().startswith("phone conversation")


def test_agent_takes_a_ticket_in_charge(page: Any, frontdoor: Frontdoor, seeded: Seeded) -> None:
    """From the tickets list to the ticket page, "Taken in charge" records who and stops
    the clock."""
    sign_in(page)
    page.click("nav >> text=Tickets")
    page.locator("#tickets a", has_text=seeded.phone_ticket).click()
    assert page.locator("#status").inner_text() == "open"
    page.click("button:has-text('Taken in charge')")
    page.wait_for_url(f"**/console/tickets/{seeded.phone_ticket}")
    assert page.locator("#status").inner_text() == "taken"
    assert "by agent@example.com" in page.locator("#taken").inner_text()
    assert page.locator("#clock").inner_text() == "taken in charge"
    assert get_ticket(frontdoor.uow(), seeded.phone_ticket).taken_by == AGENT


def test_agent_cannot_reach_admin_pages(page: Any) -> None:
    """No admin links for an agent, and typing the address gives 403."""
    sign_in(page)
    assert page.locator("nav a", has_text="Staff").count() == 0
    response = page.goto("/console/admin/staff")
    assert response.status == 403
    assert "403" in page.locator("h1").inner_text()


def test_admin_reaches_staff_accounts(page: Any) -> None:
    """An admin sees the accounts page from the navigation."""
    sign_in(page, ADMIN)
    page.click("nav >> text=Staff")
    assert page.locator("#accounts tbody tr").count() == 2


def test_sign_out_ends_the_session(page: Any) -> None:
    """After signing out, console pages send the browser to sign-in again."""
    sign_in(page)
    page.click("header button:has-text('Sign out')")
    page.goto("/console/conversations")
    assert "/console/sign-in" in page.url
