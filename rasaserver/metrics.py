"""``GET /webhooks/metrics/`` on the Rasa server: its process metrics for Prometheus.

Rasa 3.6 has no metrics endpoint of its own; an input channel is the one place a project adds
a route to Rasa's Sanic app, so this channel (listed in credentials.yml) receives no messages and
answers only with prometheus_client's text format: CPU seconds, resident memory, open file
descriptors, garbage collections of the Rasa process. Chat-turn latency is measured where the
turn is seen whole (the web app's ``/help/chat`` route) and per action (the action server).

Who may read it is the front door's rule (core/settings/metrics.py, which this environment
cannot import, hence the few lines again): with ``FRONTDOOR_METRICS_TOKEN`` set, only
``Authorization: Bearer <token>`` (constant-time comparison); without, loopback peers, and in
production (``FRONTDOOR_ENV=production``) nobody.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse


def is_loopback(address: str | None) -> bool:
    try:
        ip = ipaddress.ip_address((address or "").split("%", 1)[0])
    except ValueError:
        return address == "localhost"
    mapped = getattr(ip, "ipv4_mapped", None)
    return bool((mapped or ip).is_loopback)


def allowed(env: Mapping[str, str], authorization: str | None, peer: str | None) -> bool:
    """May this request read the metrics (see the module's docstring)?"""
    token = env.get("FRONTDOOR_METRICS_TOKEN") or ""
    if token:
        expected = f"Bearer {token}".encode()
        return hmac.compare_digest((authorization or "").encode(), expected)
    production = env.get("FRONTDOOR_ENV", "").strip().lower() == "production"
    return not production and is_loopback(peer)


def answer(env: Mapping[str, str], authorization: str | None, peer: str | None) -> HTTPResponse:
    """The metrics, 401 for a wrong or missing token, 404 in production without a token."""
    if allowed(env, authorization, peer):
        return response.raw(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)
    if not env.get("FRONTDOOR_METRICS_TOKEN"):
        production = env.get("FRONTDOOR_ENV", "").strip().lower() == "production"
        if production:
            return response.text("not found\n", status=404)
    return response.text("unauthorized\n", status=401)


class MetricsChannel(InputChannel):  # type: ignore[misc]
    """An input channel that takes no message: it only mounts ``/webhooks/metrics/``."""

    @classmethod
    def name(cls) -> str:
        return "metrics"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> MetricsChannel:
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        metrics = Blueprint("frontdoor_metrics", __name__)

        @metrics.route("/", methods=["GET"])  # type: ignore[untyped-decorator]
        async def scrape(request: Request) -> HTTPResponse:
            return answer(os.environ, request.headers.get("authorization"), request.ip)

        return metrics
