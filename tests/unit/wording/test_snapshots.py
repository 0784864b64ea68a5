"""Every prompt in every language, rendered, equals its reviewed snapshot table."""

from __future__ import annotations

import pytest
import yaml

from ivr.prompts import load_prompts

from .render import LANGUAGES, render, snapshot_path


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_prompt_renders_as_its_reviewed_snapshot(lang: str) -> None:
    """A wording change must show as a diff of snapshots/<lang>.yml (regenerate: render.py)."""
    expected = yaml.safe_load(snapshot_path(lang).read_text(encoding="utf-8"))
    rendered = render(load_prompts(), lang)
    assert list(rendered) == list(expected), "keys added or removed: regenerate and review"
    for key, text in rendered.items():
        assert text == expected[key], key


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_has_every_english_text_key_of_the_wording_review(lang: str) -> None:
    """The reviewed keys exist in each language (no silent fallback to English for them)."""
    table = load_prompts().texts[lang]
    for key in ("due", "when", "when_midnight", "midnight", "recorded", "not_recorded"):
        assert key in table, (lang, key)
    assert "on_call_english_only" in table, lang
