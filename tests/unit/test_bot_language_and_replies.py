"""The conversation language (provisional detector adapter) and the reply catalogues."""

from __future__ import annotations

import re

import pytest
import yaml

from bot import replies
from bot.language import LANGUAGES, detect, next_language

SENTENCES = {
    "it": "Il server fax non invia più i documenti da stamattina",
    "en": "The fax server has not been sending documents since this morning",
    "de": "Der Faxserver verschickt seit heute Morgen keine Dokumente mehr",
    "fr": "Le serveur de fax n'envoie plus de documents depuis ce matin",
    "es": "El servidor de fax no envía documentos desde esta mañana",
    "pt": "O servidor de fax não envia documentos desde esta manhã",
    "ar": "خادم الفاكس لا يرسل المستندات منذ هذا الصباح",
}


@pytest.mark.parametrize("code", LANGUAGES)
def test_a_sentence_is_detected_in_its_language(code: str) -> None:
    """Each of the seven languages is recognised from one sentence."""
    assert detect(SENTENCES[code])[0] == code


@pytest.mark.parametrize("short", ["ok", "0000018", "1016", "admin1016@customer.example", "P1"])
def test_a_short_message_keeps_the_conversation_language(short: str) -> None:
    """An "ok", a number or an e-mail address does not switch the language."""
    assert next_language("it", short, "de") == "it"


def test_a_full_sentence_in_another_language_switches() -> None:
    """A sentence in German switches an Italian conversation to German."""
    assert next_language("it", SENTENCES["de"], None) == "de"


def test_the_preferred_language_is_the_starting_point() -> None:
    """Before anything is said, the contact's preferred language is used."""
    assert next_language(None, "ok", "pt") == "pt"


def _placeholders(template: str) -> set[str]:
    return set(re.findall(r"{(\w+)}", template))


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_reply_exists_in_every_language_with_the_same_placeholders(code: str) -> None:
    """No key is missing or extra, and each template takes the same parameters as English."""
    english = replies.catalogue("en")
    other = replies.catalogue(code)
    assert set(other) == set(english)
    for key, template in english.items():
        assert _placeholders(other[key]) == _placeholders(template), key


@pytest.mark.parametrize("code", [c for c in LANGUAGES if c != "en"])
def test_replies_are_translated_not_copied(code: str) -> None:
    """Most replies differ from the English text (names and numbers aside)."""
    english = replies.catalogue("en")
    same = [k for k, v in replies.catalogue(code).items() if v == english[k]]
    assert len(same) <= 3, same


def test_arabic_replies_are_marked_right_to_left() -> None:
    """An Arabic reply starts with a right-to-left mark; others are left as they are."""
    assert replies.directed("ar", "مرحبا").startswith("\u200f")
    assert replies.directed("it", "Ciao") == "Ciao"


def test_an_unknown_language_is_answered_in_english() -> None:
    """A language outside the seven falls back to English (policy-notes "Languages")."""
    assert replies.text("nl", "goodbye") == replies.text("en", "goodbye")


def test_the_catalogue_files_are_plain_yaml_mappings() -> None:
    """Translators edit plain YAML: one string per key."""
    for code in LANGUAGES:
        data = yaml.safe_load((replies.MESSAGES_DIR / f"{code}.yml").read_text("utf-8"))
        assert all(isinstance(v, str) for v in data.values())
