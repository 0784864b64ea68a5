"""Who is chatting: a signed Help Center token, or customer code + a registered e-mail."""

from __future__ import annotations

from bot.actions.forms import ValidateReportForm
from bot.actions.questions import AskCustomerCode
from bot.actions.small_talk import ActionGreet
from tests.unit.bot_kit import Chat, demo_client, extracted, token


def test_a_valid_token_identifies_the_contact_without_questions() -> None:
    """The logged-in contact's contract, name, role and language come from the token."""
    chat = Chat(demo_client()).user(
        "hello", "greet", token=token("1016", "admin1016@customer.example", "it")
    )
    chat.run(ActionGreet())
    assert chat.slots["customer_code"] == "1016"
    assert chat.slots["contact_verified"] is True
    assert chat.slots["requester_role"] == "admin"
    assert chat.said("Buongiorno Admin 1016")


def test_a_forged_token_is_ignored() -> None:
    """A token not signed with the configured secret identifies nobody."""
    forged = token("1016", "admin1016@customer.example")[:-3] + "abc"
    chat = Chat(demo_client()).user("hello there", "greet", token=forged)
    chat.run(ActionGreet())
    assert "customer_code" not in chat.slots
    assert chat.slots["contact_verified"] is False


def test_an_expired_token_is_ignored() -> None:
    """A token past its expiry identifies nobody."""
    chat = Chat(demo_client()).user(
        "hi", "greet", token=token("1016", "admin1016@customer.example", ttl_minutes=-1)
    )
    chat.run(ActionGreet())
    assert chat.slots["contact_verified"] is False


def test_a_token_for_an_address_not_on_the_contract_is_ignored() -> None:
    """Even a genuine token only counts when the e-mail is a contact of that contract."""
    chat = Chat(demo_client()).user(
        "hi", "greet", token=token("1016", "admin1001@customer.example")
    )
    chat.run(ActionGreet())
    assert chat.slots["contact_verified"] is False


def test_without_a_token_the_bot_asks_for_the_customer_code() -> None:
    """The first question of a report is the customer code, in the user's language."""
    chat = Chat(demo_client()).user("Il server fax è fermo da stamattina", "report_problem")
    chat.run(AskCustomerCode())
    assert chat.said("codice cliente")


def test_code_and_registered_email_identify_the_customer() -> None:
    """A matching pair verifies the contact and takes the role from the contact record."""
    chat = Chat(demo_client(), customer_code="1002", requested_slot="contact_email")
    extracted(
        chat.user("operator1002@customer.example"), contact_email="operator1002@customer.example"
    )
    chat.run(ValidateReportForm(), active_loop="report_form")
    assert chat.slots["contact_verified"] is True
    assert chat.slots["requester_role"] == "end_user"
    assert chat.said("Demo 1002")


def test_a_wrong_email_or_a_wrong_code_gets_the_same_answer() -> None:
    """Nothing about the contract is revealed until both match; both slots are asked again."""
    answers = []
    for code, address in (("1016", "someone@else.example"), ("9999", "admin1016@customer.example")):
        chat = Chat(demo_client(), customer_code=code, requested_slot="contact_email")
        extracted(chat.user(address), contact_email=address)
        chat.run(ValidateReportForm(), active_loop="report_form")
        assert chat.slots["customer_code"] is None and chat.slots["contact_email"] is None
        assert chat.slots["contact_verified"] is False
        answers.append(chat.texts())
    assert answers[0] == answers[1]
    assert not any("Demo" in t for t in answers[0])


def test_a_customer_code_must_be_four_to_eight_digits() -> None:
    """ "abc" is refused with a hint, "my code is 1016" is understood."""
    chat = Chat(demo_client(), requested_slot="customer_code")
    extracted(chat.user("abc"), customer_code="abc")
    chat.run(ValidateReportForm(), active_loop="report_form")
    assert chat.slots["customer_code"] is None and chat.said("4 to 8 digits")
    extracted(chat.user("my code is 1016"), customer_code="my code is 1016")
    chat.run(ValidateReportForm(), active_loop="report_form")
    assert chat.slots["customer_code"] == "1016"


def test_a_button_payload_does_not_switch_the_language() -> None:
    """Clicking "P2" sends "/inform{...}": the conversation stays in French."""
    chat = Chat(demo_client(), language="fr").user('/inform{"priority": "P2"}')
    chat.run(ActionGreet())
    assert chat.slots["language"] == "fr" and chat.said("Bonjour")


def test_a_conversation_that_keeps_guessing_is_told_to_wait() -> None:
    """After three wrong pairs for a code the next try, even the right one, is not checked: the
    bot says to try again later or sign in, and asks again; the counts live in the core's store,
    so a new conversation does not start afresh."""
    client = demo_client()
    for i in range(4):
        address = f"guess{i}@customer.example"
        chat = Chat(client, customer_code="1002", requested_slot="contact_email")
        extracted(chat.user(address), contact_email=address)
        chat.run(ValidateReportForm(), active_loop="report_form")
    right = "operator1002@customer.example"
    chat = Chat(client, customer_code="1002", requested_slot="contact_email")
    extracted(chat.user(right), contact_email=right)
    chat.run(ValidateReportForm(), active_loop="report_form")
    assert chat.said("Too many attempts")
    assert chat.slots["contact_verified"] is False
