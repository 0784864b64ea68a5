"""Language of a message and of a conversation (core.language)."""

from __future__ import annotations

import pytest

from core.language import (
    LANGUAGES,
    Detection,
    detect,
    detector_for,
    language_words,
    next_language,
)

PRODUCTS = ("Call Recording", "Speech Enabled Auto Attendant", "JAWS", "Microsoft Teams")

SENTENCES = [
    ("it", "Buongiorno, il centralino è fermo da stamattina e nessuno riesce a telefonare"),
    ("en", "Good morning, our phone system has been down since this morning"),
    ("de", "Guten Morgen, unsere Telefonanlage ist seit heute früh ausgefallen"),
    ("fr", "Bonjour, notre standard téléphonique est en panne depuis ce matin"),
    ("es", "Buenos días, la centralita no funciona desde esta mañana"),
    ("pt", "Bom dia, o nosso sistema telefónico está em baixo desde hoje de manhã"),
    ("pt", "Oi, a central telefônica parou de funcionar hoje cedo, vocês podem ajudar?"),
    ("ar", "صباح الخير، نظام الهاتف متوقف منذ الصباح"),
]


@pytest.mark.parametrize("engine", ["lingua", "langdetect"])
@pytest.mark.parametrize(("code", "text"), SENTENCES)
def test_both_engines_recognise_a_sentence_in_each_language(
    engine: str, code: str, text: str
) -> None:
    """A full sentence is attributed to its language by either engine, with high confidence."""
    detection = detect(text, engine=engine)
    assert detection.code == code
    assert detection.confidence >= 0.6


@pytest.mark.parametrize("engine", ["lingua", "langdetect"])
@pytest.mark.parametrize("text", ["", "1016", "0001234 !!", "   "])
def test_text_without_letters_has_no_language(engine: str, text: str) -> None:
    """Digits and punctuation carry no language: code None, confidence 0."""
    assert detect(text, engine=engine) == Detection(None, 0.0)


@pytest.mark.parametrize("engine", ["lingua", "langdetect"])
def test_detection_never_leaves_the_seven_languages(engine: str) -> None:
    """Dutch, Russian or Japanese are reported as one of the seven, never as themselves."""
    for text in (
        "Goedemorgen, de telefooncentrale werkt niet",
        "Доброе утро",
        "おはようございます",
    ):
        assert detect(text, engine=engine).code in (*LANGUAGES, None)


def test_langdetect_is_repeatable() -> None:
    """Seeded, langdetect gives the same answer to the same short text every time."""
    answers = {detect("obrigado pela ajuda", engine="langdetect") for _ in range(5)}
    assert len(answers) == 1


def test_unknown_engine_is_refused() -> None:
    """Asking for an engine that does not exist names the valid ones."""
    with pytest.raises(ValueError, match="lingua, langdetect"):
        detector_for("cld3")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("il mio codice è 1016", ["il", "mio", "codice", "è"]),
        ("scrivete a mario.rossi@acme.it grazie", ["scrivete", "a", "grazie"]),
        ("Call Recording non registra", ["non", "registra"]),
        ("speech enabled auto attendant", []),
        ("vedi https://example.com/x ticket #0001234", ["vedi", "ticket"]),
        ("l'operatore c'è", ["l'operatore", "c'è"]),
        ("النظام متوقف 1016", ["النظام", "متوقف"]),
    ],
)
def test_language_words_leave_out_codes_emails_links_and_products(
    text: str, words: list[str]
) -> None:
    """Only words that say something about the language are kept."""
    assert language_words(text, ignore=PRODUCTS) == words


@pytest.mark.parametrize(
    ("current", "preferred", "text", "expected"),
    [
        # the conversation keeps its language on short or language-less messages
        ("it", None, "ok", "it"),
        ("it", None, "yes", "it"),
        ("de", None, "1016", "de"),
        ("fr", None, "0001234", "fr"),
        ("es", None, "maria.lopez@empresa.es", "es"),
        ("it", None, "Call Recording", "it"),
        ("it", None, "Speech Enabled Auto Attendant", "it"),
        ("pt", None, "thank you", "pt"),
        ("ar", None, "ok thanks", "ar"),
        ("en", None, "grazie mille", "en"),
        # a full sentence in another language switches it
        ("it", None, "I still cannot log in to the console", "en"),
        ("en", None, "la consola sigue sin funcionar desde ayer", "es"),
        ("en", None, "النظام لا يعمل منذ الصباح", "ar"),
        ("de", None, "je n'arrive toujours pas à envoyer les fax", "fr"),
        # a sentence in the current language keeps it
        ("it", None, "il fax non invia più niente da ieri", "it"),
        # the contact's preferred language is the starting point
        (None, "de", "ok", "de"),
        (None, "fr", "1016", "fr"),
        (None, "pt", "the recordings are missing since yesterday", "en"),
        (None, None, "buongiorno, ho un problema con il fax", "it"),
        # nothing to go on: English, the policy's fallback
        (None, None, "1016", "en"),
        # a language outside the seven is no starting point
        ("nl", "sv", "ok", "en"),
    ],
)
def test_next_language_switches_only_on_a_sentence_in_another_language(
    current: str | None, preferred: str | None, text: str, expected: str
) -> None:
    """Inertia: one word, a code, an e-mail or a product name never switch; a sentence does."""
    assert next_language(current, text, preferred, ignore=PRODUCTS) == expected


def test_next_language_keeps_the_language_when_the_detector_is_unsure() -> None:
    """A long message detected with low confidence does not switch the conversation."""

    def unsure(text: str) -> Detection:
        return Detection("es", 0.4)

    assert next_language("pt", "uma frase bastante ambígua aqui", detector=unsure) == "pt"
    assert (
        next_language("pt", "uma frase bastante ambígua aqui", detector=unsure, min_confidence=0.3)
        == "es"
    )


def test_next_language_counts_words_without_products() -> None:
    """Three words are needed once product names are removed (min_words is a parameter)."""

    def english(text: str) -> Detection:
        return Detection("en", 0.99)

    assert next_language("it", "JAWS stopped working", detector=english, ignore=PRODUCTS) == "it"
    assert next_language("it", "JAWS stopped working", detector=english, min_words=2) == "en"
