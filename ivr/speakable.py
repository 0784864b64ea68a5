"""Numbers and times as a caller hears them, per language (docs/phone.md, "Wording").

- A ticket number is read in groups, the way the language's speakers read a code: digit by digit
  in groups of three with a longer last group ("0 0 0, 0 0 6 7") in most languages; in French in
  pairs from the right, a pair read as one number unless it starts with zero
  ("0, 0 0, 0 0, 67": "zéro, zéro zéro, zéro zéro, soixante-sept").
- An instant is said with its theatre's city ("Monday 12 January at 9:00, Rome time"); 00:00 is
  never "0:00" but the language's sentence for midnight (``when_midnight``), which names the day
  that ends there and, where the language says it so, the day that starts. Where one o'clock
  takes another article ("a la 1:00", "à 1:00") the language has a ``when_at_one`` variant.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from core.prompts import Prompts

PAIRS_FROM_RIGHT = frozenset({"fr"})  # languages that read codes in two-digit numbers
OWN_ONLY = frozenset({"when_at_one", "first_of_month"})  # grammar variants, never from English


def ticket_number(number: str, lang: str) -> str:
    """A ticket number in groups for listening: "0000067" -> "0 0 0, 0 0 6 7"."""
    if not number.isdigit():
        return number
    if lang in PAIRS_FROM_RIGHT:
        return ", ".join(_pair(chunk) for chunk in _chunks_from_right(number, 2))
    return ", ".join(" ".join(chunk) for chunk in _chunks_from_left(number, 3))


def _chunks_from_left(digits: str, size: int) -> list[str]:
    """Groups of ``size`` from the left; a last single digit joins the group before it."""
    chunks = [digits[i : i + size] for i in range(0, len(digits), size)]
    if len(chunks) > 1 and len(chunks[-1]) == 1:
        chunks[-2:] = [chunks[-2] + chunks[-1]]
    return chunks


def _chunks_from_right(digits: str, size: int) -> list[str]:
    head = len(digits) % size
    first = [digits[:head]] if head else []
    return first + [digits[i : i + size] for i in range(head, len(digits), size)]


def _pair(chunk: str) -> str:
    """ "67" is read as a number; "06" and "00" digit by digit (a number drops the zero)."""
    return " ".join(chunk) if chunk.startswith("0") else chunk


def clock(prompts: Prompts, lang: str, value: time) -> str:
    """A time of day: "9:00"; midnight as the language's word for it, never "0:00"."""
    if value.hour == 0 and value.minute == 0:
        return prompts.text(lang, "midnight")
    return prompts.text(lang, "time_of_day", hour=value.hour, minute=value.minute)


def when(prompts: Prompts, lang: str, instant: datetime, zone: str) -> str:
    """A local instant with its city: "Monday 12 January at 9:00, Rome time"; at 00:00 the
    midnight sentence, naming the day that ends (and the day that starts)."""
    city = prompts.city(lang, zone)
    if instant.hour == 0 and instant.minute == 0:
        ending = instant - timedelta(days=1)
        starting = {f"next_{k}": v for k, v in _day(prompts, lang, instant).items()}
        return prompts.text(
            lang, "when_midnight", city=city, **_day(prompts, lang, ending), **starting
        )
    moment = clock(prompts, lang, instant.time())
    key = "when_at_one" if instant.hour == 1 and _has(prompts, lang, "when_at_one") else "when"
    return prompts.text(lang, key, city=city, time=moment, **_day(prompts, lang, instant))


def _has(prompts: Prompts, lang: str, key: str) -> bool:
    """Whether ``lang`` has its own ``key`` (a grammar variant, never taken from English)."""
    return key in prompts.texts.get(lang, {})


def _day(prompts: Prompts, lang: str, instant: datetime) -> dict[str, object]:
    first = instant.day == 1 and _has(prompts, lang, "first_of_month")  # French "1er"
    return {
        "weekday": prompts.weekday(lang, instant.weekday()),
        "day": str(prompts.texts[lang]["first_of_month"]) if first else instant.day,
        "month": prompts.words(lang, "months")[instant.month - 1],
    }
