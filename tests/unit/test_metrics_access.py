"""Who may read ``/metrics``: the bearer token when one is set, else loopback outside
production; production refuses a short token and a listener off loopback without one."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from cli.metrics import serve_metrics
from core.settings import SettingsError, load_settings
from core.settings.metrics import MetricsSettings, is_loopback, load_metrics

TOKEN = "m" * 32
PRODUCTION = {
    "FRONTDOOR_ENV": "production",
    "SECRET_KEY": "k" * 40,
    "TWILIO_AUTH_TOKEN": "t",
    "PUBLIC_BASE_URL": "https://fd.example.com",
}


@pytest.mark.parametrize(
    ("header", "peer"),
    [
        (None, "127.0.0.1"),
        ("", "127.0.0.1"),
        (f"Bearer {TOKEN[:-1]}", "127.0.0.1"),
        (f"bearer {TOKEN}", "127.0.0.1"),
        (TOKEN, "127.0.0.1"),
        (f"Bearer {TOKEN} ", "10.0.0.7"),
    ],
)
def test_with_a_token_anything_but_the_exact_bearer_is_refused_even_from_loopback(
    header: str | None, peer: str
) -> None:
    assert not MetricsSettings(token=TOKEN).allows(header, peer)


def test_with_a_token_the_exact_bearer_is_accepted_from_anywhere() -> None:
    assert MetricsSettings(token=TOKEN, production=True).allows(f"Bearer {TOKEN}", "10.0.0.7")


@pytest.mark.parametrize("peer", ["127.0.0.1", "127.0.0.53", "::1", "::ffff:127.0.0.1"])
def test_without_a_token_development_answers_loopback_peers(peer: str) -> None:
    assert MetricsSettings().allows(None, peer)


@pytest.mark.parametrize("peer", ["10.0.0.7", "192.168.1.2", "::ffff:10.0.0.7", "", None, "x"])
def test_without_a_token_other_peers_are_refused(peer: str | None) -> None:
    assert not MetricsSettings().allows(None, peer)


def test_production_without_a_token_answers_nobody_not_even_loopback() -> None:
    """Behind the public proxy every request comes from loopback: loopback proves nothing."""
    assert not MetricsSettings(production=True).allows(None, "127.0.0.1")


def test_production_refuses_a_short_token_without_showing_it() -> None:
    with pytest.raises(SettingsError, match="FRONTDOOR_METRICS_TOKEN") as error:
        load_settings({**PRODUCTION, "FRONTDOOR_METRICS_TOKEN": "short-token"})
    assert "short-token" not in str(error.value)


def test_the_token_never_appears_in_the_settings_repr() -> None:
    settings = load_settings({"FRONTDOOR_METRICS_TOKEN": TOKEN})
    assert settings.metrics.token == TOKEN and TOKEN not in repr(settings)


def test_production_needs_the_token_for_a_listener_off_loopback() -> None:
    settings = load_metrics({"FRONTDOOR_METRICS_HOST": "10.0.0.7"}, production=True)
    with pytest.raises(SettingsError, match="FRONTDOOR_METRICS_TOKEN"):
        settings.check_listener(settings.host)
    settings.check_listener("127.0.0.1")
    load_metrics({"FRONTDOOR_METRICS_TOKEN": TOKEN}, production=True).check_listener("10.0.0.7")


def test_loopback_names_and_addresses() -> None:
    assert is_loopback("localhost") and is_loopback("127.1.2.3") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("::")


def _get(url: str, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def test_the_worker_listener_serves_metrics_to_the_token_only() -> None:
    """``frontdoor worker --metrics-port``: 401 without the bearer, the text format with it."""
    server = serve_metrics(MetricsSettings(token=TOKEN), 0)
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        assert _get(f"{base}/metrics")[0] == 401
        status, body = _get(f"{base}/metrics", TOKEN)
        assert status == 200 and "# TYPE frontdoor_tickets_opened_total counter" in body
        assert _get(f"{base}/other", TOKEN)[0] == 404
    finally:
        server.shutdown()
        server.server_close()
