"""Language of a chat message and of a conversation, restricted to the seven languages of the
Help Center (issue #4).

Two detectors, both offline (their models ship inside the wheels): ``lingua`` (the default: the
issue measures it at about 93% on two-word texts where ``langdetect`` reaches 79%) and
``langdetect`` (seeded, so repeatable), kept to compare them (``bench/bench_langid.py``,
``frontdoor lang detect --engine``). Each is built once per process, on first use.

:func:`next_language` keeps a conversation's language with some inertia: a message switches it
only when it is a real sentence that the detector attributes confidently to another language.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any, NamedTuple

LANGUAGES: tuple[str, ...] = ("it", "en", "de", "fr", "es", "pt", "ar")
ENGINES: tuple[str, ...] = ("lingua", "langdetect")
DEFAULT_ENGINE = "lingua"
FALLBACK_LANGUAGE = "en"  # policy: a language outside the seven is answered in English

# A message switches the conversation only if it has this many words once codes, e-mails and
# product names are removed, and the detector is at least this sure. lingua gives 0.8-1.0 to
# ordinary sentences of three words or more and 0.3-0.6 to greetings such as "ok" or "hello".
MIN_WORDS = 3
MIN_CONFIDENCE = 0.6

_EMAIL = re.compile(r"\S+@\S+")
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


class Detection(NamedTuple):
    """The most likely of the seven languages (``None`` for a text without letters)."""

    code: str | None
    confidence: float


Detector = Callable[[str], Detection]


@lru_cache(maxsize=1)
def _lingua() -> Any:
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in LANGUAGES]
    return (
        LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()
    )


@lru_cache(maxsize=1)
def _langdetect_factory() -> Any:
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(0)  # langdetect samples n-grams at random: seeded, the answer is repeatable
    return factory


def warm() -> None:
    """Load the default detector and its models now (a server's start: about 130 ms and 26 MB)
    rather than while the first chat message of a worker waits."""
    _lingua()


def detect_lingua(text: str) -> Detection:
    """lingua, restricted to the seven languages."""
    if not _WORD.search(text):
        return Detection(None, 0.0)
    best = _lingua().compute_language_confidence_values(text)[0]
    return Detection(best.language.iso_code_639_1.name.lower(), float(best.value))


def detect_langdetect(text: str) -> Detection:
    """langdetect, restricted to the seven languages through its prior probabilities."""
    from langdetect.lang_detect_exception import LangDetectException

    if not _WORD.search(text):
        return Detection(None, 0.0)
    detector = _langdetect_factory().create()
    detector.set_prior_map(dict.fromkeys(LANGUAGES, 1.0))
    detector.append(text)
    try:
        best = detector.get_probabilities()[0]
    except (LangDetectException, IndexError):
        return Detection(None, 0.0)
    return Detection(str(best.lang), float(best.prob))


_DETECTORS: dict[str, Detector] = {"lingua": detect_lingua, "langdetect": detect_langdetect}


def detector_for(engine: str = DEFAULT_ENGINE) -> Detector:
    """The detection function of an engine ("lingua" or "langdetect")."""
    try:
        return _DETECTORS[engine]
    except KeyError:
        raise ValueError(
            f"unknown engine {engine!r}; expected one of: {', '.join(ENGINES)}"
        ) from None


def detect(text: str, engine: str = DEFAULT_ENGINE) -> Detection:
    """``(code, confidence)`` of the most likely of the seven languages of ``text``."""
    return detector_for(engine)(text)


def language_words(text: str, ignore: Iterable[str] = ()) -> list[str]:
    """The words of ``text`` that say something about its language: e-mail addresses, links,
    numbers and the ``ignore`` terms (product names, which are English in every language) are
    left out."""
    text = _URL.sub(" ", _EMAIL.sub(" ", text))
    for term in sorted(ignore, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(term)}(?!\w)", " ", text, flags=re.IGNORECASE)
    return _WORD.findall(text)


def next_language(
    current: str | None,
    text: str,
    preferred: str | None = None,
    *,
    ignore: Iterable[str] = (),
    detector: Detector | None = None,
    min_words: int = MIN_WORDS,
    min_confidence: float = MIN_CONFIDENCE,
) -> str:
    """The conversation's language after the message ``text``.

    The conversation's ``current`` language, else the contact's ``preferred`` one, stays unless
    the message has at least ``min_words`` words (see :func:`language_words`) and is detected in
    another of the seven languages with at least ``min_confidence``. With neither a current nor
    a preferred language, the message decides when it is detected with ``min_confidence``;
    otherwise (or without letters) English.
    """
    base = next((c for c in (current, preferred) if c in LANGUAGES), None)
    words = language_words(text, ignore)
    if base is not None and len(words) < min_words:
        return base
    code, confidence = (detector or detect_lingua)(" ".join(words))
    if code is None:
        return base or FALLBACK_LANGUAGE
    if base is None:  # the first message decides, unless it is too unsure to tell
        return code if confidence >= min_confidence else FALLBACK_LANGUAGE
    if code != base and confidence >= min_confidence:
        return code
    return base
