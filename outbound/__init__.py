"""Delivery adapters that reach outside through third-party libraries (docs/webhooks.md).

Each implements the :class:`core.notify.Notifier` port for one channel of the outbox:
``sms`` and ``call`` through Twilio's REST API (:mod:`outbound.twilio_rest`), ``webhook`` as a
signed HTTP POST (:mod:`outbound.webhook`). :func:`adapters_from_settings` builds those the
settings allow, for the worker's :class:`core.notify.Router`. This package imports ``core``;
``core`` never imports it, and it imports no entry point (ivr, bot, web, cli).
"""

from __future__ import annotations

from collections.abc import Mapping

import requests
from twilio.http import HttpClient
from twilio.rest import Client

from core.notify import Notifier
from core.settings import Settings
from outbound.twilio_rest import (
    DEFAULT_VOICES,
    TwilioCall,
    TwilioCallback,
    TwilioSms,
    Voice,
    call_twiml,
    voices_from_policy,
)
from outbound.webhook import WebhookNotifier, sign, verify

__all__ = [
    "DEFAULT_VOICES",
    "TwilioCall",
    "TwilioCallback",
    "TwilioSms",
    "Voice",
    "WebhookNotifier",
    "adapters_from_settings",
    "call_twiml",
    "callback_from_settings",
    "sign",
    "verify",
    "voices_from_policy",
]


def adapters_from_settings(
    settings: Settings,
    *,
    http_client: HttpClient | None = None,
    session: requests.Session | None = None,
    voices: Mapping[str, Voice] | None = None,
) -> dict[str, Notifier]:
    """``sms`` and ``call`` when the Twilio account (``TWILIO_ACCOUNT_SID``,
    ``TWILIO_AUTH_TOKEN``) and a sender number are set; ``webhook`` when at least one endpoint
    has a secret. ``http_client`` and ``session`` replace the network in tests; ``voices`` (say
    :func:`voices_from_policy`) replaces :data:`DEFAULT_VOICES`."""
    adapters: dict[str, Notifier] = {}
    outbound = settings.outbound
    sid, token = settings.twilio_account_sid, settings.twilio_auth_token
    if sid and token and outbound.from_number:
        client = Client(sid, token, http_client=http_client)
        adapters["sms"] = TwilioSms(client, outbound.from_number)
        adapters["call"] = TwilioCall(client, outbound.from_number, voices or DEFAULT_VOICES)
    if outbound.webhook_secrets:
        adapters["webhook"] = WebhookNotifier(
            outbound.webhook_secrets, timeout=outbound.webhook_timeout, session=session
        )
    return adapters


def callback_from_settings(
    settings: Settings,
    *,
    http_client: HttpClient | None = None,
    voices: Mapping[str, Voice] | None = None,
) -> TwilioCallback | None:
    """The ``callback`` channel (the desk queue's callbacks) when the Twilio account is set; each
    call comes from the theatre's number its row names, else ``FRONTDOOR_NOTIFY_FROM_NUMBER``."""
    sid, token = settings.twilio_account_sid, settings.twilio_auth_token
    if not (sid and token):
        return None
    client = Client(sid, token, http_client=http_client)
    return TwilioCallback(client, settings.outbound.from_number or "", voices or DEFAULT_VOICES)
