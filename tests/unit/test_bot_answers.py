"""Questions of an identified customer, answered from the core: ticket status, hours, plan,
contacts, renewal, and asking for a person."""

from __future__ import annotations

from bot.actions.requests import ActionResume
from bot.actions.small_talk import ActionFallback, ActionOutOfScope
from bot.frontdoor import CoreClient
from tests.unit.bot_kit import CLOSED, OPEN, Chat, demo_client
from tests.unit.test_bot_report import identified, report


def ask(client: CoreClient, code: str, pending: str, text: str = "?", **slots: object) -> Chat:
    chat = identified(client, code, pending_request=pending, **slots).user(text, pending)
    chat.run(ActionResume())
    return chat


def test_ticket_status_of_an_own_ticket() -> None:
    """The customer's own ticket: priority, summary, status and due time."""
    client = demo_client()
    number = report(identified(client, "1013"), "Digital Fax").slots["last_ticket"]
    chat = ask(client, "1013", "ticket_status", ticket_number=number)
    assert chat.said(f'Ticket {number} (P2 high) about "Faxes are not sent any more" is open')
    assert chat.said("A support engineer is due to pick it up by")


def test_another_contracts_ticket_is_not_found() -> None:
    """A ticket of another contract is answered exactly like a number that doesn't exist."""
    client = demo_client()
    number = report(identified(client, "1013"), "Digital Fax").slots["last_ticket"]
    other = ask(client, "1016", "ticket_status", ticket_number=number)
    missing = ask(client, "1016", "ticket_status", ticket_number="0000000")
    assert other.texts()[0] == missing.texts()[0].replace("0000000", number)
    assert not other.said("Faxes")


def test_basic_hours_have_no_saturdays_and_no_on_call() -> None:
    """Basic in Europe, Tuesday 10:00: open now, weekdays 09-18, no Saturdays, no on-call."""
    chat = ask(demo_client(OPEN), "1010", "ask_hours")
    assert chat.said("We're open now, until 18:00")
    assert chat.said("Monday, Tuesday, Wednesday, Thursday, Friday, 09:00–18:00")
    assert chat.said("doesn't include Saturdays")
    assert not chat.said("on-call")


def test_platinum_hours_at_night_give_the_next_opening_and_the_on_call_line() -> None:
    """Platinum in Europe at 22:00: closed, opens Wednesday 09:00, on-call for P1."""
    chat = ask(demo_client(CLOSED), "1016", "ask_hours")
    assert chat.said("We open again on Wednesday, November 25, 2026, 09:00")
    assert chat.said("Saturdays and national holidays, 09:00–18:00")
    assert chat.said("on-call service on +390584943232")


def test_asia_pacific_platinum_is_not_offered_the_on_call_line() -> None:
    """The core says the on-call service is not for Asia-Pacific sites (1032, Sydney)."""
    chat = ask(demo_client(CLOSED), "1032", "ask_hours")
    assert not chat.said("on-call")


def test_hours_in_the_middle_east_follow_the_contract_week() -> None:
    """A Sun-Thu customer in Dubai reads Sunday to Thursday, in Arabic."""
    chat = ask(demo_client(OPEN), "1019", "ask_hours", language="ar")
    week = next(t for t in chat.texts() if "09:00" in t and "18:00" in t)
    assert "الأحد" in week and "الجمعة" not in week  # Sunday in, Friday out


def test_plan_lists_what_the_plan_includes() -> None:
    """Gold subscription with the end-user add-on: remote sessions, guarantees, Saturdays."""
    chat = ask(demo_client(), "1014", "ask_plan")
    text = chat.texts()[0]
    assert text.startswith("Your plan is Gold, subscription licence")
    assert "• remote sessions on request" in text
    assert "• support for your end users (add-on)" in text
    assert "• no out-of-hours on-call service" in text


def test_contact_gives_the_theatre_phone_and_the_channels() -> None:
    """Americas contract: the Americas number, and e-mail without a guaranteed time."""
    chat = ask(demo_client(), "1001", "ask_contact")
    assert chat.said("+13055013030") and chat.said("e-mail (no guaranteed response time)")


def test_renewal_rules_follow_the_licence_type() -> None:
    """Cloud licence: auto-renew +5% for 12 months; perpetual: 30 days after expiry."""
    assert ask(demo_client(), "1003", "renew_contract").said("up by 5% for 12 months")
    assert ask(demo_client(), "1001", "renew_contract").said("within 30 days of expiry")


def test_handoff_in_office_hours_pauses_the_bot_and_flags_the_transcript() -> None:
    """A live agent takes over: the conversation is paused and marked handed_off."""
    chat = ask(demo_client(OPEN), "1013", "human_handoff")
    assert chat.said("passing you to one of our agents")
    assert any(e.get("event") == "pause" for e in chat.returned)
    with chat.client.uow() as uow:
        transcript = uow.transcripts.get("chat", chat.sender)
    assert transcript is not None and transcript.outcome == "handed_off"


def test_handoff_out_of_hours_opens_a_ticket_and_points_platinum_to_on_call() -> None:
    """Closed: the report form starts for a ticket; Platinum hears the on-call line."""
    chat = ask(demo_client(CLOSED), "1016", "human_handoff")
    assert chat.said("Let me open a ticket") and chat.said("on-call service now on +390584943232")
    assert {"event": "followup", "name": "action_new_report"} in [
        {k: e[k] for k in ("event", "name")} for e in chat.returned if e.get("event") == "followup"
    ]


def test_out_of_scope_and_fallback_say_what_the_assistant_can_do() -> None:
    """Both answers list what the bot does and where else to go, in the user's language."""
    chat = Chat(demo_client()).user("Che tempo fa domani a Milano?", "out_of_scope")
    chat.run(ActionOutOfScope())
    assert chat.said("https://support.example.com") and chat.said("Posso aprire un ticket")
    chat.user("asdf qwer zxcv", "nlu_fallback")
    chat.run(ActionFallback())
    assert chat.said("+390584943232")


def test_basic_plan_answer_names_its_guaranteed_priorities() -> None:
    """Basic guarantees P1 and P2 (end of the next / 2nd business day), best effort below: the
    plan answer says so, as the ticket's deadline does."""
    from core.demo import demo_contracts

    from .bot_kit import TODAY

    code = next(s.code for s in demo_contracts(TODAY) if s.plan == "basic" and s.paid)
    text = ask(demo_client(), code, "ask_plan").texts()[0]
    assert text.startswith("Your plan is Basic")
    assert "• guaranteed response times for P1, P2; best effort for the other priorities" in text
