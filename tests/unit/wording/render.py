"""Every IVR prompt rendered with fixed sample values, one table per language.

The tables in ``snapshots/<lang>.yml`` are reviewed as diffs: a wording change shows there.
Regenerate them after a deliberate change (then review the diff)::

    .venv/bin/python -m tests.unit.wording.render
"""

from __future__ import annotations

import string
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from ivr import speakable
from ivr.prompts import Prompts, load_prompts

SNAPSHOTS = Path(__file__).with_name("snapshots")
LANGUAGES = ("it", "en", "de", "fr", "es", "pt", "ar")
ZONE = "Europe/Rome"
TICKET = "0000067"
MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo(ZONE))  # Monday 23 November, 9:00
MIDNIGHT = datetime(2026, 12, 1, 0, 0, tzinfo=ZoneInfo(ZONE))  # Monday 30 Nov ends
ONE_AM = datetime(2026, 11, 24, 1, 30, tzinfo=ZoneInfo(ZONE))


class _Samples(dict[str, Any]):
    """Fixed values for the placeholders; one nobody planned for is shown as ``<name>``."""

    def __missing__(self, name: str) -> str:
        return f"<{name}>"


def samples(prompts: Prompts, lang: str) -> _Samples:
    return _Samples(
        number=speakable.ticket_number(TICKET, lang),
        when=speakable.when(prompts, lang, MORNING, ZONE),
        url="https://support.example.com",
        digit=2,
        status=prompts.text(lang, "status_open"),
        hours="<hours>",
        city=prompts.city(lang, ZONE),
        hour=9,
        minute=5,
    )


def render(prompts: Prompts, lang: str) -> dict[str, Any]:
    """Every key (English ones included, as heard through the fallback), filled; then the
    computed phrases (``_``-prefixed): ticket number, times, midnight, office hours."""
    own, english = prompts.texts[lang], prompts.texts["en"]
    keys = [k for k in english if k not in speakable.OWN_ONLY or k in own]
    keys += [k for k in own if k not in english]
    values = samples(prompts, lang)
    table: dict[str, Any] = {}
    for key in keys:
        raw = own[key] if key in own else english[key]
        table[key] = string.Formatter().vformat(raw, (), values) if isinstance(raw, str) else raw
    table["_ticket_number"] = speakable.ticket_number(TICKET, lang)
    table["_when"] = speakable.when(prompts, lang, MORNING, ZONE)
    table["_when_at_one"] = speakable.when(prompts, lang, ONE_AM, ZONE)
    table["_when_midnight"] = speakable.when(prompts, lang, MIDNIGHT, ZONE)
    table["_due_at_midnight"] = prompts.text(
        lang, "due", when=speakable.when(prompts, lang, MIDNIGHT, ZONE)
    )
    return table


def snapshot_path(lang: str) -> Path:
    return SNAPSHOTS / f"{lang}.yml"


def dump(table: dict[str, Any]) -> str:
    return yaml.safe_dump(table, allow_unicode=True, sort_keys=False, width=10_000)


def write_all() -> None:
    prompts = load_prompts()
    for lang in LANGUAGES:
        snapshot_path(lang).write_text(dump(render(prompts, lang)), encoding="utf-8")


if __name__ == "__main__":
    write_all()
