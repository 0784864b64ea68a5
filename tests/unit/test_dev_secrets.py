"""No constant secret: outside production an unset secret is generated once per machine, in a
file only its owner reads, the same for every process; production never generates one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.settings import PROJECT_ROOT, SettingsError, load_settings

NAMES = ("SECRET_KEY", "CHAT_TOKEN_SECRET", "FRONTDOOR_ACTIONS_SECRET")
PROCESSES = 8
PRINT_SECRETS = (
    "from core.settings import load_settings; s = load_settings(); "
    "print(s.secret_key, s.chat.token_secret, s.chat.actions_secret)"
)


def test_unset_secrets_are_generated_once_and_kept_in_a_0600_file(tmp_path: Path) -> None:
    """Three different random secrets, the same at the next start, in a file mode 0600."""
    path = tmp_path / "var" / "dev-secrets.json"
    first = load_settings({"FRONTDOOR_DEV_SECRETS": str(path)})
    again = load_settings({"FRONTDOOR_DEV_SECRETS": str(path)})
    values = (first.secret_key, first.chat.token_secret, first.chat.actions_secret)
    assert values == (again.secret_key, again.chat.token_secret, again.chat.actions_secret)
    assert len(set(values)) == 3 and all(v and len(v) >= 40 for v in values)
    assert path.stat().st_mode & 0o777 == 0o600
    assert json.loads(path.read_text("utf-8")) == dict(zip(NAMES, values, strict=True))


def test_processes_started_together_agree_on_the_generated_secrets(tmp_path: Path) -> None:
    """Eight processes loading the settings at once on a fresh machine print the same secrets."""
    env = {"FRONTDOOR_DEV_SECRETS": str(tmp_path / "dev-secrets.json"), "PYTHONPATH": "."}
    started = [
        subprocess.Popen(
            [sys.executable, "-c", PRINT_SECRETS],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    printed = {process.communicate(timeout=60)[0] for process in started}
    assert all(process.returncode == 0 for process in started)
    assert len(printed) == 1


def test_a_secret_that_is_set_is_used_and_not_generated(tmp_path: Path) -> None:
    """With all three set, no file is written."""
    path = tmp_path / "dev-secrets.json"
    env = {"SECRET_KEY": "w", "CHAT_TOKEN_SECRET": "c", "FRONTDOOR_ACTIONS_SECRET": "a"}
    settings = load_settings({**env, "FRONTDOOR_DEV_SECRETS": str(path)})
    assert (settings.secret_key, settings.chat.token_secret, settings.chat.actions_secret) == (
        "w",
        "c",
        "a",
    )
    assert not path.exists()


def test_production_never_generates_a_secret_and_refuses_to_start(tmp_path: Path) -> None:
    """In production the unset secrets stay empty, no file is written, start-up is refused."""
    path = tmp_path / "dev-secrets.json"
    settings = load_settings({"FRONTDOOR_ENV": "production", "FRONTDOOR_DEV_SECRETS": str(path)})
    assert settings.secret_key is None
    assert settings.chat.token_secret == "" and settings.chat.actions_secret == ""
    assert not path.exists()
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        settings.require_production_settings()


def test_no_constant_development_secret_is_left_in_the_code() -> None:
    """The old fallbacks ("dev-only-not-secret", DEV_TOKEN_SECRET) are gone from every package."""
    packages = ("core", "bot", "web", "ivr", "cli", "phonesim", "bench", "scripts")
    banned = ("dev-only", "not-secret", "DEV_TOKEN_SECRET", "frontdoor-dev-chat-token-secret")
    found = [
        f"{path}: {word}"
        for package in packages
        for path in (PROJECT_ROOT / package).rglob("*")
        if path.is_file() and path.suffix in (".py", ".sh", ".yml", ".html", ".js")
        for word in banned
        if word in path.read_text("utf-8", errors="replace")
    ]
    assert found == []
