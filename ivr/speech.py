"""What a caller's words mean at each question: keyword tables per language and spoken digits.

Twilio transcribes speech (``<Gather input="speech dtmf">``) and posts ``SpeechResult`` with a
``Confidence``; this module maps that text to the key the caller could have pressed instead, so
the handlers keep one path for keys and words. The tables are literal data, one entry per
language (in the style of the ``holidays`` package): add a word by adding it to its table.

Matching is on whole words after :func:`normalise` (case, accents, Arabic letter forms and the
article "ال" folded), so "Critico", "CRITICO" and "critico." are one word. A phrase that names
two different choices is not understood (asked again), as is a low :data:`MIN_CONFIDENCE`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

MAX_DIGITS = 32  # a longer spoken number is not a code (as for keys)
MIN_CONFIDENCE = 0.5  # below: a choice is asked again, a spoken code is read back (always)

# The caller's language as Twilio's speech recognition names it (BCP-47). English and
# Portuguese use the variants the voices use (policy ``tts_language``); Arabic: Gulf (UAE),
# the Middle East theatre's Dubai number (Polly's "arb" is Modern Standard Arabic, for speaking).
SPEECH_LANGUAGES: Mapping[str, str] = {
    "en": "en-US",
    "it": "it-IT",
    "de": "de-DE",
    "fr": "fr-FR",
    "es": "es-ES",
    "pt": "pt-PT",
    "ar": "ar-AE",
}

# How each language may be named at the language menu, in any of the seven languages.
LANGUAGE_NAMES: Mapping[str, tuple[str, ...]] = {
    "en": ("English", "inglese", "Englisch", "anglais", "inglés", "inglês", "الإنجليزية"),
    "it": ("Italiano", "Italian", "Italienisch", "italien", "الإيطالية"),
    "de": ("Deutsch", "German", "tedesco", "allemand", "alemán", "alemão", "الألمانية"),
    "fr": ("Français", "French", "francese", "Französisch", "francés", "francês", "الفرنسية"),
    "es": ("Español", "Spanish", "spagnolo", "Spanisch", "espagnol", "castellano", "الإسبانية"),
    "pt": ("Português", "Portuguese", "portoghese", "Portugiesisch", "portugais", "البرتغالية"),
    "ar": ("العربية", "Arabic", "arabo", "Arabisch", "arabe", "árabe", "عربي"),
}

# question -> language -> key -> words (each a phrase of one or more words)
CHOICES: Mapping[str, Mapping[str, Mapping[str, tuple[str, ...]]]] = {
    "role": {
        "en": {"1": ("administrator", "admin", "partner"), "2": ("end user", "user")},
        "it": {"1": ("amministratore", "partner"), "2": ("utente finale", "utente")},
        "de": {
            "1": ("administrator", "systemadministrator", "partner"),
            "2": ("Endanwender", "Benutzer"),
        },
        "fr": {"1": ("administrateur", "partenaire"), "2": ("utilisateur final", "utilisateur")},
        "es": {"1": ("administrador", "socio", "partner"), "2": ("usuario final", "usuario")},
        "pt": {"1": ("administrador", "parceiro"), "2": ("utilizador final", "usuário final")},
        "ar": {"1": ("مسؤول النظام", "مدير النظام", "شريك"), "2": ("مستخدم نهائي", "مستخدم")},
    },
    "menu": {
        "en": {"1": ("new problem", "new"), "2": ("ticket status", "status", "existing ticket")},
        "it": {"1": ("nuovo problema", "nuovo"), "2": ("stato della richiesta", "stato")},
        "de": {"1": ("neues problem", "neu"), "2": ("status", "stand")},
        "fr": {"1": ("nouveau problème", "nouveau"), "2": ("état de la demande", "état")},
        "es": {
            "1": ("problema nuevo", "nuevo problema", "nuevo"),
            "2": ("estado de la solicitud", "estado"),
        },
        "pt": {"1": ("novo problema", "novo"), "2": ("estado do pedido", "estado")},
        "ar": {"1": ("مشكلة جديدة", "جديدة"), "2": ("حالة الطلب", "حالة")},
    },
    "priority": {
        "en": {"1": ("critical",), "2": ("high",), "3": ("medium",), "4": ("low",)},
        "it": {
            "1": ("critica", "critico"),
            "2": ("alta", "alto"),
            "3": ("media", "medio"),
            "4": ("bassa", "basso"),
        },
        "de": {"1": ("kritisch",), "2": ("hoch",), "3": ("mittel",), "4": ("niedrig",)},
        "fr": {
            "1": ("critique",),
            "2": ("haute", "élevée"),
            "3": ("moyenne", "moyen"),
            "4": ("basse", "faible"),
        },
        "es": {
            "1": ("crítica", "crítico"),
            "2": ("alta", "alto"),
            "3": ("media", "medio"),
            "4": ("baja", "bajo"),
        },
        "pt": {
            "1": ("crítica", "crítico"),
            "2": ("alta", "alto"),
            "3": ("média", "médio"),
            "4": ("baixa", "baixo"),
        },
        "ar": {
            "1": ("حرجة", "حرج"),
            "2": ("عالية", "عالي"),
            "3": ("متوسطة", "متوسط"),
            "4": ("منخفضة", "منخفض"),
        },
    },
    "yes_no": {
        "en": {"1": ("yes", "yeah", "right", "correct"), "2": ("no", "wrong")},
        "it": {"1": ("sì", "esatto", "giusto", "corretto"), "2": ("no", "sbagliato")},
        "de": {"1": ("ja", "richtig", "genau"), "2": ("nein", "falsch")},
        "fr": {"1": ("oui", "exact", "correct"), "2": ("non", "faux")},
        "es": {"1": ("sí", "correcto", "exacto"), "2": ("no", "incorrecto")},
        "pt": {"1": ("sim", "certo", "correto"), "2": ("não", "errado")},
        "ar": {"1": ("نعم", "صحيح", "أجل"), "2": ("لا", "خطأ")},
    },
}

# Digits as spoken, in the seven languages (one table: a caller may switch language to spell).
DIGIT_WORDS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "zero": "0",
        "one": "1",
        "two": "2",
        "three": "3",
        "four": "4",
        "five": "5",
        "six": "6",
        "seven": "7",
        "eight": "8",
        "nine": "9",
    },
    "it": {
        "zero": "0",
        "uno": "1",
        "due": "2",
        "tre": "3",
        "quattro": "4",
        "cinque": "5",
        "sei": "6",
        "sette": "7",
        "otto": "8",
        "nove": "9",
    },
    "de": {
        "null": "0",
        "eins": "1",
        "zwei": "2",
        "zwo": "2",
        "drei": "3",
        "vier": "4",
        "fünf": "5",
        "sechs": "6",
        "sieben": "7",
        "acht": "8",
        "neun": "9",
    },
    "fr": {
        "zéro": "0",
        "un": "1",
        "deux": "2",
        "trois": "3",
        "quatre": "4",
        "cinq": "5",
        "six": "6",
        "sept": "7",
        "huit": "8",
        "neuf": "9",
    },
    "es": {
        "cero": "0",
        "uno": "1",
        "dos": "2",
        "tres": "3",
        "cuatro": "4",
        "cinco": "5",
        "seis": "6",
        "siete": "7",
        "ocho": "8",
        "nueve": "9",
    },
    "pt": {
        "zero": "0",
        "um": "1",
        "uma": "1",
        "dois": "2",
        "duas": "2",
        "três": "3",
        "quatro": "4",
        "cinco": "5",
        "seis": "6",
        "meia": "6",
        "sete": "7",
        "oito": "8",
        "nove": "9",
    },
    "ar": {
        "صفر": "0",
        "واحد": "1",
        "اثنان": "2",
        "اثنين": "2",
        "ثلاثة": "3",
        "أربعة": "4",
        "خمسة": "5",
        "ستة": "6",
        "سبعة": "7",
        "ثمانية": "8",
        "تسعة": "9",
    },
}

_ARABIC_FORMS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي", "ـ": ""})
_NOT_WORD = re.compile(r"[^\w]+")


def normalise(text: str) -> list[str]:
    """The words of ``text``: case folded, accents and Arabic diacritics dropped, Arabic letter
    variants unified and the article "ال" removed, every digit (Arabic-Indic too) as 0-9."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(
        str(unicodedata.digit(c)) if c.isdigit() else c
        for c in decomposed
        if not unicodedata.combining(c)
    )
    words = _NOT_WORD.sub(" ", plain.translate(_ARABIC_FORMS).replace("_", " ")).split()
    return [w[2:] if w.startswith("ال") and len(w) > 3 else w for w in words]


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(normalise(text))


_DIGITS: dict[str, str] = {
    word: digit
    for table in DIGIT_WORDS.values()
    for spoken, digit in table.items()
    for word in normalise(spoken)
}


def _contains(words: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return n > 0 and any(tuple(words[i : i + n]) == phrase for i in range(len(words) - n + 1))


def _matches(words: list[str], table: Mapping[str, tuple[str, ...]]) -> set[str]:
    return {
        key for key, phrases in table.items() if any(_contains(words, _phrase(p)) for p in phrases)
    }


def digits(text: str) -> str | None:
    """The digits spoken in ``text`` ("uno due tre", "eins zwei drei", "واحد اثنان ثلاثة",
    "١٢٣", "1 2 3", "1,013"), other words ignored; None when no digit (or too many) was said."""
    found = []
    for word in normalise(text):
        if word.isdigit():
            found.append(word)
        elif word in _DIGITS:
            found.append(_DIGITS[word])
        elif word.startswith("و") and word[1:] in _DIGITS:  # Arabic "and three"
            found.append(_DIGITS[word[1:]])
    said = "".join(found)
    return said if 0 < len(said) <= MAX_DIGITS else None


def choice(question: str, lang: str, text: str) -> str | None:
    """The key a phrase stands for at ``question`` ("critical" -> "1" at ``priority``): the
    caller's language first, then English; a single spoken digit ("two") as that key."""
    words = normalise(text)
    tables = CHOICES[question]
    for code in dict.fromkeys((lang, "en")):
        keys = _matches(words, tables.get(code, {}))
        if len(keys) == 1:
            return keys.pop()
        if keys:
            return None  # two different choices named
    if len(words) == 1 and (words[0] in _DIGITS or (len(words[0]) == 1 and words[0].isdigit())):
        return _DIGITS.get(words[0], words[0])  # "two", "due", "2" said alone
    return None


def language(text: str) -> str | None:
    """The language a caller names at the language menu ("Italiano", "العربية"), else None."""
    found = _matches(normalise(text), LANGUAGE_NAMES)
    return found.pop() if len(found) == 1 else None


def hints(question: str, lang: str) -> str:
    """Twilio ``hints``: the words of a question in the caller's language, comma separated;
    codes and numbers use Twilio's digit-sequence class (the language menu's hints are the
    policy's language names, :func:`ivr.flow.ask_language`)."""
    if question == "digits":
        return "$OOV_CLASS_DIGIT_SEQUENCE"
    table = CHOICES[question].get(lang) or CHOICES[question]["en"]
    return ", ".join(phrase for phrases in table.values() for phrase in phrases)


def confidence(value: str | None) -> float:
    """Twilio's ``Confidence`` (0.0-1.0); missing or malformed counts as none (0.0)."""
    try:
        number = float(value or "")
    except ValueError:
        return 0.0
    return number if 0.0 <= number <= 1.0 else 0.0


def spaced(number: str) -> str:
    """A code read back digit by digit ("1 0 1 3")."""
    return " ".join(number)
