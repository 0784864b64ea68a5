"""scripts/rasa-train.sh: unchanged inputs cost no training and no new model; old models pruned."""

from __future__ import annotations

import subprocess
import time

import pytest

from tests.e2e.chat_stack import PROJECT_ROOT, train_model

pytestmark = pytest.mark.chat_model


def test_unchanged_inputs_start_no_training_and_save_no_model() -> None:
    train_model()  # trained before the suite by make test; a no-op then
    models = PROJECT_ROOT / "models"
    before = sorted(models.glob("*.tar.gz"))
    started = time.monotonic()
    result = subprocess.run(
        [str(PROJECT_ROOT / "scripts" / "rasa-train.sh")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert time.monotonic() - started < 10
    assert "unchanged" in result.stdout
    assert sorted(models.glob("*.tar.gz")) == before
    assert 1 <= len(before) <= 3
