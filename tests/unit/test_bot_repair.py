"""Repair in the chat: a new report starts clean, the customer confirms what will be opened,
"never mind" opens nothing, a question inside a form is answered, and urgency at night is
routed to the on-call line for those who may use it."""

from __future__ import annotations

import pytest

from bot.actions.questions import AskConfirmed
from bot.actions.repair import ActionAnswerQuestion, ActionCancel, ActionNewReport
from bot.actions.requests import ActionResume
from tests.unit.bot_kit import CLOSED, OPEN, Chat, demo_client, extracted
from tests.unit.test_bot_report import identified, report, required


def test_a_second_ticket_never_inherits_the_first_ones_priority() -> None:
    """A P1 ticket, then "the fax doesn't send" with no impact: the priority is asked again."""
    chat = report(identified(demo_client(), "1013"), "Digital Fax", "P1")
    assert chat.slots["last_ticket"] and chat.slots["priority"] is None
    extracted(chat.user("the fax server doesn't send anything", "report_problem"), priority="P1")
    chat.run(ActionNewReport())
    assert chat.slots["priority"] is None and chat.slots["product"] is None
    assert required(chat)[-4:] == ["product", "description", "priority", "confirmed"]


def test_a_new_report_keeps_what_its_own_message_says() -> None:
    """ "Digital Fax is down, critical": product and impact of that message are kept."""
    chat = identified(demo_client(), "1013", priority="P4", product="UCX Platform")
    chat.user("Digital Fax is down, critical", "report_problem")
    chat.latest["entities"] = [
        {"entity": "product", "value": "Digital Fax"},
        {"entity": "priority", "value": "P1"},
    ]
    extracted(chat, product="Digital Fax", priority="P1")
    chat.run(ActionNewReport())
    assert (chat.slots["product"], chat.slots["priority"]) == ("Digital Fax", "P1")


def test_the_customer_sees_what_will_be_opened_with_two_buttons() -> None:
    chat = identified(demo_client(), "1013", language="it", product="Digital Fax", priority="P2")
    chat.slots["description"] = "il fax non parte più da stamattina " + "e non so perché " * 10
    chat.user("2", "inform").run(AskConfirmed())
    text = chat.texts()[0]
    assert "Prodotto: Digital Fax" in text and "Priorità: P2 alta" in text
    problem = next(line for line in text.splitlines() if line.startswith("Problema:"))
    assert problem.startswith("Problema: il fax non parte") and len(problem) < 100
    buttons = chat.replies[0]["buttons"]
    assert [(b["title"], b["payload"]) for b in buttons] == [
        ("Sì, aprilo", "/affirm"),
        ("No, non aprirlo", "/deny"),
    ]


@pytest.mark.parametrize("confirmed", [False, None])
def test_nothing_is_opened_without_the_customers_yes(confirmed: bool | None) -> None:
    chat = report(identified(demo_client(), "1013"), "Digital Fax", confirmed=confirmed)
    assert chat.slots.get("last_ticket") is None
    assert chat.texts() == [
        "All right, nothing has been opened. If you like, describe the problem again."
    ]
    assert chat.slots["priority"] is None and chat.slots["confirmed"] is None
    with chat.client.uow() as uow:
        transcript = uow.transcripts.get("chat", chat.sender)
    assert transcript is not None
    assert (transcript.outcome, transcript.reason) == ("abandoned", "declined")


def test_never_mind_inside_the_form_ends_it_with_nothing_opened() -> None:
    chat = identified(demo_client(), "1013", language="it", product="UCX Platform", priority="P1")
    chat.slots["description"] = "per quali sono i vostri orari?"
    chat.user("lascia stare, era solo una domanda sugli orari", "cancel")
    chat.run(ActionCancel(), active_loop="report_form")
    assert chat.texts() == ["Va bene, mi fermo qui: non ho aperto nulla. Posso aiutarla in altro?"]
    assert {"event": "active_loop", "name": None, "timestamp": None} in chat.returned
    assert all(chat.slots[s] is None for s in ("product", "description", "priority"))
    assert chat.slots.get("last_ticket") is None
    with chat.client.uow() as uow:
        transcript = uow.transcripts.get("chat", chat.sender)
    assert transcript is not None
    assert (transcript.outcome, transcript.reason) == ("abandoned", "cancelled")


def test_a_question_inside_the_form_is_answered_and_starts_nothing() -> None:
    chat = identified(demo_client(CLOSED), "1016", language="it")
    chat.user("quali sono i vostri orari?", "ask_hours")
    chat.run(ActionAnswerQuestion(), active_loop="report_form")
    assert chat.said("Adesso siamo chiusi") and chat.said("Orari d'ufficio per l'Europa")
    chat.user("voglio parlare con un tecnico", "human_handoff")
    chat.run(ActionAnswerQuestion(), active_loop="report_form")
    assert not [e for e in chat.returned if e.get("event") == "followup"]


def test_asking_for_a_person_inside_the_form_in_office_hours_hands_off_and_ends_the_form() -> None:
    chat = identified(demo_client(OPEN), "1016")
    chat.user("I want to talk to a person", "human_handoff")
    chat.run(ActionAnswerQuestion(), active_loop="report_form")
    assert chat.said("I'm passing you to one of our agents now")
    assert {"event": "pause", "timestamp": None} in chat.returned
    assert {"event": "active_loop", "name": None, "timestamp": None} in chat.returned


def test_a_question_before_identification_is_answered_after_it() -> None:
    chat = Chat(demo_client()).user("what are your hours?", "ask_hours")
    chat.run(ActionAnswerQuestion(), active_loop="report_form")
    assert chat.texts() == ["I can answer that once you're identified. Let's finish this first."]


def test_a_status_question_inside_the_form_uses_the_last_ticket() -> None:
    chat = report(identified(demo_client(), "1013"), "Digital Fax")
    number = chat.slots["last_ticket"]
    chat.user("any news on my ticket?", "ticket_status")
    chat.run(ActionAnswerQuestion(), active_loop="report_form")
    assert chat.said(f"Ticket {number} (P2 high)")


# (case, contract, contact role, clock, what the customer is told)
ON_CALL = [
    ("platinum admin at night", "1016", "admin", CLOSED, "call +"),
    ("platinum admin in hours", "1016", "admin", OPEN, "Our team is at work now"),
    ("gold admin at night", "1013", "admin", CLOSED, "Your Gold plan has no out-of-hours"),
    ("platinum end user at night", "1017", "end_user", CLOSED, "not end users"),
    ("platinum in Sydney at night", "1032", "admin", CLOSED, "Asia-Pacific"),
]


@pytest.mark.parametrize(
    ("case", "code", "role", "now", "told"), ON_CALL, ids=[c[0] for c in ON_CALL]
)
def test_is_anyone_on_call_gets_the_line_or_why_not_and_when_we_open(
    case: str, code: str, role: str, now: object, told: str
) -> None:
    chat = identified(demo_client(now), code, role=role, pending_request="ask_on_call")  # type: ignore[arg-type]
    chat.user("it's very urgent, is anyone on call tonight?", "ask_on_call").run(ActionResume())
    assert chat.said(told), chat.texts()
    if told == "call +":
        assert chat.said("PIN") and chat.said("English only")
    elif now is CLOSED:
        assert chat.said("We open again on")


def test_a_platinum_p1_by_chat_at_night_is_pointed_to_the_on_call_line() -> None:
    chat = report(identified(demo_client(CLOSED), "1016"), "UCX Platform", "P1")
    assert chat.said("I've opened ticket") and chat.said("enter your contract's PIN")


def test_a_gold_p1_by_chat_at_night_gets_no_on_call_line() -> None:
    chat = report(identified(demo_client(CLOSED), "1013"), "UCX Platform", "P1")
    assert chat.said("I've opened ticket") and not chat.said("PIN")
