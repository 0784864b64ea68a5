"""Reporting a problem: the form asks only what it doesn't know, the core decides, the bot
opens one ticket per problem or explains the refusal once."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.actions.forms import ValidateReportForm
from bot.actions.questions import AskPriority
from bot.actions.requests import ActionSubmitReport
from bot.frontdoor import CoreClient
from tests.unit.bot_kit import CLOSED, Chat, demo_client, extracted, proven, token


def identified(client: CoreClient, code: str, role: str = "admin", **slots: Any) -> Chat:
    """A chat whose contact identified with code and e-mail at an earlier turn: the demo's
    administrator, or its operator for ``role="end_user"``."""
    person = "operator" if role == "end_user" else "admin"
    chat = Chat(
        client,
        customer_code=code,
        contact_email=f"{person}{code}@customer.example",
        contact_verified=True,
        requester_role=role,
        language=slots.pop("language", "en"),
        **slots,
    )
    return proven(chat)


def required(chat: Chat) -> list[str]:
    """The report form's slots for this conversation, as the action server computes them."""
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from bot import frontdoor
    from bot.conversation import Turn

    tracker = Tracker(chat.sender, dict(chat.slots), chat.latest, [], False, None, {}, None)
    frontdoor.set_client(chat.client)
    try:
        with chat.client.uow() as uow:
            turn = Turn(CollectingDispatcher(), tracker, uow, chat.client)
            tracker._chat_turn = turn  # type: ignore[attr-defined]
            form = ValidateReportForm()
            return asyncio.run(form.required_slots([], None, tracker, {}))  # type: ignore[arg-type]
    finally:
        frontdoor.set_client(None)


def test_an_identified_admin_is_asked_product_description_and_impact() -> None:
    """Identification and role are known (token): the form goes on to the problem itself."""
    chat = identified(demo_client(), "1016").user("I have a problem", "report_problem")
    assert required(chat)[-4:] == ["product", "description", "priority", "confirmed"]


def test_an_expired_contract_is_not_asked_about_the_problem() -> None:
    """The core refuses an expired contract: nothing more is asked before explaining."""
    chat = identified(demo_client(), "1028").user("I have a problem", "report_problem")
    assert required(chat) == ["customer_code", "contact_email"]


def test_an_unknown_role_is_asked_before_the_problem() -> None:
    """A contact imported without a role is asked for it first."""
    client = demo_client()
    with client.uow() as uow:
        contract = client.contract(uow, "1016")
        assert contract is not None
        contact = contract.contact_by_email("admin1016@customer.example")
        assert contact is not None
        contact.role = None
    chat = identified(client, "1016", role=None).user("help", "report_problem")  # type: ignore[arg-type]
    assert required(chat)[2:4] == ["requester_role", "product"]


@pytest.mark.parametrize("said", ["admin", "end_user", "something else", None])
def test_a_contact_whose_role_is_on_record_is_never_asked_for_it(said: str | None) -> None:
    """The role comes from the contact's record, whatever a message seemed to say (an Arabic
    administrator was once asked for it after a word of theirs was taken for a role)."""
    chat = identified(demo_client(), "1019", language="ar")
    chat.slots["requester_role"] = said
    chat.user("النظام متوقف", "report_problem")
    assert "requester_role" not in required(chat)


def test_the_impact_question_explains_p1_to_p4_in_the_user_language() -> None:
    """German user: the four priorities explained in German, one button each."""
    chat = identified(demo_client(), "1016", language="de").user("Das ist sehr dringend für uns")
    chat.run(AskPriority())
    assert chat.said("P1 kritisch") and chat.said("P4 niedrig")
    assert chat.replies[0]["buttons"][0]["payload"] == '/inform{"priority": "P1"}'


@pytest.mark.parametrize(
    ("typed", "stored"), [("2", "P2"), ("p3", "P3"), ("P1", "P1"), ("soon", None)]
)
def test_impact_typed_as_a_number_or_code_is_understood(typed: str, stored: str | None) -> None:
    """ "2", "p3" and "P1" are priorities; anything else is asked again."""
    chat = identified(demo_client(), "1016", requested_slot="priority")
    extracted(chat.user(typed), priority=typed)
    chat.run(ValidateReportForm(), active_loop="report_form")
    assert chat.slots["priority"] == stored


def test_a_too_short_description_is_asked_again_politely() -> None:
    """ "broken" is not a description; the user is asked for one sentence."""
    chat = identified(demo_client(), "1016", requested_slot="description")
    extracted(chat.user("broken"), description="broken")
    chat.run(ValidateReportForm(), active_loop="report_form")
    assert chat.slots["description"] is None and chat.said("One sentence")


def report(chat: Chat, product: str, priority: str = "P2", **slots: Any) -> Chat:
    chat.slots.update(product=product, description="Faxes are not sent any more", priority=priority)
    chat.slots.update(confirmed=True)  # the customer clicked "Yes, open it"
    chat.slots.update(slots)
    chat.user("/inform", "inform")
    chat.run(ActionSubmitReport())
    return chat


def test_a_gold_p2_ticket_is_opened_with_a_guaranteed_local_due_time() -> None:
    """Europe Gold P2 opened Tuesday 10:00 Rome: due 12:00 local, guaranteed; then "another?"."""
    chat = report(identified(demo_client(), "1013"), "Digital Fax")
    number = chat.slots["last_ticket"]
    assert chat.said(f"I've opened ticket {number} (P2 high) for Digital Fax")
    assert chat.said("Tuesday, November 24, 2026, 12:00") and chat.said("guaranteed by your plan")
    assert chat.texts()[-1].startswith("Is there another, separate problem?")
    with chat.client.uow() as uow:
        ticket = chat.client.own_ticket(uow, chat.client.contract(uow, "1013"), number)  # type: ignore[arg-type]
    assert ticket is not None and ticket.priority == "P2" and ticket.channel == "chat"


def test_the_due_time_is_given_in_the_customer_site_time_zone() -> None:
    """A Platinum contract whose site is in Berlin reads the due time on Berlin clocks."""
    chat = report(identified(demo_client(), "1031"), "UCX Platform", "P3")
    assert chat.said("(your local time, Europe/Berlin)")


def test_a_retried_submission_opens_one_ticket() -> None:
    """The same user turn submitted twice (a retried request) gives the same ticket."""
    chat = identified(demo_client(), "1013")
    chat.slots.update(product="Digital Fax", description="Faxes are not sent", priority="P2")
    chat.slots.update(confirmed=True)
    chat.user("/affirm", "affirm")
    first = dict(chat.slots)
    chat.run(ActionSubmitReport())
    number = chat.slots["last_ticket"]
    chat.slots.update(first)
    chat.run(ActionSubmitReport())
    assert chat.slots["last_ticket"] == number


def test_a_second_problem_gets_a_second_ticket() -> None:
    """After "yes, another problem" the next report is a separate ticket."""
    chat = report(identified(demo_client(), "1013"), "Digital Fax")
    first = chat.slots["last_ticket"]
    report(chat, "Call Recording", "P4")
    assert chat.slots["last_ticket"] != first


def test_an_optional_language_is_accepted_without_a_guaranteed_time() -> None:
    """French in Europe: the ticket is opened and the customer is told there is no guarantee."""
    chat = report(identified(demo_client(), "1013", language="fr"), "Digital Fax")
    assert chat.said("J'ai ouvert le ticket")
    assert chat.said("en français") or chat.said("n'est pas garanti")


def test_out_of_hours_the_ticket_says_when_the_office_opens() -> None:
    """Closed now: the ticket is still opened, with the next opening."""
    chat = report(identified(demo_client(CLOSED), "1013"), "Digital Fax")
    assert chat.said("Our office is closed right now; it opens again on Wednesday")


@pytest.mark.parametrize(
    ("code", "role", "product", "topic", "expected"),
    [
        ("1028", "admin", "Digital Fax", "product", "has expired"),
        ("1029", "admin", "Digital Fax", "product", "payment is overdue"),
        ("1031", "admin", "Legacy Billing", "product", "End of Support"),
        ("1002", "end_user", "Digital Fax", "product", "not from end users"),
        ("1001", "admin", "Digital Fax", "remote_session", "doesn't include remote sessions"),
        ("1013", "admin", "Digital Fax", "installation", "Professional Services"),
        ("1013", "admin", "USB Headset", "product", "manufacturer's warranty"),
        ("1013", "admin", "JAWS", "product", "third-party software"),
        ("1013", "admin", "Digital Fax", "onsite", "paid option"),
    ],
)
def test_refusals_and_redirects_explain_the_reason_and_the_next_step(
    code: str, role: str, product: str, topic: str, expected: str
) -> None:
    """The core's reason is explained in the user's language; no ticket is opened."""
    chat = report(identified(demo_client(), code, role=role), product, topic=topic)
    assert chat.said(expected), chat.texts()
    assert chat.slots.get("last_ticket") is None


def test_a_refusal_is_explained_once() -> None:
    """Asking again gets a short reminder, not the whole explanation."""
    chat = report(identified(demo_client(), "1028"), "Digital Fax")
    chat = report(chat, "Digital Fax")
    assert chat.texts() == [
        "As I mentioned, I can't open a ticket for this. Is there anything else I can help with?"
    ]


def test_the_transcript_has_both_sides_with_the_customer_code_masked() -> None:
    """User and bot turns are in the core transcript; a typed customer code is not."""
    chat = Chat(demo_client(), requested_slot="customer_code")
    extracted(chat.user("1016"), customer_code="1016")
    chat.run(ValidateReportForm(), active_loop="report_form")
    with chat.client.uow() as uow:
        transcript = uow.transcripts.get("chat", chat.sender)
    assert transcript is not None
    assert (transcript.turns[0].speaker, transcript.turns[0].text) == ("customer", "••••")


def test_a_token_user_reporting_gets_the_ticket_in_arabic() -> None:
    """Arabic conversation from a token with language "ar": the reply is right to left."""
    chat = Chat(demo_client()).user(
        "خادم الفاكس لا يعمل منذ الصباح",
        "report_problem",
        token=token("1019", "admin1019@customer.example", "ar"),
    )
    chat.slots.update(
        product="UCX Platform", description="خادم الفاكس لا يعمل منذ الصباح", priority="P2"
    )
    chat.slots.update(confirmed=True)
    chat.run(ActionSubmitReport())
    assert chat.texts()[0].startswith("\u200fقمت بفتح التذكرة")


def test_a_failing_case_submission_fails_the_action_instead_of_apologising(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The core raising while a ticket is opened surfaces as an action error (Rasa logs it and
    the server answers 500), never as a reply that looks like success."""
    chat = identified(demo_client(), "1013", product="UCX Platform", priority="P2")
    chat.slots.update(description="the switchboard drops every call", confirmed=True)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("store on fire")

    monkeypatch.setattr(CoreClient, "submit", broken)
    with pytest.raises(RuntimeError, match="store on fire"):
        chat.user("that is all", "inform").run(ActionSubmitReport())
    assert chat.replies == []


def test_a_clicked_button_is_in_the_transcript_as_its_title_not_its_payload() -> None:
    """Staff read what the customer saw and clicked ("P1 critical: ..."), not
    ``/inform{"priority": "P1"}``; a payload typed by hand with no such button stays as typed."""
    chat = identified(demo_client(), "1016")
    chat.user("the recording server is down", "report_problem")
    chat.run(AskPriority())
    clicked = chat.replies[0]["buttons"][0]
    assert clicked["payload"] == '/inform{"priority": "P1"}'
    chat.user(clicked["payload"])
    chat.run(AskPriority())
    chat.user('/inform{"priority": "P9"}')
    chat.run(AskPriority())
    with chat.client.uow() as uow:
        transcript = uow.transcripts.get("chat", chat.sender)
    assert transcript is not None
    said = [t.text for t in transcript.turns if t.speaker == "customer"]
    assert said == ["the recording server is down", clicked["title"], '/inform{"priority": "P9"}']


def test_a_chat_turn_that_decides_carries_the_decision_and_reason_in_the_transcript() -> None:
    """Like a phone turn: after what was said, a system line with the decision and its reason
    code, and one naming the ticket opened."""
    chat = report(identified(demo_client(), "1013"), "Digital Fax")
    number = chat.slots["last_ticket"]
    with chat.client.uow() as uow:
        transcript = uow.transcripts.get("chat", chat.sender)
    assert transcript is not None
    system = [(t.kind, t.text, t.reason) for t in transcript.turns if t.speaker == "system"]
    assert [(kind, text) for kind, text, _ in system] == [
        ("decision", "decision for P2: open_ticket"),
        ("ticket", f"ticket {number} opened (P2)"),
    ]
    assert all(reason for _, _, reason in system)
    assert (transcript.outcome, transcript.reason) == ("open_ticket", system[0][2])
