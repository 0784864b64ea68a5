"""Security of the staff console: CSRF, injection strings, roles and edited ids."""

from __future__ import annotations

import io
import itertools
from typing import Any

from core.bootstrap import Frontdoor
from core.services import get_ticket

from .console import ADMIN, AGENT, PASSWORD, SCRIPT, ConsoleClient, Seeded
from .helpers import all_stored_text, count

INJECTIONS = [
    "' OR '1'='1",
    "1; DROP TABLE transcripts; --",
    "%' UNION SELECT password_hash FROM staff_accounts --",
    '"><script>alert(1)</script>',
    "_%",
    "\\",
]
TABLES = ("transcripts", "turns", "tickets", "staff_accounts", "contracts")


def table_counts(fd: Frontdoor) -> dict[str, int]:
    return {table: count(fd, table) for table in TABLES}


CSRF_PATHS = (
    "/console/sign-in",
    "/console/sign-out",
    "/console/tickets/{ticket}/take",
    "/console/admin/staff",
    "/console/admin/contracts",
)


def test_a_post_without_csrf_token_is_refused(
    admin: ConsoleClient, frontdoor: Frontdoor, seeded: Seeded
) -> None:
    """No token, or a forged one: 400, and nothing changes."""
    before = table_counts(frontdoor)
    form = {"email": "x@example.com", "role": "admin", "password": "p" * 20}
    for path in CSRF_PATHS:
        url = path.format(ticket=seeded.phone_ticket)
        for forged in ({}, {"csrf_token": "forged"}):
            response = admin.client.post(url, data={**form, **forged})
            assert response.status_code == 400, url
    assert table_counts(frontdoor) == before
    assert get_ticket(frontdoor.uow(), seeded.phone_ticket).status == "open"
    assert admin.get("/console/conversations").status_code == 200  # still signed in


def test_injection_strings_in_filters_match_nothing_and_change_nothing(
    agent: ConsoleClient, frontdoor: Frontdoor
) -> None:
    """SQL and HTML in any filter is a literal: no row matches, no table changes, the string
    is shown escaped in the form (a malformed date is ignored)."""
    before = table_counts(frontdoor)
    fields = ("q", "customer", "channel", "theatre", "language", "outcome", "reason", "since")
    for field, text in itertools.product(fields, INJECTIONS):
        response = agent.get("/console/conversations", query_string={field: text})
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert ("No conversation matches." in html) is (field != "since"), text
        assert "<script>alert(1)" not in html
    assert table_counts(frontdoor) == before


def test_injection_strings_in_ticket_filters_match_nothing(
    agent: ConsoleClient, frontdoor: Frontdoor
) -> None:
    """The ticket filters take SQL as a literal value too."""
    before = table_counts(frontdoor)
    for field, text in itertools.product(("theatre", "plan", "priority"), INJECTIONS):
        html = agent.text("/console/tickets", query_string={field: text})
        assert "No open ticket." in html
    assert table_counts(frontdoor) == before


def test_script_in_what_was_said_is_shown_as_text(agent: ConsoleClient) -> None:
    """A customer who types a <script> sees it stored and shown as text, never run."""
    html = agent.text("/console/conversations", query_string={"q": "my name is"})
    path = html.split('href="/console/conversations/', 1)[1].split('"', 1)[0]
    page = agent.text(f"/console/conversations/{path}")
    assert "my name is &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert SCRIPT not in page
    assert "script-src" not in page  # and the CSP forbids inline scripts anyway
    response = agent.get(f"/console/conversations/{path}")
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert SCRIPT in agent.text(f"/console/conversations/{path}.txt")  # plain text export


def test_a_search_for_a_wildcard_is_literal(agent: ConsoleClient, frontdoor: Frontdoor) -> None:
    """ "%" and "_" match only themselves (LIKE wildcards are escaped)."""
    assert "No conversation matches." in agent.text("/console/conversations?q=%25")
    assert "No conversation matches." in agent.text("/console/conversations?q=e_t")
    assert "No conversation matches." not in agent.text("/console/conversations?q=n_t")


ADMIN_PAGES: list[tuple[str, str]] = [
    ("GET", "/console/admin/staff"),
    ("GET", "/console/admin/contracts"),
    ("POST", "/console/admin/staff"),
    ("POST", "/console/admin/contracts"),
    ("POST", "/console/admin/staff/{admin_id}/disable"),
    ("POST", "/console/admin/staff/{agent_id}/enable"),
]


def _ids(fd: Frontdoor) -> dict[str, Any]:
    with fd.uow() as uow:
        return {
            "admin_id": uow.staff.get(ADMIN).id,  # type: ignore[union-attr]
            "agent_id": uow.staff.get(AGENT).id,  # type: ignore[union-attr]
        }


def test_an_agent_gets_403_on_admin_pages(agent: ConsoleClient, frontdoor: Frontdoor) -> None:
    """Admin pages and actions are refused to agents, whatever id is in the address."""
    before = table_counts(frontdoor)
    for method, path in ADMIN_PAGES:
        url = path.format(**_ids(frontdoor))
        if method == "GET":
            response = agent.get(url)
        else:
            form: dict[str, Any] = {"email": "sneaky@example.com", "role": "admin"}
            form.update(password="p" * 20, file=(io.BytesIO(b"code\n"), "x.csv"))
            response = agent.post(url, form, content_type="multipart/form-data")
        assert response.status_code == 403, url
    assert table_counts(frontdoor) == before
    with frontdoor.uow() as uow:
        assert uow.staff.get(ADMIN).active  # type: ignore[union-attr]
        assert uow.staff.get("sneaky@example.com") is None


def test_agent_sees_no_admin_links(agent: ConsoleClient) -> None:
    """The navigation offers agents only what they may open."""
    html = agent.text("/console/conversations")
    assert "/console/admin/" not in html


EDITED_IDS = (
    "/console/conversations/999999",
    "/console/conversations/999999.json",
    "/console/conversations/-1",
    "/console/conversations/1%20OR%201=1",
    "/console/tickets/0000000",
    "/console/tickets/'%20OR%20'1'='1",
    "/console/admin/staff/999999/disable",
)


def test_edited_ids_give_404_never_other_data(admin: ConsoleClient) -> None:
    """An id that does not exist (or is not an id) is not found, never a 500."""
    for path in EDITED_IDS:
        response = admin.post(path) if path.endswith("disable") else admin.get(path)
        assert response.status_code == 404, path


def test_unknown_ticket_action_is_not_found(agent: ConsoleClient, seeded: Seeded) -> None:
    """Only the three actions exist."""
    assert agent.post(f"/console/tickets/{seeded.phone_ticket}/close").status_code == 404


def test_sign_in_never_redirects_off_site(console: ConsoleClient) -> None:
    """A next= pointing at another site is ignored (no open redirect)."""
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        token = console.token()
        form = {"email": AGENT, "password": PASSWORD, "csrf_token": token, "next": target}
        response = console.client.post("/console/sign-in", data=form)
        assert response.headers["Location"] == "/console/conversations"


def test_passwords_are_stored_as_argon2_hashes(frontdoor: Frontdoor, seeded: Seeded) -> None:
    """No password is stored in clear."""
    stored = all_stored_text(frontdoor)
    assert PASSWORD not in " ".join(stored)
    assert sum(value.startswith("$argon2id$") for value in stored) == 2
