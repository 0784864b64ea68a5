"""The floor of the chat benchmark: a stock Rasa bot with our NLU pipeline and training data,
whose rules answer every intent with a fixed response (no custom action server, no forms, the
default in-memory tracker store). Trained once into var/bench-floor/ (again when the NLU data or
config change) and started with ``rasa run`` on a free port."""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from core.settings import PROJECT_ROOT
from tests.e2e.chat_stack import _stop, _wait_until_up, free_port, rest_turn

RASA_BIN = Path(os.environ.get("RASA_BIN", PROJECT_ROOT / ".venv-rasa" / "bin"))
FLOOR_DIR = PROJECT_ROOT / "var" / "bench-floor"


def _project(directory: Path) -> str:
    """Write the floor project; returns the digest of what it is trained from."""
    ours = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text("utf-8"))
    intents = [str(i) for i in ours["intents"]]
    domain = {
        "version": "3.1",
        "intents": intents,
        "entities": ours["entities"],
        "responses": {f"utter_{i}": [{"text": f"ok: {i}"}] for i in [*intents, "fallback"]},
    }
    rules = [
        {"rule": i, "steps": [{"intent": i}, {"action": f"utter_{i}"}]}
        for i in [*intents, "nlu_fallback"]
    ]
    domain["responses"]["utter_nlu_fallback"] = [{"text": "ok: fallback"}]
    (directory / "data").mkdir(parents=True, exist_ok=True)
    shutil.copytree(PROJECT_ROOT / "data" / "nlu", directory / "data" / "nlu", dirs_exist_ok=True)
    (directory / "data" / "rules.yml").write_text(
        yaml.safe_dump({"version": "3.1", "rules": rules}, allow_unicode=True), "utf-8"
    )
    (directory / "domain.yml").write_text(yaml.safe_dump(domain, allow_unicode=True), "utf-8")
    config = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text("utf-8"))
    config["policies"] = [{"name": "RulePolicy"}]  # a stock bot of rules: no TED, no memo
    (directory / "config.yml").write_text(yaml.safe_dump(config), "utf-8")
    (directory / "credentials.yml").write_text("rest:\n", "utf-8")
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*.yml")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _train(directory: Path, digest: str) -> Path:
    model = directory / "models" / f"floor-{digest[:12]}.tar.gz"
    if not model.exists():
        shutil.rmtree(directory / "models", ignore_errors=True)
        subprocess.run(
            [
                str(RASA_BIN / "rasa"),
                "train",
                "--fixed-model-name",
                model.name[:-7],
                "--out",
                "models",
            ],
            cwd=directory,
            check=True,
            stdout=sys.stderr,
        )
    return model


@contextmanager
def floor_bot(workdir: Path) -> Iterator[Callable[..., Any]]:
    """The floor bot running; yields ``say(sender, text, **metadata)`` like the stack's."""
    digest = _project(FLOOR_DIR)
    model = _train(FLOOR_DIR, digest)
    port = free_port()
    log = workdir / "floor.log"
    with log.open("wb") as out:
        rasa = subprocess.Popen(
            [
                str(RASA_BIN / "rasa"),
                "run",
                "--model",
                str(model),
                "--port",
                str(port),
                "--interface",
                "127.0.0.1",
                "--credentials",
                "credentials.yml",
            ],
            cwd=FLOOR_DIR,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_up(f"{base}/webhooks/rest/", [rasa], log)
            yield functools.partial(rest_turn, f"{base}/webhooks/rest/webhook")
        finally:
            _stop(rasa)
