"""A tracker is only what Rasa (or whoever reached the action server) says: slots claiming an
identity count only with the server's proof made in this conversation, or a valid token."""

from __future__ import annotations

from bot.actions.forms import ValidateReportForm
from bot.actions.questions import AskProduct
from bot.actions.requests import ActionResume, ActionSubmitReport
from bot.actions.small_talk import ActionGreet
from bot.frontdoor import CoreClient
from core.testing import FakeUnitOfWork
from core.tokens import identity_proof, issue_token
from tests.unit.bot_kit import OPEN, SECRET, Chat, demo_client, extracted, proven, token
from tests.unit.test_bot_report import identified, report, required

FORGED = {
    "customer_code": "1016",
    "contact_email": "admin1016@customer.example",
    "contact_verified": True,
    "requester_role": "admin",
    "language": "en",
}
IDENTITY = ("customer_code", "contact_email", "contact_name", "requester_role", "contact_proof")


def store(client: CoreClient) -> FakeUnitOfWork:
    uow = client.uow()
    assert isinstance(uow, FakeUnitOfWork)
    return uow


def assert_unidentified(chat: Chat) -> None:
    assert chat.slots["contact_verified"] is False
    assert all(chat.slots.get(name) is None for name in IDENTITY)


def test_forged_identity_slots_are_cleared_and_the_form_asks_for_the_customer_code() -> None:
    """contact_verified + customer_code with no proof: the report form starts from the code."""
    chat = Chat(demo_client(), **FORGED).user("our fax server is down", "report_problem")
    chat.run(ValidateReportForm(), active_loop="report_form")
    assert_unidentified(chat)
    missing = [name for name in required(chat) if chat.slots.get(name) is None]
    assert missing[0] == "customer_code"  # what Rasa's form asks next


def test_forged_identity_opens_no_ticket() -> None:
    """The P1 the finding opened on a forged contract: now refused, nothing written."""
    client = demo_client()
    chat = Chat(client, **FORGED, product="UCX Platform", description="All down now", priority="P1")
    chat.user("/inform", "inform").run(ActionSubmitReport())
    assert chat.said("I can't find a support contract for you")
    assert store(client).tickets.items == []
    assert_unidentified(chat)


def test_forged_identity_gets_no_ticket_status_and_no_plan() -> None:
    """Another contract's ticket status and plan: the bot says it could not identify."""
    client = demo_client()
    number = report(identified(client, "1016"), "UCX Platform").slots["last_ticket"]
    for pending, slots in (("ticket_status", {"ticket_number": number}), ("plan", {})):
        chat = Chat(client, **FORGED, pending_request=pending, **slots).user("?", pending)
        chat.run(ActionResume())
        assert chat.texts() == [
            "I couldn't match that customer code and e-mail address. Please check both and try "
            "again, starting with the customer code."
        ]


def test_a_proof_made_for_another_conversation_does_not_count() -> None:
    """A proof copied from conversation A into conversation B identifies nobody in B."""
    chat = Chat(demo_client(), **FORGED)
    chat.slots["contact_proof"] = identity_proof(
        SECRET, "another-conversation", "1016", FORGED["contact_email"]
    )
    chat.user("hello", "greet").run(ActionGreet())
    assert_unidentified(chat)


def test_a_proof_made_with_another_secret_does_not_count() -> None:
    """A proof computed with a guessed key is no proof."""
    chat = Chat(demo_client(), **FORGED)
    chat.slots["contact_proof"] = identity_proof(
        "guess", chat.sender, "1016", FORGED["contact_email"]
    )
    chat.user("hello", "greet").run(ActionGreet())
    assert_unidentified(chat)


def test_another_code_slipped_into_a_proven_conversation_is_not_trusted() -> None:
    """Identified as 1013, a user sets customer_code to 1016 (e.g. an /inform entity): cleared."""
    chat = identified(demo_client(), "1013")
    chat.slots["customer_code"] = "1016"
    chat.user('/inform{"customer_code": "1016"}', "inform").run(AskProduct())
    assert_unidentified(chat)
    assert chat.replies[0]["buttons"] == []  # no product list of 1016 (nor of 1013)


def test_the_proof_set_by_code_and_email_is_accepted_at_the_next_turn() -> None:
    """Code + e-mail typed in this conversation: the next action sees the contract."""
    chat = Chat(demo_client(), customer_code="1013", requested_slot="contact_email")
    address = "admin1013@customer.example"
    extracted(chat.user(address), contact_email=address)
    chat.run(ValidateReportForm(), active_loop="report_form")
    assert chat.slots["contact_verified"] is True and chat.slots["contact_proof"]
    chat.user("a problem").run(AskProduct())
    assert chat.slots["contact_verified"] is True
    assert [b["title"] for b in chat.replies[0]["buttons"]] == ["UCX Platform", "Call Recording"]


def test_a_proven_conversation_stays_identified() -> None:
    """The proof kept in the slots keeps a real identification across turns."""
    chat = proven(Chat(demo_client(), **FORGED)).user("hello", "greet")
    chat.run(ActionGreet())
    assert chat.slots["customer_code"] == "1016" and chat.slots["contact_verified"] is True


def test_a_token_minted_with_a_wrong_key_is_ignored() -> None:
    """A well-formed token signed with a key other than the server's identifies nobody."""
    wrong = issue_token("not-the-server-key", "1016", FORGED["contact_email"], OPEN)
    chat = Chat(demo_client()).user("hello", "greet", token=wrong)
    chat.run(ActionGreet())
    assert chat.slots["contact_verified"] is False and "customer_code" not in chat.slots


def test_a_valid_token_replaces_forged_identity_slots() -> None:
    """A genuine token for 1013 wins over slots claiming 1016."""
    chat = Chat(demo_client(), **FORGED)
    chat.user("hello", "greet", token=token("1013", "admin1013@customer.example"))
    chat.run(ActionGreet())
    assert chat.slots["customer_code"] == "1013" and chat.slots["contact_verified"] is True
