"""The delivery adapters' section of the settings (SMS, calls, webhooks): ``settings.outbound``.

| variable | default | meaning |
|---|---|---|
| ``FRONTDOOR_NOTIFY_FROM_NUMBER`` | ``FRONTDOOR_ONCALL_CALLER_ID`` | E.164 number the SMS and the
  notification calls come from (a Twilio number of the account) |
| ``FRONTDOOR_WEBHOOK_SECRET_<NAME>`` | none | HMAC key of the webhook endpoint named ``<name>``
  in lower case (``FRONTDOOR_WEBHOOK_SECRET_CHATOPS``: endpoint ``chatops``); an endpoint
  without one is not sent to; production refuses one under 32 bytes |
| ``FRONTDOOR_WEBHOOK_TIMEOUT`` | ``10`` | seconds to connect, and to wait for the answer |

The secrets never appear in a ``repr``: :attr:`OutboundSettings.webhook_secrets` is left out of
it (:attr:`OutboundSettings.webhook_endpoints` names the endpoints that have one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from core.settings import parse

ENV_PREFIX = "FRONTDOOR_WEBHOOK_SECRET_"
DEFAULT_WEBHOOK_TIMEOUT = 10.0


@dataclass(frozen=True)
class OutboundSettings:
    from_number: str | None = None
    webhook_secrets: Mapping[str, str] = field(default_factory=dict, repr=False)
    webhook_timeout: float = DEFAULT_WEBHOOK_TIMEOUT

    @property
    def webhook_endpoints(self) -> tuple[str, ...]:
        """The names of the endpoints that have a secret, sorted."""
        return tuple(sorted(self.webhook_secrets))

    def secret_variables(self) -> list[tuple[str, str]]:
        """(variable, secret) of every webhook secret, for the production strength check."""
        return [(secret_variable(name), value) for name, value in self.webhook_secrets.items()]


def secret_variable(endpoint: str) -> str:
    """The variable holding the secret of ``endpoint``."""
    return f"{ENV_PREFIX}{endpoint.upper()}"


def webhook_secrets(env: parse.Env) -> dict[str, str]:
    """Endpoint name (the variable's suffix in lower case) -> secret; empty values are unset."""
    secrets: dict[str, str] = {}
    for variable, value in env.items():
        if not variable.startswith(ENV_PREFIX) or not value:
            continue
        name = variable[len(ENV_PREFIX) :].lower()
        if not name:  # the value is never shown: it is a secret
            raise parse.SettingsError(f"{ENV_PREFIX}<NAME> needs an endpoint name after it")
        secrets[name] = value
    return secrets


def load_outbound(env: parse.Env) -> OutboundSettings:
    sender = "FRONTDOOR_NOTIFY_FROM_NUMBER"
    if not parse.text(env, sender):
        sender = "FRONTDOOR_ONCALL_CALLER_ID"
    number = parse.text(env, sender)
    return OutboundSettings(
        from_number=parse.phone(sender, number) if number else None,
        webhook_secrets=webhook_secrets(env),
        webhook_timeout=parse.seconds(env, "FRONTDOOR_WEBHOOK_TIMEOUT", DEFAULT_WEBHOOK_TIMEOUT),
    )
