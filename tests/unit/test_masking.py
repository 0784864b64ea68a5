"""Customer codes never reach a transcript in clear (security perimeter #7)."""

from __future__ import annotations

from bot.actions.forms import ValidateReportForm
from core.services import mask_customer_codes
from core.services.tickets import ticket_number

from .bot_kit import Chat, demo_client, extracted


def test_every_run_of_4_to_8_digits_is_masked_but_a_ticket_number_is_not() -> None:
    """4-8 digit runs go; a valid ticket number, shorter and longer runs stay as written."""
    ticket = ticket_number(18)
    text = f"code 1013, ticket {ticket}, P1 since 2026, id 12345678, call +390584943232"
    assert mask_customer_codes(text) == (
        f"code ••••, ticket {ticket}, P1 since ••••, id ••••••••, call +390584943232"
    )


def test_a_known_code_is_masked_whatever_its_length_even_when_it_looks_like_a_ticket() -> None:
    """The look-up masks a 3-digit or a 12-digit code, and a code that passes the Luhn check."""
    ticket_like = ticket_number(42)
    known = {"101", "123456789012", ticket_like}
    text = f"contract 101, 123456789012 or {ticket_like}; ticket {ticket_number(43)}"
    masked = mask_customer_codes(text, known.__contains__)
    assert masked == f"contract •••, •••••••••••• or •••••••; ticket {ticket_number(43)}"


def test_a_customer_code_volunteered_outside_the_code_question_is_masked_in_the_chat() -> None:
    """ "My contract is 1016 and ticket N is late", typed while the bot asks for the product:
    the transcript keeps the ticket number and masks the code (before: stored in clear)."""
    chat = Chat(demo_client(), requested_slot="product")
    ticket = ticket_number(18)
    text = f"my contract is 1016 and ticket {ticket} is late"
    extracted(chat.user(text), product=text)  # the form's free-text mapping took it
    chat.run(ValidateReportForm(), active_loop="report_form")
    with chat.client.uow() as uow:
        transcript = uow.transcripts.get("chat", chat.sender)
    assert transcript is not None
    assert transcript.turns[0].text == f"my contract is •••• and ticket {ticket} is late"
