"""The floors of the chat benchmark: a stock Rasa bot with our NLU pipeline and training data,
whose rules answer every intent with a fixed response (no forms, the default in-memory tracker
store); with ``with_action`` every rule runs one custom action instead (bench/floor_actions.py:
a fixed reply from rasa_sdk's own action server, no database; Rasa started through our
rasaserver/cli.py, as ours is), the least any turn of an assistant whose actions run in
another process costs. Each is trained once into its directory
under var/ (again when the NLU data or config change) and started with ``rasa run`` on a free
port."""

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
FLOOR_ACTION_DIR = PROJECT_ROOT / "var" / "bench-floor-action"
VENV_BIN = Path(sys.executable).parent


def _project(directory: Path, with_action: bool = False) -> str:
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
        {
            "rule": i,
            "steps": [{"intent": i}, {"action": "action_fixed" if with_action else f"utter_{i}"}],
        }
        for i in [*intents, "nlu_fallback"]
    ]
    if with_action:
        domain["actions"] = ["action_fixed"]
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
        if path.name != "endpoints.yml":  # written at each start, with that start's port
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
def floor_bot(workdir: Path, with_action: bool = False) -> Iterator[Callable[..., Any]]:
    """The floor bot running; yields ``say(sender, text, **metadata)`` like the stack's."""
    directory = FLOOR_ACTION_DIR if with_action else FLOOR_DIR
    digest = _project(directory, with_action)
    model = _train(directory, digest)
    port, actions_port = free_port(), free_port()
    (directory / "endpoints.yml").write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{actions_port}/webhook"\n', "utf-8"
    )
    log = workdir / "floor.log"
    with log.open("wb") as out:
        processes = []
        if with_action:
            processes.append(
                subprocess.Popen(
                    [
                        str(VENV_BIN / "python"),
                        "-m",
                        "rasa_sdk",
                        "--actions",
                        "bench.floor_actions",
                        "--port",
                        str(actions_port),
                    ],
                    cwd=PROJECT_ROOT,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        # with an action: our Rasa command line (rasaserver/cli.py), whose check of the action
        # server's answers is not stock Rasa's (that one costs about 30 ms per action here)
        rasa_cli = (
            [str(RASA_BIN / "python"), "-m", "rasaserver.cli"]
            if with_action
            else [str(RASA_BIN / "rasa")]
        )
        rasa = subprocess.Popen(
            [
                *rasa_cli,
                "run",
                "--model",
                str(model),
                "--port",
                str(port),
                "--interface",
                "127.0.0.1",
                "--credentials",
                "credentials.yml",
                "--endpoints",
                "endpoints.yml",
            ],
            cwd=directory,
            env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},  # rasaserver
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        processes.append(rasa)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_up(f"{base}/webhooks/rest/", processes, log)
            if with_action:
                _wait_until_up(f"http://127.0.0.1:{actions_port}/health", processes, log)
            yield functools.partial(rest_turn, f"{base}/webhooks/rest/webhook")
        finally:
            for process in processes:
                _stop(process)
