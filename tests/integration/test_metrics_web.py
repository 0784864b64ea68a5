"""The web app's ``/metrics``: requests timed by URL rule, never by raw path; who may read it."""

from __future__ import annotations

from dataclasses import replace

from core.bootstrap import Frontdoor
from core.settings.metrics import MetricsSettings
from tests.e2e.metrics_text import sample
from web import create_app

LOOPBACK = {"REMOTE_ADDR": "127.0.0.1"}


def with_metrics(frontdoor: Frontdoor, metrics: MetricsSettings) -> Frontdoor:
    return replace(frontdoor, settings=replace(frontdoor.settings, metrics=metrics))


def test_requests_are_counted_by_route_and_a_scan_adds_no_series(frontdoor: Frontdoor) -> None:
    """/healthz under its rule; 404s of random paths all under ``unmatched``, no path label."""
    client = create_app(frontdoor=frontdoor).test_client()
    before = client.get("/metrics", environ_base=LOOPBACK).get_data(as_text=True)
    client.get("/healthz")
    for n in range(3):
        assert client.get(f"/wp-admin/{n}.php").status_code == 404
    text = client.get("/metrics", environ_base=LOOPBACK).get_data(as_text=True)
    name = "frontdoor_http_requests_total"
    healthz = {"route": "/healthz", "method": "GET", "status": "200"}
    unmatched = {"route": "unmatched", "method": "GET", "status": "404"}
    assert sample(text, name, **healthz) - sample(before, name, **healthz) == 1
    assert sample(text, name, **unmatched) - sample(before, name, **unmatched) == 3
    assert "wp-admin" not in text


def test_without_a_token_only_loopback_reads_the_metrics(frontdoor: Frontdoor) -> None:
    client = create_app(frontdoor=frontdoor).test_client()
    assert client.get("/metrics", environ_base=LOOPBACK).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 401


def test_production_without_a_token_has_no_metrics_even_from_the_proxy(
    frontdoor: Frontdoor,
) -> None:
    """Behind the proxy every request comes from loopback: 404 for all."""
    app = create_app(frontdoor=with_metrics(frontdoor, MetricsSettings(production=True)))
    assert app.test_client().get("/metrics", environ_base=LOOPBACK).status_code == 404


def test_with_a_token_only_the_bearer_reads_the_metrics(frontdoor: Frontdoor) -> None:
    token = "t" * 32
    app = create_app(frontdoor=with_metrics(frontdoor, MetricsSettings(token=token)))
    client = app.test_client()
    assert client.get("/metrics", environ_base=LOOPBACK).status_code == 401
    bearer = {"Authorization": f"Bearer {token}"}
    remote = {"REMOTE_ADDR": "10.0.0.7"}
    answer = client.get("/metrics", headers=bearer, environ_base=remote)
    assert answer.status_code == 200 and answer.content_type.startswith("text/plain")
