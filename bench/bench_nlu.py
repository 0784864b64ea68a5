"""Held-out NLU benchmark of the Help Center assistant (issue #4): intent accuracy and macro-F1
per language, entity exact match, training time and model size.

Run: ``.venv-rasa/bin/python bench/bench_nlu.py [--config config.yml] [--out /tmp/nlu-bench]``.

Each data/nlu/<lang>.yml is split 80/20, stratified by intent and seeded (bench/nlu_data.py), so
the same examples are held out on every run. One NLU model is trained with ``rasa train nlu`` on
the training parts of all seven languages together (plus data/nlu/lookups.yml), then every
held-out example is parsed by that model. A held-out text that also occurs in the training part
(e.g. "ok" in two languages) is left out of the test, so the test never sees a trained sentence.
The pipeline is the ``pipeline:`` of the given Rasa config (the repository's config.yml by
default); with a FallbackClassifier, an ``nlu_fallback`` answer counts as a wrong intent, as in
production (``macro_f1_without_fallback`` scores the classifier's best intent instead).
Prints one JSON object; the README records the figures.
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
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml
from nlu_data import LANGUAGES, NLU_DIR, ROOT, Example, load_examples, split

TARGET_MACRO_F1 = 0.92
FALLBACK = "nlu_fallback"


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _write_training_yaml(path: Path, examples: list[Example]) -> None:
    by_intent: dict[str, list[str]] = defaultdict(list)
    for example in examples:
        by_intent[example.intent].append(example.raw)
    lines = ['version: "3.1"', "nlu:"]
    for intent, raws in by_intent.items():
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {raw}" for raw in dict.fromkeys(raws)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _nlu_config(config: Path, target: Path) -> None:
    """The config without its policies: ``rasa train nlu`` needs only the pipeline."""
    document = yaml.safe_load(config.read_text(encoding="utf-8"))
    document.pop("policies", None)
    target.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def train(train_set: list[Example], config: Path, workdir: Path) -> tuple[Path, float]:
    """Train with the Rasa CLI; returns the model and the wall-clock seconds."""
    data = workdir / "data"
    data.mkdir()
    _write_training_yaml(data / "train.yml", train_set)
    (data / "lookups.yml").write_text((NLU_DIR / "lookups.yml").read_text("utf-8"), "utf-8")
    nlu_config = workdir / "config.yml"
    _nlu_config(config, nlu_config)
    rasa = Path(sys.executable).with_name("rasa")
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    command = [str(rasa), "train", "nlu", "--config", str(nlu_config), "--nlu", str(data)]
    command += ["--out", str(workdir / "models"), "--fixed-model-name", "nlu-bench"]
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env, cwd=workdir, stdout=sys.stderr)
    seconds = time.perf_counter() - started
    return workdir / "models" / "nlu-bench.tar.gz", seconds


def _macro_f1(pairs: list[tuple[str, str]]) -> float:
    """Macro-F1 over the intents present in the gold labels."""
    scores = []
    for intent in sorted({gold for gold, _ in pairs}):
        tp = sum(1 for g, p in pairs if g == intent and p == intent)
        fp = sum(1 for g, p in pairs if g != intent and p == intent)
        fn = sum(1 for g, p in pairs if g == intent and p != intent)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def _top_intent(result: dict[str, Any]) -> str:
    """The classifier's best intent, before the FallbackClassifier's threshold."""
    ranking = [r["name"] for r in result.get("intent_ranking") or [] if r["name"] != FALLBACK]
    return ranking[0] if ranking else result["intent"]["name"]


async def _parse_all(model: Path, texts: list[str]) -> list[dict[str, Any]]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def evaluate(model: Path, tests: dict[str, list[Example]]) -> dict[str, Any]:
    texts = [e.text for lang in tests for e in tests[lang]]
    started = time.perf_counter()
    with contextlib.redirect_stdout(sys.stderr):  # Rasa logs each parse on stdout
        parsed = iter(asyncio.run(_parse_all(model, texts)))
    per_language: dict[str, Any] = {}
    for lang in tests:
        pairs, ranked, errors, with_entities, entities_ok = [], [], [], 0, 0
        for example in tests[lang]:
            result = next(parsed)
            predicted = result["intent"]["name"]
            pairs.append((example.intent, predicted))
            ranked.append((example.intent, _top_intent(result)))
            if predicted != example.intent:
                errors.append(f"{example.text!r}: {example.intent} -> {predicted}")
            if example.entities:
                with_entities += 1
                found = {(e["entity"], str(e["value"])) for e in result["entities"]}
                entities_ok += found == set(example.entities)
        per_language[lang] = {
            "n_test": len(pairs),
            "accuracy": round(sum(g == p for g, p in pairs) / len(pairs), 4),
            "macro_f1": round(_macro_f1(pairs), 4),
            "fallbacks": sum(p == FALLBACK for _, p in pairs),
            "macro_f1_without_fallback": round(_macro_f1(ranked), 4),
            "entities_exact": round(entities_ok / with_entities, 4) if with_entities else None,
            "errors": errors,
        }
    per_language["_parse_ms_mean"] = round(1000 * (time.perf_counter() - started) / len(texts), 2)
    return per_language


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml", help="Rasa config")
    parser.add_argument("--out", type=Path, default=None, help="work directory (default: temp)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--quiet", action="store_true", help="omit the list of errors")
    parser.add_argument("--languages", default=",".join(LANGUAGES), help="comma-separated codes")
    args = parser.parse_args()
    languages = tuple(args.languages.split(","))

    train_set: list[Example] = []
    tests: dict[str, list[Example]] = {}
    for lang in languages:
        train_part, test_part = split(load_examples(lang), seed=args.seed)
        train_set += train_part
        tests[lang] = test_part
    trained = {e.text.casefold() for e in train_set}
    dropped = {lang: sum(e.text.casefold() in trained for e in tests[lang]) for lang in languages}
    tests = {lang: [e for e in t if e.text.casefold() not in trained] for lang, t in tests.items()}

    workdir = args.out or Path(tempfile.mkdtemp(prefix="nlu-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    model, seconds = train(train_set, args.config.resolve(), workdir)
    results = evaluate(model, tests)
    parse_ms = results.pop("_parse_ms_mean")
    if args.quiet:
        for figures in results.values():
            figures.pop("errors")
    worst = min(figures["macro_f1"] for figures in results.values())
    report = {
        "machine": {"cpu": _cpu(), "cores": os.cpu_count(), "python": platform.python_version()},
        "config": str(args.config),
        "seed": args.seed,
        "train_examples": len(train_set),
        "held_out_dropped_as_seen_in_training": dropped,
        "training_seconds": round(seconds, 1),
        "model_bytes": model.stat().st_size,
        "parse_ms_mean": parse_ms,
        "languages": results,
        "min_macro_f1": worst,
        "target_met": worst >= TARGET_MACRO_F1,
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
