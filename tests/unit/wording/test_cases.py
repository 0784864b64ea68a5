"""The wording cases of the voice issue, per language: grouped ticket numbers, times with
their city, midnight as a sentence, one formal register."""

from __future__ import annotations

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from ivr import speakable
from ivr.prompts import load_prompts

from .render import LANGUAGES

PROMPTS = load_prompts()
ROME = ZoneInfo("Europe/Rome")

GROUPED = [  # (language, number, as said)
    ("en", "0000067", "0 0 0, 0 0 6 7"),
    ("it", "0000067", "0 0 0, 0 0 6 7"),
    ("de", "1234567", "1 2 3, 4 5 6 7"),
    ("es", "123456", "1 2 3, 4 5 6"),
    ("pt", "12345678", "1 2 3, 4 5 6, 7 8"),
    ("ar", "0000067", "0 0 0, 0 0 6 7"),
    ("fr", "0000067", "0, 0 0, 0 0, 67"),
    ("fr", "1234560", "1, 23, 45, 60"),
    ("fr", "1234506", "1, 23, 45, 0 6"),
]


@pytest.mark.parametrize(("lang", "number", "said"), GROUPED)
def test_ticket_numbers_are_grouped_for_listening(lang: str, number: str, said: str) -> None:
    """Groups of three digits (a lone last digit joins its group); French pairs from the right."""
    assert speakable.ticket_number(number, lang) == said


def test_a_ticket_number_is_never_seven_separate_digits_with_pauses() -> None:
    """The old reading "0, 0, 0, 0, 0, 6, 7" is gone in every language."""
    for lang in LANGUAGES:
        assert speakable.ticket_number("0000067", lang).count(",") <= 3


WHEN = [  # (language, local instant, as said)
    ("en", "2026-11-23T09:00", "Monday 23 November at 9:00, Rome time"),
    ("it", "2026-11-23T09:00", "lunedì 23 novembre alle ore 9:00, ora di Roma"),
    ("de", "2026-11-23T09:00", "am Montag, 23. November, um 9:00 Uhr, Ortszeit Rom"),
    ("fr", "2026-11-23T09:30", "le lundi 23 novembre à 9 h 30, heure de Rome"),
    ("es", "2026-11-23T09:00", "el lunes 23 de noviembre a las 9:00, hora de Roma"),
    ("es", "2026-11-24T01:15", "el martes 24 de noviembre a la 1:15, hora de Roma"),
    ("pt", "2026-11-23T09:00", "segunda-feira, 23 de novembro, às 9:00, hora de Roma"),
    ("pt", "2026-11-24T01:00", "terça-feira, 24 de novembro, à 1:00, hora de Roma"),
    ("ar", "2026-11-23T09:00", "يوم الاثنين 23 نوفمبر الساعة 9:00 بتوقيت روما"),
]


@pytest.mark.parametrize(("lang", "local", "said"), WHEN)
def test_times_are_said_with_their_city(lang: str, local: str, said: str) -> None:
    """A deadline or an opening names the theatre's city (its time zone)."""
    instant = datetime.fromisoformat(local).replace(tzinfo=ROME)
    assert speakable.when(PROMPTS, lang, instant, "Europe/Rome") == said


MIDNIGHT = [  # 2026-12-01T00:00 Rome: the end of Monday 30 November
    ("en", "the end of Monday 30 November, at midnight Rome time"),
    ("it", "la mezzanotte tra lunedì 30 novembre e martedì 1 dicembre, ora di Roma"),
    ("de", "am Montag, 30. November, um 24 Uhr, Ortszeit Rom"),
    ("fr", "à minuit, dans la nuit du lundi 30 novembre au mardi 1er décembre, heure de Rome"),
    (
        "es",
        "a medianoche, en la noche del lunes 30 de noviembre al martes 1 de diciembre, "
        "hora de Roma",
    ),
    ("pt", "ao fim do dia de segunda-feira, 30 de novembro, à meia-noite, hora de Roma"),
    ("ar", "منتصف الليل بين يوم الاثنين 30 نوفمبر ويوم الثلاثاء 1 ديسمبر، بتوقيت روما"),
]


@pytest.mark.parametrize(("lang", "said"), MIDNIGHT)
def test_midnight_is_a_sentence_a_person_would_say(lang: str, said: str) -> None:
    """00:00 is never "0:00": it names the day that ends (and, where usual, the next)."""
    instant = datetime(2026, 12, 1, 0, 0, tzinfo=ROME)
    spoken = speakable.when(PROMPTS, lang, instant, "Europe/Rome")
    assert spoken == said
    assert "0:00" not in spoken


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_closing_time_at_midnight_is_never_zero_hundred(lang: str) -> None:
    """Office hours ending at 00:00 say the language's midnight, never "0:00"."""
    assert speakable.clock(PROMPTS, lang, time(0, 0)) not in ("0:00", "0 h 00")


def test_english_says_who_picks_up_the_case_without_the_italianism() -> None:
    """ "take your case in charge" is gone: a support engineer picks it up."""
    english = " ".join(v for v in PROMPTS.texts["en"].values() if isinstance(v, str))
    assert "in charge" not in english
    assert PROMPTS.text("en", "due", when="X") == "A support engineer will pick up your case by X."


INFORMAL = {  # words of the informal register that must not be said
    "it": r"\b(tu|tuo|tua|tuoi|tue|ti|premi|inserisci|scegli|lascia|attendi|puoi|sei|riprova|"
    r"richiama|visita|contatta|descrivi|chiedi|apri)\b",
    "de": r"\b(du|dein|deine|dich|dir|drücke|gib)\b",
    "fr": r"\b(tu|ton|ta|tes|toi|appuie)\b",
    "es": r"\b(tú|tu|tus|pulsa|elige|puedes|eres)\b|(?<!se )\bintroduce\b",
    "pt": r"\b(tu|teu|tua|carrega|introduz|escolhe|podes|és|você)\b",
}
FORMAL = {  # markers of the formal register, as the chat uses it
    "it": ("prema", "suo"),
    "de": ("Sie", "Ihr"),
    "fr": ("vous", "votre"),
    "es": ("pulse", "su"),
    "pt": ("prima", "seu"),
    "ar": ("يرجى",),
}


@pytest.mark.parametrize("lang", sorted(FORMAL))
def test_one_formal_register_per_language(lang: str) -> None:
    """Lei, Sie, vous, usted, formal Portuguese and formal Arabic; no informal word."""
    texts = " ".join(v for v in PROMPTS.texts[lang].values() if isinstance(v, str))
    for marker in FORMAL[lang]:
        assert re.search(rf"\b{marker}\b", texts), (lang, marker)
    if lang in INFORMAL:
        assert not re.search(INFORMAL[lang], texts, flags=re.IGNORECASE), lang
