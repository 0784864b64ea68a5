"""Who is calling: language menu, identification by code, role, end-user refusal, ticket status
of the caller's own contract, silence and invalid keys."""

from __future__ import annotations

from sqlalchemy import select

from core.adapters.orm import turns
from ivr.speakable import ticket_number

from .conftest import NUMBERS, Ivr
from .test_ivr_office_hours import outcome_of, stored_tickets

STRANGER = "+15005550006"


def test_language_menu_speaks_each_option_in_its_own_language_and_voice(ivr: Ivr) -> None:
    """Europe offers six languages: one key each, main first, each in its own voice."""
    answer = ivr.twilio.call(NUMBERS["europe"], STRANGER).start()
    options = answer.gather.findall("Say")
    assert [o.text for o in options][:2] == [
        "For English, say English or press 1.",
        "Per l'italiano, dica Italiano oppure prema 2.",
    ]
    assert [o.get("language") for o in options] == [
        "en-US",
        "it-IT",
        "fr-FR",
        "es-ES",
        "de-DE",
        "pt-PT",
    ]


def test_choosing_italian_asks_for_the_code_in_italian(ivr: Ivr) -> None:
    """Key 2 in Europe: Italian, with the Italian voice."""
    call = ivr.twilio.call(NUMBERS["europe"], STRANGER)
    call.start()
    answer = call.press("2")
    assert answer.said[0] == "Inserisca il suo codice cliente, poi prema il tasto cancelletto."
    assert answer.gather.get("finishOnKey") == "#"


def test_silence_at_the_language_menu_picks_the_first_main_language(ivr: Ivr) -> None:
    """No key: English, the first main language of Europe."""
    call = ivr.twilio.call(NUMBERS["europe"], STRANGER)
    call.start()
    assert call.silence().said[0] == "Please enter your customer code, then press the hash key."


def test_middle_east_caller_is_greeted_in_arabic_with_the_arabic_voice(ivr: Ivr) -> None:
    """A registered Arabic-speaking contact hears Arabic (Polly Hala, arb)."""
    ivr.clock.set("2026-11-23T10:00:00+04:00")
    answer = ivr.twilio.call(NUMBERS["middle_east"], ivr.phone_of("1020")).start()
    assert answer.voices[0] == ("Polly.Hala-Neural", "arb")
    assert answer.said[0] == "شكرًا لاتصالك بخدمة الدعم."


def test_unknown_number_uses_the_default_theatre(ivr: Ivr) -> None:
    """A call to a number that is no theatre's gets Europe's language menu."""
    answer = ivr.twilio.call("+442000000000", STRANGER).start()
    assert len(answer.gather.findall("Say")) == 6


def test_unknown_caller_with_three_wrong_codes_hears_the_help_center_and_is_hung_up(
    ivr: Ivr,
) -> None:
    """Three wrong customer codes: help-center address and hang up."""
    call = ivr.twilio.call(NUMBERS["americas"], STRANGER)
    ivr.clock.set("2026-11-23T10:00:00-05:00")
    call.start()
    call.press("1")
    call.press("9999")
    call.press("8888")
    answer = call.press("7777")
    assert "https://support.example.com" in answer.text
    assert answer.hangs_up
    assert outcome_of(ivr.fd, call.sid) == ("refuse", "unknown_contract")


def test_customer_code_digits_are_masked_in_the_transcript(ivr: Ivr) -> None:
    """The code typed is stored as bullets."""
    call = ivr.twilio.call(NUMBERS["americas"], STRANGER)
    ivr.clock.set("2026-11-23T10:00:00-05:00")
    call.start()
    call.press("1")
    call.press("1004")
    with ivr.fd.engine.connect() as connection:
        lines = [row.text for row in connection.execute(select(turns))]
    assert "••••" in lines
    assert "1004" not in lines


def test_identified_stranger_is_asked_the_role_then_gets_the_menu(ivr: Ivr) -> None:
    """A code from an unregistered number: role question, 1 = administrator, then menu."""
    call = ivr.twilio.call(NUMBERS["americas"], STRANGER)
    ivr.clock.set("2026-11-23T10:00:00-05:00")
    call.start()
    call.press("1")
    assert call.press("1004").gather_action.startswith("/ivr/role")
    assert call.press("1").gather_action.startswith("/ivr/menu")


def test_end_user_without_add_on_is_kindly_refused_and_the_call_ends(ivr: Ivr) -> None:
    """Contract 1002 has no end-user add-on: ask the IT administrator or reseller, hang up."""
    ivr.clock.set("2026-11-23T10:00:00-05:00")
    call = ivr.twilio.call(NUMBERS["americas"], ivr.phone_of("1002", role="end_user"))
    answer = call.start()
    assert "administrador de informática o a su distribuidor" in answer.text  # Spanish contact
    assert answer.hangs_up
    assert outcome_of(ivr.fd, call.sid) == ("refuse", "end_user_not_covered")


def test_end_user_chosen_by_key_without_add_on_is_refused(ivr: Ivr) -> None:
    """Key 2 at the role question on a contract without the add-on: refused."""
    call = ivr.twilio.call(NUMBERS["americas"], STRANGER)
    ivr.clock.set("2026-11-23T10:00:00-05:00")
    call.start()
    call.press("1")
    call.press("1004")  # Gold perpetual: no add-on
    assert call.press("2").hangs_up


def test_end_user_with_add_on_gets_the_menu(ivr: Ivr) -> None:
    """Gold subscription (1005) has the add-on: the end user may open a ticket."""
    ivr.clock.set("2026-11-23T10:00:00-05:00")
    call = ivr.twilio.call(NUMBERS["americas"], ivr.phone_of("1005", role="end_user"))
    assert call.start().gather_action.startswith("/ivr/menu")


def test_expired_contract_is_refused_with_its_reason(ivr: Ivr) -> None:
    """Contract 1028 expired: the caller is told, and the call ends."""
    call = ivr.twilio.call(NUMBERS["europe"], STRANGER)
    call.start()
    call.press("1")
    call.press("1028")
    answer = call.press("1")
    assert "expired" in answer.text
    assert answer.hangs_up


def _open_ticket(ivr: Ivr, code: str) -> str:
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of(code))
    call.start()
    call.press("1")
    call.press("2")
    return str(stored_tickets(ivr.fd)[-1].number)


def test_ticket_status_of_own_contract_is_read(ivr: Ivr) -> None:
    """Menu 2, own ticket number: status and due time."""
    number = _open_ticket(ivr, "1013")
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1013"))
    call.start()
    assert call.press("2").gather_action.startswith("/ivr/ticket")
    answer = call.press(number)
    assert (
        f"Ticket {ticket_number(number, 'en')} is open, "
        "waiting for a support engineer to pick it up." in answer.said
    )
    assert answer.hangs_up


def test_ticket_of_another_contract_is_not_revealed(ivr: Ivr) -> None:
    """Another contract's ticket sounds exactly like an unknown number."""
    number = _open_ticket(ivr, "1016")
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1013"))
    call.start()
    call.press("2")
    answer = call.press(number)
    assert answer.said[0] == "Sorry, we found no ticket with that number on your contract."
    assert answer.gather_action.startswith("/ivr/ticket")


def test_silence_is_asked_again_twice_then_the_call_ends_politely(ivr: Ivr) -> None:
    """Menu without an answer: asked again twice, then goodbye and hang up."""
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1013"))
    call.start()
    assert call.silence().gather_action.startswith("/ivr/menu")
    assert call.silence().gather_action.startswith("/ivr/menu")
    answer = call.silence()
    assert answer.hangs_up
    assert answer.gather is None
    assert outcome_of(ivr.fd, call.sid) == ("no_input", "menu")


def test_invalid_key_is_said_and_asked_again(ivr: Ivr) -> None:
    """Key 7 at the menu: "did not understand", menu again."""
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of("1013"))
    call.start()
    answer = call.press("7")
    assert answer.said[0] == "Sorry, we did not understand your choice."
    assert answer.gather_action.startswith("/ivr/menu")
