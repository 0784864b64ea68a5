"""ivr/speech.py: what a caller's words mean at each question, language by language."""

from __future__ import annotations

import pytest

from core.policy import load_policy
from ivr import speech
from ivr.prompts import load_prompts

LANGS = ("en", "it", "de", "fr", "es", "pt", "ar")


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("one zero one three", "1013"),
        ("uno due tre", "123"),
        ("eins zwei drei", "123"),
        ("zwo", "2"),
        ("un deux trois", "123"),
        ("uno dos tres", "123"),
        ("um dois três", "123"),
        ("واحد اثنان ثلاثة", "123"),
        ("واحد وثلاثة", "13"),
        ("١٠١٣", "1013"),
        ("۱۰۱۳", "1013"),
        ("1013.", "1013"),
        ("10 13", "1013"),
        ("1,013", "1013"),
        ("My code is one zero one three", "1013"),
        ("zéro zero cero صفر", "0000"),
        ("hello", None),
        ("", None),
        ("1" * 33, None),
    ],
)
def test_spoken_digits_are_normalised_in_every_language(said: str, expected: str | None) -> None:
    assert speech.digits(said) == expected


def test_a_digit_word_means_the_same_digit_in_every_language() -> None:
    seen: dict[str, str] = {}
    for table in speech.DIGIT_WORDS.values():
        for word, digit in table.items():
            key = " ".join(speech.normalise(word))
            assert seen.setdefault(key, digit) == digit, word
    assert set(speech.DIGIT_WORDS) == set(LANGS)


CASES = [
    # question, language, said, key
    ("priority", "en", "Critical", "1"),
    ("priority", "en", "it is high", "2"),
    ("priority", "it", "critico", "1"),
    ("priority", "it", "Priorità bassa.", "4"),
    ("priority", "de", "Kritisch", "1"),
    ("priority", "de", "mittel", "3"),
    ("priority", "fr", "élevée", "2"),
    ("priority", "es", "CRÍTICA", "1"),
    ("priority", "pt", "média", "3"),
    ("priority", "ar", "حرجة", "1"),
    ("priority", "ar", "الأولوية منخفضة", "4"),
    ("priority", "de", "zwei", "2"),  # a digit said alone
    ("priority", "it", "4", "4"),
    ("priority", "en", "critical or low", None),  # two choices: not understood
    ("priority", "en", "one problem", None),  # a digit inside a sentence is not a key
    ("priority", "it", "boh", None),
    ("menu", "en", "a new problem", "1"),
    ("menu", "en", "ticket status please", "2"),
    ("menu", "it", "nuovo problema", "1"),
    ("menu", "de", "neues Problem", "1"),
    ("menu", "es", "problema nuevo", "1"),
    ("menu", "ar", "حالة الطلب", "2"),
    ("role", "en", "end user", "2"),
    ("role", "it", "amministratore", "1"),
    ("role", "de", "Endanwender", "2"),
    ("role", "ar", "المستخدم النهائي", "2"),
    ("role", "ar", "مدير النظام", "1"),
    ("yes_no", "en", "yes", "1"),
    ("yes_no", "it", "sì", "1"),
    ("yes_no", "it", "Si, esatto", "1"),
    ("yes_no", "de", "nein", "2"),
    ("yes_no", "fr", "oui", "1"),
    ("yes_no", "pt", "não", "2"),
    ("yes_no", "ar", "نعم", "1"),
    ("yes_no", "ar", "لا", "2"),
    ("yes_no", "de", "yes", "1"),  # English understood in every language
]


@pytest.mark.parametrize(("question", "lang", "said", "key"), CASES)
def test_choices_map_words_to_keys(question: str, lang: str, said: str, key: str | None) -> None:
    assert speech.choice(question, lang, said) == key


@pytest.mark.parametrize(
    ("said", "lang"),
    [
        ("Italiano", "it"),
        ("italian please", "it"),
        ("English", "en"),
        ("Deutsch", "de"),
        ("français", "fr"),
        ("Español", "es"),
        ("português", "pt"),
        ("العربية", "ar"),
        ("عربي", "ar"),
        ("Klingon", None),
        ("English or Deutsch", None),
    ],
)
def test_language_names(said: str, lang: str | None) -> None:
    assert speech.language(said) == lang


def test_every_language_has_tables_and_a_speech_language() -> None:
    policy = load_policy()
    assert set(speech.SPEECH_LANGUAGES) == set(policy.languages) == set(LANGS)
    for question, tables in speech.CHOICES.items():
        assert set(tables) == set(LANGS), question
    for code, language in policy.languages.items():
        assert speech.language(language.name) == code  # the policy's names are understood


def test_the_words_the_prompts_suggest_are_understood() -> None:
    """Each language's "you can also say ..." prompt names words its table knows."""
    prompts = load_prompts()
    for lang in LANGS:
        for question, key in (("priority", "speech_priority"), ("role", "speech_role")):
            table = speech.CHOICES[question][lang]
            hints = speech.hints(question, lang)
            text = " ".join(speech.normalise(prompts.text(lang, key)))
            for phrases in table.values():
                assert any(" ".join(speech.normalise(p)) in text for p in phrases), (lang, key)
                assert phrases[0] in hints


def test_hints_and_confidence() -> None:
    assert speech.hints("digits", "it") == "$OOV_CLASS_DIGIT_SEQUENCE"
    assert speech.hints("priority", "de") == "kritisch, hoch, mittel, niedrig"
    assert speech.confidence("0.42") == 0.42
    assert speech.confidence(None) == speech.confidence("x") == speech.confidence("7") == 0.0
    assert speech.spaced("1013") == "1 0 1 3"
