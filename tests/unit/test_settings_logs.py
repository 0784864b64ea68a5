"""``settings.ops``: log format and level, the shared Redis (core/settings/logs.py)."""

from __future__ import annotations

import pytest

from core.settings import SettingsError, load_settings
from core.settings.logs import OpsSettings, load_ops


def test_text_logs_at_info_and_no_redis_by_default_outside_production() -> None:
    assert load_ops({}) == OpsSettings(log_format="text", log_level="INFO", redis_url=None)


def test_production_writes_json_lines_unless_told_otherwise() -> None:
    assert load_ops({}, production=True).log_format == "json"
    assert load_ops({"FRONTDOOR_LOG_FORMAT": "text"}, production=True).log_format == "text"


def test_values_are_read_in_any_case_with_spaces_around_ignored() -> None:
    env = {
        "FRONTDOOR_LOG_FORMAT": " JSON ",
        "FRONTDOOR_LOG_LEVEL": "debug",
        "FRONTDOOR_REDIS_URL": "redis://:pw@10.0.0.5:6379/0",
    }
    assert load_ops(env) == OpsSettings("json", "DEBUG", "redis://:pw@10.0.0.5:6379/0")


def test_the_settings_carry_the_section_read_from_the_environment() -> None:
    settings = load_settings({"FRONTDOOR_LOG_LEVEL": "warning"})
    assert settings.ops.log_level == "WARNING"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FRONTDOOR_LOG_FORMAT", "logfmt"),
        ("FRONTDOOR_LOG_LEVEL", "verbose"),
        ("FRONTDOOR_LOG_LEVEL", "10"),
        ("FRONTDOOR_REDIS_URL", "10.0.0.5:6379"),
        ("FRONTDOOR_REDIS_URL", "http://10.0.0.5:6379"),
    ],
)
def test_a_malformed_value_is_refused_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_ops({name: value})


def test_the_redis_url_and_its_password_never_show() -> None:
    """Not in the repr of the settings, nor in the error about a malformed URL."""
    url = "redis://:hunter2-password@10.0.0.5:6379/0"
    assert "hunter2" not in repr(load_settings({"FRONTDOOR_REDIS_URL": url}))
    with pytest.raises(SettingsError) as refused:
        load_ops({"FRONTDOOR_REDIS_URL": "redis//:hunter2-password@10.0.0.5"})
    assert "hunter2" not in str(refused.value)
