"""A provisional language detector with the contract of ``core.language`` (to be replaced).

``detect(text) -> (code, confidence)`` restricted to the seven languages (lingua, which needs no
download), and ``next_language(current, text, preferred)`` with inertia: a short message (an
"ok", a number, an e-mail address) keeps the current language; a sentence in another language
switches it only when the detector is confident.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

_CODES = {
    "ITALIAN": "it",
    "ENGLISH": "en",
    "GERMAN": "de",
    "FRENCH": "fr",
    "SPANISH": "es",
    "PORTUGUESE": "pt",
    "ARABIC": "ar",
}
_WORD = re.compile(r"[^\W\d_]{2,}")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
MIN_WORDS = 3
MIN_CONFIDENCE = 0.5


@cache
def _detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in _CODES]
    return LanguageDetectorBuilder.from_languages(*languages).build()


def detect(text: str) -> tuple[str, float]:
    """The most likely of the seven languages and its confidence (0..1)."""
    if _ARABIC.search(text):
        return "ar", 1.0
    values = _detector().compute_language_confidence_values(text)
    if not values:
        return "en", 0.0
    best = values[0]
    return _CODES[best.language.name], float(best.value)


def next_language(current: str | None, text: str, preferred: str | None) -> str:
    """The conversation's language after ``text``: sticky for short messages."""
    start = current or preferred or "en"
    words = _WORD.findall(re.sub(r"\S+@\S+", " ", text))
    if len(words) < MIN_WORDS:
        return start
    code, confidence = detect(text)
    return code if confidence >= MIN_CONFIDENCE else start
