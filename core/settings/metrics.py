"""The Prometheus metrics' section of the settings: ``settings.metrics`` (docs/observability.md).

| variable | default | meaning |
|---|---|---|
| ``FRONTDOOR_METRICS_TOKEN`` | none | the bearer token every ``/metrics`` asks for when set;
  production refuses one under 32 bytes |
| ``FRONTDOOR_METRICS_HOST`` | ``127.0.0.1`` | the address of the metrics listener of the
  outbox worker and of the helpdesk sync (``--metrics-port``) |

Without a token, ``/metrics`` answers loopback peers only, and in production nobody: the web
app's listener sits behind the public proxy, whose requests all come from loopback. A metrics
listener on another address than loopback needs the token in production. The token never
appears in a ``repr`` and is never logged.
"""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import dataclass, field

from core.settings import parse

MIN_TOKEN_BYTES = 32
LOOPBACK = "127.0.0.1"


def is_loopback(address: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost (an IPv4 peer mapped into IPv6 included)."""
    if not address:
        return False
    if address == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return bool((mapped or ip).is_loopback)


@dataclass(frozen=True)
class MetricsSettings:
    token: str | None = field(default=None, repr=False)
    host: str = LOOPBACK
    production: bool = False

    def allows(self, authorization: str | None, peer: str | None) -> bool:
        """May this request read the metrics? With a token: ``Bearer <token>`` (compared in
        constant time); without: a loopback peer, outside production only."""
        if self.token:
            expected = f"Bearer {self.token}".encode()
            return hmac.compare_digest((authorization or "").encode(), expected)
        return not self.production and is_loopback(peer)

    def check_listener(self, host: str) -> None:
        """A metrics listener on ``host`` is safe: in production, one off loopback needs the
        token (anyone on that network could read it otherwise)."""
        if self.production and not self.token and not is_loopback(host):
            raise parse.SettingsError(
                f"production mode needs FRONTDOOR_METRICS_TOKEN for metrics on {host}"
            )


def load_metrics(env: parse.Env, *, production: bool = False) -> MetricsSettings:
    token = parse.text(env, "FRONTDOOR_METRICS_TOKEN")
    if production and token and len(token.encode()) < MIN_TOKEN_BYTES:  # never shown
        raise parse.SettingsError(
            f"production mode needs a FRONTDOOR_METRICS_TOKEN of at least {MIN_TOKEN_BYTES} bytes"
        )
    host = (parse.text(env, "FRONTDOOR_METRICS_HOST") or LOOPBACK).strip()
    return MetricsSettings(token=token, host=host, production=production)
