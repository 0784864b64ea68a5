"""settings.outbound: the sender number, the webhook secrets and timeout, and their safety."""

from __future__ import annotations

import pytest

from core.settings import MIN_SECRET_BYTES, SettingsError, load_settings
from outbound import adapters_from_settings

PRODUCTION = {
    "FRONTDOOR_ENV": "production",
    "SECRET_KEY": "k" * 48,
    "CHAT_TOKEN_SECRET": "c" * 48,
    "TWILIO_AUTH_TOKEN": "twilio-auth-token",
    "PUBLIC_BASE_URL": "https://frontdoor.example.com",
}
CHATOPS = "chatops-secret-" + "x" * 40
PAGER = "pager-secret-" + "y" * 40


def test_defaults_send_no_sms_and_no_webhook() -> None:
    """Nothing set: no sender number, no endpoint secret, a 10 s timeout."""
    outbound = load_settings({}).outbound
    assert outbound.from_number is None
    assert dict(outbound.webhook_secrets) == {} and outbound.webhook_timeout == 10.0


def test_each_secret_variable_names_its_endpoint_in_lower_case() -> None:
    """FRONTDOOR_WEBHOOK_SECRET_CHATOPS is the secret of endpoint chatops; empty is unset."""
    env = {
        "FRONTDOOR_WEBHOOK_SECRET_CHATOPS": CHATOPS,
        "FRONTDOOR_WEBHOOK_SECRET_Pager_Duty": PAGER,
        "FRONTDOOR_WEBHOOK_SECRET_EMPTY": "",
        "FRONTDOOR_WEBHOOK_TIMEOUT": "2.5",
    }
    outbound = load_settings(env).outbound
    assert dict(outbound.webhook_secrets) == {"chatops": CHATOPS, "pager_duty": PAGER}
    assert outbound.webhook_endpoints == ("chatops", "pager_duty")
    assert outbound.webhook_timeout == 2.5


def test_a_secret_variable_without_a_name_is_refused_without_showing_it() -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({"FRONTDOOR_WEBHOOK_SECRET_": CHATOPS})
    assert "FRONTDOOR_WEBHOOK_SECRET_" in str(raised.value)
    assert CHATOPS not in str(raised.value)


def test_the_sender_number_falls_back_to_the_on_call_caller_id() -> None:
    """FRONTDOOR_NOTIFY_FROM_NUMBER first, else FRONTDOOR_ONCALL_CALLER_ID."""
    caller = {"FRONTDOOR_ONCALL_CALLER_ID": "+390584943232"}
    assert load_settings(caller).outbound.from_number == "+390584943232"
    both = {**caller, "FRONTDOOR_NOTIFY_FROM_NUMBER": "+390584000100"}
    assert load_settings(both).outbound.from_number == "+390584000100"


@pytest.mark.parametrize("value", ["0584943232", "+39 0584 943232", "+0584943232", "sms"])
def test_a_sender_number_that_is_not_e164_is_refused_naming_the_variable(value: str) -> None:
    with pytest.raises(SettingsError, match=r"FRONTDOOR_NOTIFY_FROM_NUMBER must be E\.164"):
        load_settings({"FRONTDOOR_NOTIFY_FROM_NUMBER": value})


@pytest.mark.parametrize("value", ["0", "-1", "soon", "nan"])
def test_a_bad_webhook_timeout_is_refused_naming_the_variable(value: str) -> None:
    with pytest.raises(SettingsError, match="FRONTDOOR_WEBHOOK_TIMEOUT"):
        load_settings({"FRONTDOOR_WEBHOOK_TIMEOUT": value})


def test_production_refuses_a_short_webhook_secret_naming_its_variable() -> None:
    """A webhook secret under 32 bytes stops a production start, like the other secrets."""
    short = "s" * (MIN_SECRET_BYTES - 1)
    env = {**PRODUCTION, "FRONTDOOR_WEBHOOK_SECRET_CHATOPS": short}
    with pytest.raises(SettingsError) as raised:
        load_settings(env).require_production_settings()
    message = str(raised.value)
    assert "too short: FRONTDOOR_WEBHOOK_SECRET_CHATOPS" in message
    assert short not in message and "\n" not in message
    strong = {**env, "FRONTDOOR_WEBHOOK_SECRET_CHATOPS": "s" * MIN_SECRET_BYTES}
    load_settings(strong).require_production_settings()


def test_a_short_webhook_secret_is_accepted_outside_production() -> None:
    load_settings({"FRONTDOOR_WEBHOOK_SECRET_CHATOPS": "dev"}).require_production_settings()


def test_no_webhook_secret_appears_in_a_repr() -> None:
    """Neither the outbound section, the whole settings nor the notifier show a secret."""
    env = {"FRONTDOOR_WEBHOOK_SECRET_CHATOPS": CHATOPS, "FRONTDOOR_WEBHOOK_SECRET_PAGER": PAGER}
    settings = load_settings(env)
    notifier = adapters_from_settings(settings)["webhook"]
    for shown in (repr(settings.outbound), repr(settings), str(settings), repr(notifier)):
        assert CHATOPS not in shown and PAGER not in shown
    assert "chatops" in repr(notifier)
