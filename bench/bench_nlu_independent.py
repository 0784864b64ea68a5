"""The chat's NLU on the independent test set: text its training data was never written against.

Run (Rasa environment): ``.venv-rasa/bin/python bench/bench_nlu_independent.py [--model PATH]``.

tests/nlu_independent/<lang>.yml was written by someone who never read data/nlu/ (its README);
it is never trained on. The model (default: the newest in models/, as ``make run`` and the tests
use it) parses every utterance; per language the script prints intent accuracy and macro-F1
(over the intents of the test set: an intent the model does not know yet scores 0), entity exact
match (the set of (entity, value) pairs of an utterance, all right or wrong), and the
out-of-scope false-acceptance rate: the share of out-of-scope utterances the model takes for an
intent that starts a form or opens a ticket (``ACCEPTING``); ``out_of_scope_not_refused`` counts
any answer other than out_of_scope or the fallback. Prints one JSON object, with the model's
size; ``--train`` first trains config.yml from scratch (empty cache) and reports the training
time too.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench_nlu import FALLBACK, _macro_f1, _parse_all
from nlu_data import LANGUAGES, ROOT, load_examples

TEST_DIR = ROOT / "tests" / "nlu_independent"
ACCEPTING = frozenset(
    {
        "report_problem",
        "request_remote_session",
        "request_onsite",
        "request_installation",
        "renew_contract",
        "ticket_status",
    }
)
TARGET_MACRO_F1, TARGET_ENTITIES, TARGET_FALSE_ACCEPTANCE = 0.95, 0.85, 0.05


def train_from_scratch(directory: Path) -> tuple[Path, float]:
    """``rasa train`` of config.yml, domain.yml and data/ with an empty cache: (model, seconds)."""
    env = {
        **os.environ,
        "RASA_CACHE_DIRECTORY": str(directory / "cache"),
        # as scripts/rasa-train.sh trains: no component cache unless RASA_MAX_CACHE_SIZE says so
        "RASA_MAX_CACHE_SIZE": os.environ.get("RASA_MAX_CACHE_SIZE", "0"),
    }
    rasa = Path(sys.executable).parent / "rasa"
    started = time.perf_counter()
    subprocess.run(
        [str(rasa), "train", "--skip-validation", "--out", str(directory / "models")],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=sys.stderr,
    )
    seconds = round(time.perf_counter() - started, 1)
    return next((directory / "models").glob("*.tar.gz")), seconds


def newest_model() -> Path:
    models = sorted((ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        sys.exit("bench_nlu_independent: no model in models/ (run scripts/rasa-train.sh)")
    return models[-1]


def score(examples: list[Any], results: list[dict[str, Any]]) -> dict[str, Any]:
    pairs = [(e.intent, r["intent"]["name"]) for e, r in zip(examples, results, strict=True)]
    out_of_scope = [p for g, p in pairs if g == "out_of_scope"]
    with_entities = [(e, r) for e, r in zip(examples, results, strict=True) if e.entities]
    exact = sum(
        {(x["entity"], str(x["value"])) for x in r["entities"]} == set(e.entities)
        for e, r in with_entities
    )
    confusions = Counter(f"{g} -> {p}" for g, p in pairs if g != p)
    return {
        "entity_errors": _entity_errors(examples, results),
        "n": len(pairs),
        "accuracy": round(sum(g == p for g, p in pairs) / len(pairs), 4),
        "macro_f1": round(_macro_f1(pairs), 4),
        "entities_exact": round(exact / len(with_entities), 4) if with_entities else None,
        "n_with_entities": len(with_entities),
        "out_of_scope_false_acceptance": round(
            sum(p in ACCEPTING for p in out_of_scope) / len(out_of_scope), 4
        ),
        "out_of_scope_not_refused": round(
            sum(p not in ("out_of_scope", FALLBACK) for p in out_of_scope) / len(out_of_scope), 4
        ),
        "fallbacks": sum(p == FALLBACK for _, p in pairs),
        "top_confusions": confusions.most_common(8),
    }


def _entity_errors(examples: list[Any], results: list[dict[str, Any]]) -> dict[str, int]:
    """Counts per entity type: missed, found with another value, found where there is none."""
    errors: Counter[str] = Counter()
    for e, r in zip(examples, results, strict=True):
        gold = dict(e.entities)
        found = {x["entity"]: str(x["value"]) for x in r["entities"]}
        for entity, value in gold.items():
            if entity not in found:
                errors[f"{entity} missed"] += 1
            elif found[entity] != value:
                errors[f"{entity} wrong value"] += 1
        for entity in found.keys() - gold.keys():
            errors[f"{entity} spurious"] += 1
    return dict(errors.most_common())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="a Rasa model (.tar.gz)")
    parser.add_argument("--languages", default=",".join(LANGUAGES), help="comma-separated codes")
    parser.add_argument(
        "--train",
        action="store_true",
        help="train config.yml from scratch first (empty cache, temporary directory), timed",
    )
    args = parser.parse_args()
    training = None
    if args.train:
        model, training = train_from_scratch(Path(tempfile.mkdtemp(prefix="nlu-bench-")))
    else:
        model = args.model or newest_model()
    tests = {lang: load_examples(lang, TEST_DIR) for lang in args.languages.split(",")}
    texts = [e.text for examples in tests.values() for e in examples]
    with contextlib.redirect_stdout(sys.stderr):  # Rasa logs each parse on stdout
        parsed = asyncio.run(_parse_all(model, texts))
    results, start = {}, 0
    for lang, examples in tests.items():
        results[lang] = score(examples, parsed[start : start + len(examples)])
        start += len(examples)
    oos = [r["out_of_scope_false_acceptance"] for r in results.values()]
    report = {
        "machine": {"cores": os.cpu_count(), "python": platform.python_version()},
        "model": str(model),
        "model_bytes": model.stat().st_size,
        "training_from_scratch_s": training,
        "languages": results,
        "min_macro_f1": min(r["macro_f1"] for r in results.values()),
        "min_entities_exact": min(r["entities_exact"] or 0.0 for r in results.values()),
        "mean_out_of_scope_false_acceptance": round(sum(oos) / len(oos), 4),
        "targets": {
            "macro_f1": TARGET_MACRO_F1,
            "entities_exact": TARGET_ENTITIES,
            "out_of_scope_false_acceptance": TARGET_FALSE_ACCEPTANCE,
        },
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
