"""The chat assistant's NLU training data (data/nlu/*.yml) keeps the chat contract."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

NLU = Path(__file__).resolve().parents[2] / "data" / "nlu"
LANGUAGES = ("it", "en", "de", "fr", "es", "pt", "ar")
INTENTS = {
    "greet", "goodbye", "thank", "affirm", "deny", "report_problem", "ticket_status",
    "ask_hours", "ask_plan", "ask_contact", "request_remote_session", "request_onsite",
    "request_installation", "renew_contract", "human_handoff", "inform", "out_of_scope",
    "bot_challenge", "ask_on_call", "cancel",
}  # fmt: skip
ENTITIES = {"customer_code", "ticket_number", "email", "product", "priority", "role"}
VALUES = {"priority": {"P1", "P2", "P3", "P4"}, "role": {"admin", "partner", "end_user"}}
MIN_EXAMPLES = 25
ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<name>[^)]+)\)|(?P<attrs>\{[^}]*\}))")


def _examples(lang: str) -> dict[str, list[str]]:
    document = yaml.safe_load((NLU / f"{lang}.yml").read_text(encoding="utf-8"))
    assert document["version"] == "3.1"
    by_intent: dict[str, list[str]] = {}
    for block in document["nlu"]:
        lines = block["examples"].splitlines()
        by_intent.setdefault(block["intent"], []).extend(
            line.strip()[2:] for line in lines if line.strip().startswith("- ")
        )
    return by_intent


def _plain(example: str) -> str:
    return ANNOTATION.sub(lambda m: m.group("text"), example).casefold()


def _products() -> set[str]:
    document = yaml.safe_load((NLU / "lookups.yml").read_text(encoding="utf-8"))
    block = next(b for b in document["nlu"] if b.get("lookup") == "product")
    return {line[2:].strip().casefold() for line in block["examples"].splitlines() if line.strip()}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_intent_has_enough_examples_in_every_language(lang: str) -> None:
    """Each language file has exactly the contract's intents, each with 25 examples or more."""
    counts = {intent: len(examples) for intent, examples in _examples(lang).items()}
    assert set(counts) == INTENTS
    assert min(counts.values()) >= MIN_EXAMPLES, counts


@pytest.mark.parametrize("lang", LANGUAGES)
def test_annotations_use_contract_entities_and_values(lang: str) -> None:
    """Entities are the contract's; priority and role carry a normalised value; products are in
    the lookup table."""
    products = _products()
    for examples in _examples(lang).values():
        for example in examples:
            for m in ANNOTATION.finditer(example):
                attrs = json.loads(m.group("attrs")) if m.group("attrs") else {}
                name = m.group("name") or attrs["entity"]
                assert name in ENTITIES, example
                if name in VALUES:
                    assert attrs.get("value") in VALUES[name], example
                if name == "product":  # the lookup is case-insensitive (config.yml)
                    assert m.group("text").casefold() in products, example


def test_no_example_is_labelled_with_two_intents() -> None:
    """Across all seven languages, the same text never belongs to two intents."""
    owners: dict[str, set[str]] = {}
    for lang in LANGUAGES:
        for intent, examples in _examples(lang).items():
            for example in examples:
                owners.setdefault(_plain(example), set()).add(intent)
    conflicts = {text: intents for text, intents in owners.items() if len(intents) > 1}
    assert conflicts == {}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_languages_are_written_not_copied(lang: str) -> None:
    """At most 5% of a language's examples also appear verbatim in another language."""
    mine = Counter(_plain(e) for examples in _examples(lang).values() for e in examples)
    others = {
        _plain(e)
        for other in LANGUAGES
        if other != lang
        for examples in _examples(other).values()
        for e in examples
    }
    shared = [text for text in mine if text in others]
    assert len(shared) <= 0.05 * len(mine), shared
