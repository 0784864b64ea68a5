"""rasaserver/metrics.py: the Rasa process's /metrics, behind the front door's rule (the token,
else loopback outside production)."""

from __future__ import annotations

import pytest

from rasaserver.metrics import MetricsChannel, allowed, answer

TOKEN = "rasa-metrics-token"


@pytest.mark.parametrize(
    ("env", "header", "peer", "expected"),
    [
        ({}, None, "127.0.0.1", True),
        ({}, None, "::1", True),
        ({}, None, "10.0.0.7", False),
        ({"FRONTDOOR_ENV": "production"}, None, "127.0.0.1", False),
        ({"FRONTDOOR_METRICS_TOKEN": TOKEN}, None, "127.0.0.1", False),
        ({"FRONTDOOR_METRICS_TOKEN": TOKEN}, f"Bearer {TOKEN}x", "127.0.0.1", False),
        ({"FRONTDOOR_METRICS_TOKEN": TOKEN}, f"Bearer {TOKEN}", "10.0.0.7", True),
    ],
)
def test_who_may_read_the_rasa_metrics(
    env: dict[str, str], header: str | None, peer: str, expected: bool
) -> None:
    assert allowed(env, header, peer) is expected


def test_the_answer_is_the_process_metrics_or_a_refusal() -> None:
    """The text format with the process's CPU time; 401 without the token; 404 in production
    without a token (nothing to find there)."""
    ok = answer({}, None, "127.0.0.1")
    assert ok.status == 200 and b"process_cpu_seconds_total" in ok.body
    assert answer({"FRONTDOOR_METRICS_TOKEN": TOKEN}, None, "127.0.0.1").status == 401
    assert answer({"FRONTDOOR_ENV": "production"}, None, "127.0.0.1").status == 404


def test_the_channel_mounts_one_get_route_and_takes_no_message() -> None:
    blueprint = MetricsChannel.from_credentials(None).blueprint(on_new_message=None)  # type: ignore[arg-type]
    assert MetricsChannel.name() == "metrics"
    assert [(route.uri, set(route.methods)) for route in blueprint._future_routes] == [
        ("/", {"GET"})
    ]
