"""Spoken texts by language, read from a prompts file: ``{language: {key: template}}``.

The wording lives in files, not in channels' code: the IVR's ``ivr/prompts.yml`` and the on-call
page's ``web/alerts/prompts.yml``. A key missing in a language falls back to English, which
must be complete.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any

import yaml

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 8x faster to read


@dataclass(frozen=True)
class Prompts:
    texts: dict[str, dict[str, Any]]
    fallback: str = "en"

    def text(self, language: str, key: str, **values: object) -> str:
        """The prompt ``key`` in ``language`` (English when that language lacks it), filled."""
        table = self.texts.get(language, {})
        template = table.get(key, self.texts[self.fallback][key])
        return str(template).format(**values)

    def words(self, language: str, key: str) -> list[str]:
        table = self.texts.get(language, {})
        return list(table.get(key, self.texts[self.fallback][key]))

    def when(self, language: str, instant: datetime) -> str:
        """An instant as a caller hears it: "Saturday 21 November at 10:00" (local time)."""
        return self.text(
            language,
            "when",
            weekday=self.words(language, "weekdays")[instant.weekday()],
            day=instant.day,
            month=self.words(language, "months")[instant.month - 1],
            time=clock(instant.time()),
        )

    def weekday(self, language: str, index: int) -> str:
        return self.words(language, "weekdays")[index]

    def city(self, language: str, timezone: str) -> str:
        """The city a time zone is named after, as ``language`` calls it ("Roma" for
        Europe/Rome in Italian); a zone missing from ``cities`` is named from its id."""
        for table in (self.texts.get(language, {}), self.texts[self.fallback]):
            name = (table.get("cities") or {}).get(timezone)
            if name:
                return str(name)
        return timezone.rsplit("/", 1)[-1].replace("_", " ")


def clock(value: time) -> str:
    return f"{value.hour}:{value.minute:02d}"


def load_prompts(path: Path) -> Prompts:
    """Read the prompts file; every language must be a mapping and English complete."""
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506 - a safe loader
    if not isinstance(raw, dict) or not isinstance(raw.get("en"), dict):
        raise ValueError(f"{path}: expected a mapping of languages with 'en'")
    return Prompts(texts=raw)
