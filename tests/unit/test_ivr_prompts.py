"""The IVR's prompts name each theatre's city as the caller's language does."""

from __future__ import annotations

from core.policy import Policy
from ivr.prompts import Prompts, load_prompts


def test_every_theatre_city_is_named_in_every_prompt_language(shipped_policy: Policy) -> None:
    """Each theatre time zone has a city name in each language of the prompts file."""
    prompts = load_prompts()
    for language, table in prompts.texts.items():
        for theatre in shipped_policy.theatres.values():
            assert theatre.timezone in table["cities"], (language, theatre.timezone)


def test_the_city_is_localized() -> None:
    """Rome is "Roma" to Italian callers, "Rom" to German ones, "Rome" in English."""
    prompts = load_prompts()
    names = {lang: prompts.city(lang, "Europe/Rome") for lang in ("it", "de", "en")}
    assert names == {"it": "Roma", "de": "Rom", "en": "Rome"}


def test_a_zone_without_a_name_is_spoken_from_its_id_and_a_missing_language_falls_back() -> None:
    """No table entry: the zone id's last part; a language without the table: English."""
    prompts = Prompts({"en": {"cities": {"Europe/Rome": "Rome"}}, "it": {}})
    assert prompts.city("it", "Europe/Rome") == "Rome"
    assert prompts.city("it", "America/Los_Angeles") == "Los Angeles"
