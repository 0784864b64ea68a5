"""Reply templates in the seven languages (``bot/messages/<lang>.yml``) and local formatting.

Every key exists in every language (a unit test checks it). Dates and times are written in the
customer's local time with Babel's CLDR data for the language; Arabic replies start with a
right-to-left mark so that a page showing them with ``dir="auto"`` lays them out right to left.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from babel.dates import format_date, get_day_names

from bot.language import LANGUAGES

MESSAGES_DIR = Path(__file__).with_name("messages")
DEFAULT = "en"
RTL = frozenset({"ar"})
RLM = "\u200f"
_WEEKDAY_INDEX = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


@cache
def catalogue(language: str) -> dict[str, str]:
    """The templates of one language (read once per process)."""
    path = MESSAGES_DIR / f"{language}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items()}


def lang(language: str | None) -> str:
    return language if language in LANGUAGES else DEFAULT


def text(language: str | None, key: str, **params: object) -> str:
    """The reply ``key`` in ``language`` (English for anything else), filled with ``params``."""
    return catalogue(lang(language))[key].format(**params)


def directed(language: str | None, message: str) -> str:
    """``message`` as sent: a right-to-left mark first in a right-to-left language."""
    return RLM + message if lang(language) in RTL else message


def local_datetime(language: str | None, instant: datetime, zone: str) -> str:
    """E.g. "Tuesday, November 24, 2026, 10:00" in the language, in ``zone``'s wall time."""
    local = instant.astimezone(ZoneInfo(zone))
    return f"{format_date(local.date(), 'full', locale=lang(language))}, {local:%H:%M}"


def local_clock(language: str | None, instant: datetime, zone: str) -> str:
    return f"{instant.astimezone(ZoneInfo(zone)):%H:%M}"


def local_date(language: str | None, day: date) -> str:
    return format_date(day, "long", locale=lang(language))


def day_names(language: str | None, days: Iterable[str]) -> str:
    """Weekday keys of the policy ("mon", ...) as names in the language, comma-separated."""
    names = get_day_names("wide", locale=lang(language))
    return ", ".join(names[_WEEKDAY_INDEX[d]] for d in days)


def language_name(language: str | None, of: str) -> str:
    """The name of language ``of`` written in ``language`` (e.g. "francese" in Italian)."""
    from babel import Locale

    return str(Locale.parse(lang(language)).languages.get(of, of))
