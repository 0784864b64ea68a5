"""Benchmark of the chat: REST turn latency (Rasa + action server + core on SQLite), p50/p95,
beside its floor: a stock Rasa bot answering the same messages.

Run: ``.venv/bin/python bench/bench_chat.py [--turns 300]`` after ``scripts/rasa-train.sh``.
Starts the stack like the end-to-end test (free ports, a fresh demo database), then plays
identified conversations (Help Center token) round-robin in the seven languages: a problem in
a sentence, the product button, the impact button, "yes, open it" (a ticket is opened), "no",
and a question about hours. Each turn is one POST /webhooks/rest/webhook, timed from request
to full answer.

The floor (bench/floor.py) is a minimal bot with the same NLU pipeline and training data whose
every intent answers with a fixed response (no custom action, in-memory tracker store), played
the same way by the same client, back to back: the difference is our plumbing and work (action
call, tracker store, token check, the core). A second floor runs one custom action per turn
instead of the fixed response (rasa_sdk's own action server, an action that only replies): the
least a turn costs when actions run in another process, as ours do (the core on the main
Python, Rasa on 3.10). Prints one JSON object with all three and the ratios; the README records
the figures.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.floor import floor_bot
from core.tokens import issue_token
from tests.e2e.chat_stack import SECRET, chat_stack
from tests.e2e.test_chat_rest import CONVERSATIONS

HOURS = {
    "it": "quali sono i vostri orari di apertura?",
    "en": "what are your opening hours?",
    "de": "wann haben Sie geöffnet?",
    "fr": "quels sont vos horaires d'ouverture ?",
    "es": "¿cuál es su horario de atención?",
    "pt": "qual é o vosso horário de funcionamento?",
    "ar": "ما هي ساعات العمل لديكم؟",
}


def _conversation(language: str) -> list[str]:
    _code, opening = CONVERSATIONS[language]
    return [
        opening,
        '/inform{"product": "Digital Fax"}',
        '/inform{"priority": "P3"}',
        "/affirm",
        "/deny",
        HOURS[language],
    ]


Say = Callable[..., object]


def _play(say: Say, turns: int) -> list[float]:
    latencies: list[float] = []
    languages = list(CONVERSATIONS)
    i = 0
    while len(latencies) < turns:
        language = languages[i % len(languages)]
        code = CONVERSATIONS[language][0]
        now = datetime.now(UTC)
        token = issue_token(
            SECRET, code, f"admin{code}@customer.example", now, timedelta(hours=1), language
        )
        sender = f"bench-{uuid.uuid4().hex[:10]}"
        for message in _conversation(language):
            start = time.perf_counter()
            say(sender, message, token=token)
            latencies.append((time.perf_counter() - start) * 1000)
        i += 1
    return latencies[:turns]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir, chat_stack(Path(workdir)) as stack:
        _play(stack.say, args.warmup)
        ours = _figures(_play(stack.say, args.turns))
    with tempfile.TemporaryDirectory() as workdir, floor_bot(Path(workdir)) as say:
        _play(say, args.warmup)
        floor = _figures(_play(say, args.turns))
    with tempfile.TemporaryDirectory() as workdir, floor_bot(Path(workdir), True) as say:
        _play(say, args.warmup)
        one_action = _figures(_play(say, args.turns))
    print(
        json.dumps(
            {
                "turns": args.turns,
                "frontdoor": ours,
                "floor_stock_rasa_bot": floor,
                "p50_ratio": round(ours["p50_ms"] / floor["p50_ms"], 2),
                "p95_ratio": round(ours["p95_ms"] / floor["p95_ms"], 2),
                "floor_with_one_custom_action": one_action,
                "one_action_p95_ratio_to_floor": round(one_action["p95_ms"] / floor["p95_ms"], 2),
                "p95_ratio_to_one_action": round(ours["p95_ms"] / one_action["p95_ms"], 2),
                "python": platform.python_version(),
                "cpus": __import__("os").cpu_count(),
            }
        )
    )


def _figures(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    cuts = statistics.quantiles(ordered, n=100)
    return {
        "p50_ms": round(cuts[49], 1),
        "p95_ms": round(cuts[94], 1),
        "max_ms": round(ordered[-1], 1),
    }


if __name__ == "__main__":
    main()
