"""Attacks on the production switch (security perimeter, finding 3), kept as regression tests:
development defaults must not be reachable by mistake in production."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from core.bootstrap import Frontdoor, bootstrap
from core.settings import MIN_SECRET_BYTES, SettingsError, load_settings
from web import create_app

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "FRONTDOOR_ENV": "production",
    "SECRET_KEY": "k" * 48,
    "CHAT_TOKEN_SECRET": "c" * 48,
    "TWILIO_AUTH_TOKEN": "twilio-auth-token",
    "PUBLIC_BASE_URL": "https://frontdoor.example.com",
}


def refusal(env: dict[str, str]) -> str:
    """The one line that refuses ``env`` at start-up."""
    with pytest.raises(SettingsError) as raised:
        load_settings(env).require_production_settings()
    message = str(raised.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("value", ["production", "Production", " PRODUCTION ", "production\n"])
def test_production_is_recognised_in_any_case_and_trimmed(value: str) -> None:
    """FRONTDOOR_ENV=Production used to start a development server silently."""
    assert load_settings({**PRODUCTION, "FRONTDOOR_ENV": value}).production


@pytest.mark.parametrize("value", ["development", "Development", "", "  "])
def test_development_is_the_default_and_named_in_any_case(value: str) -> None:
    assert not load_settings({"FRONTDOOR_ENV": value}).production
    assert not load_settings({}).production


@pytest.mark.parametrize("value", ["prod", "staging", "1", "true", "production-eu"])
def test_any_other_environment_is_refused_naming_the_variable(value: str) -> None:
    """FRONTDOOR_ENV=prod used to mean development: now the start is refused, one line."""
    with pytest.raises(SettingsError) as raised:
        load_settings({**PRODUCTION, "FRONTDOOR_ENV": value})
    message = str(raised.value)
    assert message.startswith("FRONTDOOR_ENV must be production or development")
    assert repr(value) in message and "\n" not in message


def test_a_complete_production_configuration_starts() -> None:
    settings = load_settings(PRODUCTION)
    settings.require_production_settings()
    assert settings.production


@pytest.mark.parametrize("name", ["SECRET_KEY", "CHAT_TOKEN_SECRET", "FRONTDOOR_ACTIONS_SECRET"])
@pytest.mark.parametrize("length", [1, MIN_SECRET_BYTES - 1])
def test_a_short_secret_is_refused_in_production(name: str, length: int) -> None:
    """A 1-character SECRET_KEY was accepted; 31 bytes are refused too."""
    message = refusal({**PRODUCTION, name: "x" * length})
    assert name in message and f"at least {MIN_SECRET_BYTES} bytes" in message


def test_a_secret_of_32_bytes_is_enough() -> None:
    env = {**PRODUCTION, "SECRET_KEY": "x" * 32, "CHAT_TOKEN_SECRET": "y" * 32}
    load_settings(env).require_production_settings()


def test_a_short_secret_key_is_refused_as_the_chat_secret_too() -> None:
    """Without CHAT_TOKEN_SECRET the chat tokens are signed with SECRET_KEY: both too short."""
    env = {key: value for key, value in PRODUCTION.items() if key != "CHAT_TOKEN_SECRET"}
    message = refusal({**env, "SECRET_KEY": "short"})
    assert "SECRET_KEY, CHAT_TOKEN_SECRET" in message


@pytest.mark.parametrize(
    "url", ["http://frontdoor.example.com", "frontdoor.example.com", "ftp://frontdoor.example"]
)
def test_a_public_base_url_that_is_not_https_is_refused_in_production(url: str) -> None:
    """An http PUBLIC_BASE_URL gave non-Secure session cookies."""
    message = refusal({**PRODUCTION, "PUBLIC_BASE_URL": url})
    assert "https PUBLIC_BASE_URL" in message


def test_development_keeps_its_conveniences() -> None:
    """Outside production none of this is checked: short secrets and http are fine locally."""
    env = {"SECRET_KEY": "x", "PUBLIC_BASE_URL": "http://localhost:5000"}
    load_settings(env).require_production_settings()


@pytest.mark.parametrize("name", ["FRONTDOOR_IVR_SKIP_SIGNATURE", "FRONTDOOR_IVR_SIMULATED_TIME"])
def test_ivr_development_switches_are_refused_in_production(name: str) -> None:
    with pytest.raises(SettingsError, match=f"{name}=1 is refused in production"):
        load_settings({**PRODUCTION, "FRONTDOOR_ENV": "Production", name: "1"})


def test_a_chat_clock_ahead_of_time_is_refused_in_production() -> None:
    with pytest.raises(SettingsError, match="FRONTDOOR_CHAT_CLOCK_OFFSET is refused in production"):
        load_settings({**PRODUCTION, "FRONTDOOR_CHAT_CLOCK_OFFSET": "3600"})


@pytest.fixture
def production_frontdoor(tmp_path: Path) -> Iterator[Frontdoor]:
    env = {**PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path / 'frontdoor.sqlite3'}"}
    fd = bootstrap(load_settings(env))
    yield fd
    fd.dispose()


def test_the_demo_sign_in_is_refused_in_production(production_frontdoor: Frontdoor) -> None:
    """Anyone could chat as a demo contact: the app refuses to start with it switched on."""
    config = {"FRONTDOOR_WARM": False, "FRONTDOOR_DEMO_SIGN_IN": True}
    with pytest.raises(SettingsError, match="demo sign-in"):
        create_app(config, production_frontdoor)
    app = create_app({"FRONTDOOR_WARM": False}, production_frontdoor)
    assert app.config["FRONTDOOR_DEMO_SIGN_IN"] is False


def test_create_app_refuses_weak_production_settings(production_frontdoor: Frontdoor) -> None:
    weak = replace(production_frontdoor.settings, secret_key="x")
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        create_app({"FRONTDOOR_WARM": False}, replace(production_frontdoor, settings=weak))


def test_production_session_cookies_are_secure_httponly_and_samesite(
    production_frontdoor: Frontdoor,
) -> None:
    app = create_app({"FRONTDOOR_WARM": False}, production_frontdoor)
    response = app.test_client().get("/help/", base_url="https://frontdoor.example.com")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def frontdoor_cli(
    tmp_path: Path, env: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    """The ``frontdoor`` command of this tree, in an empty folder (no ``.env``)."""
    return subprocess.run(
        [sys.executable, "-c", "from cli.main import main; main()", *args],
        cwd=tmp_path,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith(("FRONTDOOR_", "SECRET"))},
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'frontdoor.sqlite3'}",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "why"),
    [
        ({**PRODUCTION, "FRONTDOOR_ENV": "prod"}, "FRONTDOOR_ENV must be production"),
        ({**PRODUCTION, "SECRET_KEY": "x"}, "SECRET_KEY"),
        ({**PRODUCTION, "PUBLIC_BASE_URL": "http://frontdoor.example.com"}, "https"),
        ({**PRODUCTION, "FRONTDOOR_IVR_SKIP_SIGNATURE": "1"}, "SKIP_SIGNATURE=1 is refused"),
    ],
)
def test_the_command_line_refuses_with_exit_2_and_one_line(
    tmp_path: Path, env: dict[str, str], why: str
) -> None:
    """``frontdoor serve`` (and every command) stops before serving: exit 2, one line."""
    result = frontdoor_cli(tmp_path, env, "serve", "--port", "1")
    assert result.returncode == 2, result.stderr
    assert why in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
