"""Alert and on-call settings read from the environment."""

from __future__ import annotations

import pytest

from core.settings import SettingsError, load_settings


def test_alert_settings_have_safe_defaults() -> None:
    """No token (endpoint closed), label `contract`, 1 MiB, no on-call numbers."""
    settings = load_settings({})
    assert settings.alerts_token is None
    assert (settings.alerts_contract_label, settings.alerts_max_bytes) == ("contract", 1048576)
    assert settings.on_call_numbers == ()


def test_on_call_numbers_are_a_comma_separated_e164_list() -> None:
    """FRONTDOOR_ONCALL_NUMBERS: spaces and empty items ignored."""
    env = {"FRONTDOOR_ONCALL_NUMBERS": " +390500000001, +14155550100 ,"}
    assert load_settings(env).on_call_numbers == ("+390500000001", "+14155550100")


@pytest.mark.parametrize(
    "env",
    [
        {"FRONTDOOR_ONCALL_NUMBERS": "0584 123456"},
        {"FRONTDOOR_ONCALL_CALLER_ID": "+0123"},
        {"FRONTDOOR_ALERTS_MAX_BYTES": "0"},
        {"FRONTDOOR_ALERTS_MAX_BYTES": "1MB"},
    ],
)
def test_malformed_alert_settings_fail_at_start_up(env: dict[str, str]) -> None:
    """A bad number or size is refused with the variable's name or value."""
    with pytest.raises(SettingsError):
        load_settings(env)
