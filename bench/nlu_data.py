"""Reading data/nlu/<lang>.yml for the benchmarks: examples with their annotations, plain text,
entities, and a deterministic stratified split (no Rasa import, so the language-ID bench stays
light)."""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
NLU_DIR = ROOT / "data" / "nlu"
LANGUAGES = ("it", "en", "de", "fr", "es", "pt", "ar")

# [text](entity) or [text]{"entity": ..., "value": ...}
_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<name>[^)]+)\)|(?P<attrs>\{[^}]*\}))")


@dataclass(frozen=True)
class Example:
    language: str
    intent: str
    raw: str  # as written in the YAML, annotations included

    @property
    def text(self) -> str:
        """What the user typed."""
        return _ANNOTATION.sub(lambda m: m.group("text"), self.raw)

    @property
    def entities(self) -> frozenset[tuple[str, str]]:
        """(entity, value) pairs the annotations promise (value = text without a synonym)."""
        pairs = set()
        for m in _ANNOTATION.finditer(self.raw):
            if m.group("name"):
                pairs.add((m.group("name"), m.group("text")))
            else:
                attrs = json.loads(m.group("attrs"))
                pairs.add((attrs["entity"], attrs.get("value", m.group("text"))))
        return frozenset(pairs)

    def text_without(self, entities: set[str]) -> str:
        """The text with the spans of the given entities removed (codes, e-mails, products)."""

        def keep(m: re.Match[str]) -> str:
            name = m.group("name") or json.loads(m.group("attrs"))["entity"]
            return " " if name in entities else m.group("text")

        return " ".join(_ANNOTATION.sub(keep, self.raw).split())


def load_examples(language: str, directory: Path = NLU_DIR) -> list[Example]:
    """Every intent example of one language file (``directory/<language>.yml``), in file order."""
    document = yaml.safe_load((directory / f"{language}.yml").read_text(encoding="utf-8"))
    examples = []
    for block in document["nlu"]:
        if "intent" not in block:
            continue
        for line in block["examples"].splitlines():
            line = line.strip()
            if line.startswith("- "):
                examples.append(Example(language, block["intent"], line[2:].strip()))
    return examples


def split(
    examples: list[Example], test_share: float = 0.2, seed: int = 13
) -> tuple[list[Example], list[Example]]:
    """Stratified by intent and seeded: the same examples are held out on every run."""
    train: list[Example] = []
    test: list[Example] = []
    intents = sorted({e.intent for e in examples})
    for intent in intents:
        group = [e for e in examples if e.intent == intent]
        random.Random(f"{seed}-{group[0].language}-{intent}").shuffle(group)
        n_test = max(1, round(len(group) * test_share))
        test.extend(group[:n_test])
        train.extend(group[n_test:])
    return train, test


def product_names() -> list[str]:
    """Product names of the lookup table (the same in every language)."""
    document = yaml.safe_load((NLU_DIR / "lookups.yml").read_text(encoding="utf-8"))
    for block in document["nlu"]:
        if block.get("lookup") == "product":
            return [line[2:].strip() for line in block["examples"].splitlines() if line.strip()]
    return []
