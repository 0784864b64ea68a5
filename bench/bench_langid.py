"""Language-ID benchmark of the core's detector (issue #4): accuracy of ``lingua`` and
``langdetect``, both restricted to the seven languages, on two-word texts and on sentences.

Run: ``.venv/bin/python bench/bench_langid.py``. Prints one JSON object; the README records it.

Where the texts come from: the chat training examples in data/nlu/<lang>.yml, written for this
project (no download; neither detector was trained on them, so all of them are held-out texts for
the detectors). The spans annotated as product, e-mail, customer code or ticket number are
removed first (a product name is English in every language). Then:

- sentences: every example with at least four words left;
- two-word texts: from every example with at least two words left, two consecutive words at a
  seeded random position (e.g. "centralino non", "los agentes").

Accuracy counts a text as right when the detector's top language is the file's language.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the worktree's core, not an installed copy

from nlu_data import LANGUAGES, load_examples  # noqa: E402

from core.language import ENGINES, detector_for, language_words  # noqa: E402

NON_LANGUAGE_ENTITIES = {"product", "email", "customer_code", "ticket_number"}


def texts(seed: int = 7) -> dict[str, dict[str, list[str]]]:
    """``{kind: {language: [text, ...]}}`` for kind in sentences / two_words."""
    out: dict[str, dict[str, list[str]]] = {"two_words": {}, "sentences": {}}
    for lang in LANGUAGES:
        rng = random.Random(f"{seed}-{lang}")
        pairs, sentences = [], []
        for example in load_examples(lang):
            text = example.text_without(NON_LANGUAGE_ENTITIES)
            words = language_words(text)
            if len(words) >= 4:
                sentences.append(text)
            if len(words) >= 2:
                start = rng.randrange(len(words) - 1)
                pairs.append(" ".join(words[start : start + 2]))
        out["two_words"][lang] = list(dict.fromkeys(pairs))
        out["sentences"][lang] = list(dict.fromkeys(sentences))
    return out


def measure(engine: str, corpus: dict[str, list[str]]) -> dict[str, object]:
    detect = detector_for(engine)
    detect("warm up")  # build the detector outside the timing
    per_language: dict[str, float] = {}
    right = total = 0
    started = time.perf_counter()
    for lang, items in corpus.items():
        hits = sum(detect(text).code == lang for text in items)
        per_language[lang] = round(hits / len(items), 4)
        right += hits
        total += len(items)
    elapsed = time.perf_counter() - started
    return {
        "accuracy": round(right / total, 4),
        "per_language": per_language,
        "ms_per_text": round(1000 * elapsed / total, 3),
    }


def main() -> None:
    corpus = texts()
    report: dict[str, object] = {
        "texts": {kind: {k: len(v) for k, v in by.items()} for kind, by in corpus.items()},
        "examples": {kind: by["it"][:3] for kind, by in corpus.items()},
    }
    for engine in ENGINES:
        report[engine] = {kind: measure(engine, by) for kind, by in corpus.items()}
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
