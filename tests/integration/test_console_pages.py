"""The staff console pages through Flask's test client, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import re
from typing import Any

from sqlalchemy import event

from core.bootstrap import Frontdoor
from core.services import get_ticket

from .console import ADMIN, AGENT, PASSWORD, Clock, ConsoleClient, Seeded, conversation, iso
from .test_contracts_import import csv_text, with_value


def rows_of(html: str, table: str) -> list[str]:
    """The body rows of the table with id ``table``, tags stripped."""
    body = html.split(f'id="{table}"', 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", r).split()) for r in rows[1:]]


def test_signed_out_browser_is_sent_to_sign_in(console: ConsoleClient) -> None:
    """Every console page redirects to sign-in and names the page to come back to."""
    for path in ("/console/", "/console/conversations", "/console/tickets", "/console/on-call"):
        response = console.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/console/sign-in?next=/console/")


def test_sign_in_goes_back_to_the_page_asked_for(console: ConsoleClient) -> None:
    """After sign-in the browser lands on the page it first asked for."""
    token = console.token("/console/sign-in?next=/console/tickets")
    form = {"email": AGENT, "password": PASSWORD, "csrf_token": token, "next": "/console/tickets"}
    response = console.client.post("/console/sign-in", data=form)
    assert response.headers["Location"] == "/console/tickets"


def test_wrong_password_is_refused_with_one_message(console: ConsoleClient) -> None:
    """A wrong password and an unknown e-mail get the same answer."""
    wrong = console.sign_in(AGENT, "not the password")
    unknown = console.sign_in("nobody@example.com", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong e-mail or password." in wrong.get_data(as_text=True)
    assert console.get("/console/conversations").status_code == 302


def test_repeated_failures_are_slowed_then_locked(console: ConsoleClient, clock: Clock) -> None:
    """Three free failures, then a wait before each try, then a 15-minute lock; the lock
    holds even for the right password, and ends with time."""
    statuses = [console.sign_in(AGENT, "bad password!").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 401]
    assert console.sign_in(AGENT, PASSWORD).status_code == 429  # must wait 1 s first
    for _ in range(4):
        clock.advance(seconds=61)
        console.sign_in(AGENT, "bad password!")
    clock.advance(minutes=5)
    locked = console.sign_in(AGENT, PASSWORD)
    assert locked.status_code == 429 and "Too many failed sign-ins" in locked.get_data(True)
    clock.advance(minutes=11)
    assert console.sign_in(AGENT, PASSWORD).status_code == 302


def test_session_cookie_is_http_only_and_same_site(console: ConsoleClient) -> None:
    """The session cookie cannot be read by scripts nor sent by other sites' forms."""
    cookie = console.sign_in().headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_session_cookie_is_secure_behind_https(frontdoor: Frontdoor, seeded: Seeded) -> None:
    """With an https PUBLIC_BASE_URL the cookie is only sent over HTTPS."""
    from dataclasses import replace

    from .console import make_app

    fd = replace(frontdoor, settings=replace(frontdoor.settings, public_base_url="https://x.io"))
    client = ConsoleClient(make_app(fd).test_client())
    assert "Secure" in client.sign_in().headers["Set-Cookie"]


def test_conversations_list_phone_and_chat_newest_first(agent: ConsoleClient) -> None:
    """Both channels in one list, newest first, with contract and customer."""
    rows = rows_of(agent.text("/console/conversations"), "conversations")
    assert len(rows) == 5
    assert rows[0].startswith("2026-06-10 07:30:00 UTC phone europe en +390584000001 2001 Acme")
    assert [r.split()[3] for r in rows] == ["phone", "phone", "chat", "chat", "phone"]
    assert "handed_off asked_for_agent" in rows[2]


FILTER_CASES: list[tuple[str, list[str]]] = [
    ("channel=chat", ["chat-it", "chat-script"]),
    ("theatre=americas", ["CA-night"]),
    ("language=it", ["chat-it"]),
    ("outcome=refuse", ["chat-script"]),
    ("outcome=refuse&reason=unknown_contract", ["chat-script"]),
    ("outcome=abandoned", ["CA-old"]),
    ("customer=2002", ["CA-night"]),
    ("customer=acme", ["CA-phone", "chat-it"]),
    ("since=2026-06-09&until=2026-06-09", ["chat-script"]),
    ("q=bloccato", ["chat-it"]),
    ("q=ANYONE", ["CA-old"]),
    ("q=50%25", []),
    ("channel=phone&q=welcome", ["CA-phone", "CA-old"]),
]


def test_conversation_filters(agent: ConsoleClient) -> None:
    """Each filter, alone and combined, keeps exactly the matching conversations."""
    for query, expected in FILTER_CASES:
        html = agent.text(f"/console/conversations?{query}")
        links = re.findall(r'href="/console/conversations/(\d+)"', html)
        ids = [_conversation_id(agent, int(n)) for n in links]
        assert [i for i in ids if any(i.startswith(e) for e in expected)] == ids, query
        assert len(ids) == len(expected), query


def _conversation_id(agent: ConsoleClient, transcript_id: int) -> str:
    document = json.loads(agent.text(f"/console/conversations/{transcript_id}.json"))
    return str(document["conversation_id"])


def test_conversations_are_paged_by_keyset(frontdoor: Frontdoor, agent: ConsoleClient) -> None:
    """60 more conversations: 50 on the first page, the rest behind "older", none twice."""
    for n in range(60):
        at = iso("2026-05-01T08:00:00+00:00")
        conversation(frontdoor, "chat", f"bulk-{n:02d}", at, [("customer", "say", "hi")])
    first = agent.text("/console/conversations")
    older = re.search(r'rel="next" href="([^"]+)"', first)
    assert older is not None
    second = agent.text(older.group(1).replace("&amp;", "&"))
    seen = re.findall(r'href="/console/conversations/(\d+)"', first + second)
    assert len(seen) == len(set(seen)) == 65
    assert 'rel="next"' not in second


def test_conversation_page_queries_do_not_grow_with_rows(
    frontdoor: Frontdoor, agent: ConsoleClient
) -> None:
    """The list costs the same number of queries for 5 or 55 rows (no N+1)."""

    def statements(path: str) -> int:
        seen: list[str] = []

        def count(*args: Any) -> None:
            if str(args[2]) != "BEGIN IMMEDIATE":  # SQLite's transaction start, not a query
                seen.append(str(args[2]))

        event.listen(frontdoor.engine, "before_cursor_execute", count)
        try:
            agent.text(path)
        finally:
            event.remove(frontdoor.engine, "before_cursor_execute", count)
        return len(seen)

    few = statements("/console/conversations")
    for n in range(50):
        at = iso("2026-05-01T08:00:00+00:00")
        conversation(frontdoor, "phone", f"n1-{n}", at, [("ivr", "say", "hello")])
    assert statements("/console/conversations") == few <= 3


def test_one_conversation_shows_turns_tickets_events_and_voicemail(
    agent: ConsoleClient, seeded: Seeded
) -> None:
    """Time, speaker, masked keys, decision and reason, ticket link, voicemail, status events."""
    html = agent.text("/console/conversations?customer=2002")
    link = re.search(r'href="(/console/conversations/\d+)"', html)
    assert link is not None
    page = agent.text(link.group(1))
    assert "2026-06-10 07:00:01 UTC</td><td>caller</td><td>keys</td>" in page
    assert "••••" in page and "4321" not in page
    assert '<td class="said">on_call</td><td>ok</td>' in page
    assert f'href="/console/tickets/{seeded.on_call_ticket}"' in page
    assert 'href="https://api.twilio.example/recordings/RE1"' in page
    assert 'href="javascript:' not in page
    assert "<li>2026-06-10 07:00:03 UTC dial: no-answer</li>" in page


def test_exports_as_json_and_plain_text(agent: ConsoleClient, seeded: Seeded) -> None:
    """The JSON and text exports carry every turn and the linked tickets, as attachments."""
    html = agent.text("/console/conversations?q=Welcome+to+support")
    path = re.findall(r'href="(/console/conversations/\d+)"', html)[0]
    exported = agent.get(path + ".json")
    assert "attachment" in exported.headers["Content-Disposition"]
    document = exported.get_json()
    assert document["channel"] == "phone" and document["contract"] == "2001"
    assert [t["speaker"] for t in document["turns"]] == ["ivr", "caller", "system", "ivr"]
    assert document["turns"][1]["text"] == "customer code ••••"
    assert document["tickets"][0]["number"] == seeded.phone_ticket
    text = agent.text(path + ".txt")
    assert "caller (keys): customer code ••••" in text
    assert "system (decision) [ok]: open_ticket" in text
    assert f"tickets: {seeded.phone_ticket}" in text


def test_tickets_by_due_time_with_business_clock(agent: ConsoleClient, seeded: Seeded) -> None:
    """Open tickets by due time; the breached one first and marked; time left on the
    contract's calendar; the next escalation and whom it goes to."""
    rows = rows_of(agent.text("/console/tickets"), "tickets")
    assert [r.split()[0] for r in rows] == [
        seeded.breached_ticket,
        seeded.on_call_ticket,
        seeded.phone_ticket,
    ]
    assert "BREACHED -17 h 00 min" in rows[0]  # Gold P1 due Mon 11:00, now Wed 10:00 Rome
    assert " 1 min " in rows[1]  # Platinum P1 on the clock, due 1 min from now
    assert "1 h 31 min" in rows[2]
    assert "2026-06-10 09:31:00 UTC → Support team" in rows[2]


def test_ticket_filters(agent: ConsoleClient) -> None:
    """Theatre, plan and priority filters."""
    for query, count in (("priority=P1", 2), ("plan=platinum", 1), ("theatre=europe", 2)):
        assert len(rows_of(agent.text(f"/console/tickets?{query}"), "tickets")) == count


def test_take_in_charge_records_who_and_when(
    frontdoor: Frontdoor, agent: ConsoleClient, seeded: Seeded, clock: Clock
) -> None:
    """The action goes through the core: status taken, by the agent, at the clock's time."""
    number = seeded.phone_ticket
    response = agent.post(f"/console/tickets/{number}/take")
    assert response.status_code == 302
    stored = get_ticket(frontdoor.uow(), number)
    assert (stored.status, stored.taken_by, stored.taken_at) == ("taken", AGENT, clock.at)
    assert "2026-06-10 08:00:00 UTC by agent@example.com" in agent.text(
        f"/console/tickets/{number}"
    )


def test_waiting_pauses_and_resuming_moves_the_deadline(
    frontdoor: Frontdoor, agent: ConsoleClient, seeded: Seeded, clock: Clock
) -> None:
    """Waiting for the customer stops the clock; resuming an hour later moves the due time
    one business hour later."""
    number = seeded.phone_ticket
    due = get_ticket(frontdoor.uow(), number).due_at
    agent.post(f"/console/tickets/{number}/wait")
    assert get_ticket(frontdoor.uow(), number).status == "waiting"
    assert "paused (waiting)" in agent.text(f"/console/tickets/{number}")
    clock.advance(hours=1)
    agent.post(f"/console/tickets/{number}/resume")
    resumed = get_ticket(frontdoor.uow(), number)
    assert resumed.status == "open" and due is not None
    assert resumed.due_at == due.replace(hour=due.hour + 1)


def test_ticket_page_shows_its_conversation(agent: ConsoleClient, seeded: Seeded) -> None:
    """The ticket page links and shows the conversation that opened it."""
    page = agent.text(f"/console/tickets/{seeded.phone_ticket}")
    assert "phone conversation CA-phone-1" in page
    assert "Welcome to support. For English press 1." in page


def test_on_call_audit_shows_attempts_lockouts_and_calls(agent: ConsoleClient) -> None:
    """PIN attempts with caller, contract and result; the lockout; the call not answered."""
    html = agent.text("/console/on-call")
    attempts = rows_of(html, "pin-attempts")
    assert len(attempts) == 5
    assert attempts[0] == "2026-06-10 07:50:04 UTC +13055550199 2002 wrong CA-bad-4"
    assert rows_of(html, "lockouts") == ["2002 2026-06-10 08:05:04 UTC 5"]
    calls = rows_of(html, "on-call-calls")
    assert len(calls) == 1 and " no dial: no-answer" in calls[0]


def test_hand_off_queue_lists_waiting_chats_oldest_first(
    frontdoor: Frontdoor, agent: ConsoleClient
) -> None:
    """Handed-off chats without a ticket, oldest first; one answered by a ticket leaves."""
    conversation(
        frontdoor,
        "chat",
        "chat-older",
        iso("2026-06-10T06:00:00+00:00"),
        [("customer", "say", "agent please")],
        outcome="handed_off",
        reason="asked_for_agent",
    )
    rows = rows_of(agent.text("/console/hand-offs"), "handoffs")
    assert [r.split()[:2] for r in rows] == [["2026-06-10", "06:00:00"], ["2026-06-10", "07:00:00"]]
    assert rows[0].split()[3:6] == ["2", "h", "00"]


def test_admin_creates_and_disables_an_account(admin: ConsoleClient, app: Any) -> None:
    """A new agent can sign in; once disabled, its open session ends and sign-in fails."""
    form = {"email": "new@example.com", "role": "agent", "password": "a long new password"}
    assert admin.post("/console/admin/staff", form).status_code == 302
    newcomer = ConsoleClient(app.test_client())
    assert newcomer.sign_in("new@example.com", "a long new password").status_code == 302
    row = (
        admin.text("/console/admin/staff").split("<td>new@example.com</td>", 1)[1].split("</tr>")[0]
    )
    action = re.search(r'action="(/console/admin/staff/\d+/disable)"', row)
    assert action is not None
    admin.post(action.group(1))
    assert newcomer.get("/console/conversations").status_code == 302
    assert newcomer.sign_in("new@example.com", "a long new password").status_code == 401


def test_admin_cannot_disable_their_own_account(admin: ConsoleClient, frontdoor: Frontdoor) -> None:
    """Disabling oneself is refused (the console would lose its last admin)."""
    with frontdoor.uow() as uow:
        me = uow.staff.get(ADMIN)
    assert me is not None
    admin.post(f"/console/admin/staff/{me.id}/disable")
    with frontdoor.uow() as uow:
        assert uow.staff.get(ADMIN).active  # type: ignore[union-attr]


def test_contract_import_reports_what_changed(admin: ConsoleClient, frontdoor: Frontdoor) -> None:
    """The uploaded CSV is imported with the CLI's validation and counts."""
    body = "".join(csv_text()).encode()
    response = admin.post(
        "/console/admin/contracts",
        {"file": (io.BytesIO(body), "contracts.csv")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert re.search(r"contracts.csv: \d+ created, 0 updated, 0 unchanged", html)


def test_contract_import_with_a_bad_row_imports_nothing(
    admin: ConsoleClient, frontdoor: Frontdoor
) -> None:
    """A bad row is named by line and column and nothing is written."""
    with frontdoor.uow() as uow:
        before = len(uow.contracts.list())
    body = "".join(with_value("plan", "diamond", row=0)).encode()
    response = admin.post(
        "/console/admin/contracts",
        {"file": (io.BytesIO(body), "bad.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "line 2, column plan" in response.get_data(as_text=True)
    with frontdoor.uow() as uow:
        assert len(uow.contracts.list()) == before
