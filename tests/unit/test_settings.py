"""The one settings object: every variable read by ``load_settings``, in typed sections."""

from __future__ import annotations

import pytest

from core.settings import SettingsError, load_settings


def test_defaults_outside_production() -> None:
    """Nothing set: development, the sections at their documented defaults."""
    settings = load_settings({})
    assert not settings.production and not settings.debug
    assert settings.chat.token_secret and settings.chat.actions_secret and settings.secret_key
    assert (settings.chat.rasa_host, settings.chat.actions_host) == ("127.0.0.1", "127.0.0.1")
    assert (settings.chat.rasa_url, settings.chat.rasa_timeout) == ("http://127.0.0.1:5005", 30.0)
    assert not settings.web.worker_header
    ivr = settings.ivr
    assert (ivr.dial_mode, ivr.dial_timeout, ivr.record_max_seconds) == ("sequential", 20, 120)
    assert not ivr.skip_signature and not ivr.simulated_time
    assert settings.transcript_retention_days == 365


def test_sections_read_their_variables() -> None:
    env = {
        "CHAT_TOKEN_SECRET": "chat",
        "SECRET_KEY": "web",
        "FRONTDOOR_RASA_URL": "http://rasa:5005",
        "FRONTDOOR_RASA_TIMEOUT": "2.5",
        "FRONTDOOR_WORKER_HEADER": "1",
        "FRONTDOOR_IVR_DESK_QUEUE": "support",
        "FRONTDOOR_IVR_DIAL_TIMEOUT": "15",
        "FRONTDOOR_IVR_SIMULATED_TIME": "1",
        "FRONTDOOR_DEBUG": "1",
    }
    settings = load_settings(env)
    assert (settings.chat.token_secret, settings.secret_key) == ("chat", "web")
    assert (settings.chat.rasa_url, settings.chat.rasa_timeout) == ("http://rasa:5005", 2.5)
    assert settings.web.worker_header and settings.debug
    assert settings.ivr.desk_queue("europe") == "support"
    assert (settings.ivr.dial_timeout, settings.ivr.simulated_time) == (15, True)


def test_the_chat_token_secret_falls_back_to_secret_key() -> None:
    assert load_settings({"SECRET_KEY": "web"}).chat.token_secret == "web"


def test_on_call_numbers_are_read_once_for_the_ivr_and_the_alerts() -> None:
    settings = load_settings({"FRONTDOOR_ONCALL_NUMBERS": "+390500000001,+14155550100"})
    assert settings.on_call_numbers is settings.ivr.on_call_numbers
    assert settings.ivr.on_call_numbers == ("+390500000001", "+14155550100")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FRONTDOOR_ONCALL_NUMBERS", "+390500000001,0584 123456"),
        ("FRONTDOOR_IVR_DESK_NUMBER", "europe=0584"),
        ("FRONTDOOR_IVR_DIAL_MODE", "round-robin"),
        ("FRONTDOOR_IVR_DIAL_TIMEOUT", "0"),
        ("FRONTDOOR_IVR_RECORD_MAX_SECONDS", "2m"),
        ("FRONTDOOR_TRANSCRIPT_RETENTION_DAYS", "-1"),
        ("FRONTDOOR_RASA_URL", "rasa:5005"),
        ("FRONTDOOR_RASA_TIMEOUT", "soon"),
        ("FRONTDOOR_RASA_TIMEOUT", "0"),
    ],
)
def test_a_malformed_value_is_one_line_naming_its_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({name: value})
    message = str(raised.value)
    assert name in message and "\n" not in message


@pytest.mark.parametrize("name", ["FRONTDOOR_IVR_SKIP_SIGNATURE", "FRONTDOOR_IVR_SIMULATED_TIME"])
def test_development_switches_are_refused_in_production(name: str) -> None:
    with pytest.raises(SettingsError, match=f"{name}=1 is refused in production"):
        load_settings({"FRONTDOOR_ENV": "production", name: "1"})


def test_production_needs_a_chat_token_secret() -> None:
    """No development secret in production: without CHAT_TOKEN_SECRET or SECRET_KEY the start
    is refused, naming it with the other missing secrets."""
    settings = load_settings({"FRONTDOOR_ENV": "production"})
    assert settings.chat.token_secret == ""
    with pytest.raises(SettingsError, match="CHAT_TOKEN_SECRET"):
        settings.require_production_settings()
    complete = {
        "FRONTDOOR_ENV": "production",
        "CHAT_TOKEN_SECRET": "chat" * 8,
        "SECRET_KEY": "web" * 11,
        "TWILIO_AUTH_TOKEN": "t",
        "PUBLIC_BASE_URL": "https://frontdoor.example.com/",
    }
    settings = load_settings(complete)
    settings.require_production_settings()
    assert settings.public_base_url == "https://frontdoor.example.com"
