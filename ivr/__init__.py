"""Twilio voice webhooks (Flask blueprint, TwiML) on top of the core: issue #3.

``init_app`` mounts the blueprint at ``/ivr`` and keeps what the webhooks need in
``app.extensions["ivr"]``: the wired Frontdoor, the telephony settings (``settings.ivr``), the
prompts (loaded once), the Twilio auth token and the public base URL.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from core.bootstrap import Frontdoor
from core.settings import IvrSettings, SettingsError
from ivr.prompts import load_prompts

__all__ = ["MAX_BODY", "IvrSettings", "init_app"]
MAX_BODY = 16 * 1024  # bytes of a Twilio webhook (well under this); the app enforces it
log = logging.getLogger("frontdoor.ivr")


def init_app(app: Flask, fd: Frontdoor) -> None:
    """Mount the IVR. ``app.config`` may carry ``FRONTDOOR_IVR`` (an :class:`IvrSettings`),
    ``TWILIO_AUTH_TOKEN`` and ``PUBLIC_BASE_URL`` (tests); otherwise they come from the
    Frontdoor's settings."""
    from ivr.views import bp

    settings: IvrSettings = app.config.get("FRONTDOOR_IVR") or fd.settings.ivr
    if settings.skip_signature:
        if fd.settings.production:
            raise SettingsError("FRONTDOOR_IVR_SKIP_SIGNATURE=1 is refused in production")
        log.warning(
            "!!! FRONTDOOR_IVR_SKIP_SIGNATURE=1: IVR webhooks accept UNSIGNED requests. "
            "Local demo only: never expose this app to the internet like this. !!!"
        )
    extension: dict[str, Any] = {
        "frontdoor": fd,
        "settings": settings,
        "prompts": load_prompts(),
        "auth_token": app.config.get("TWILIO_AUTH_TOKEN") or fd.settings.twilio_auth_token,
        "public_base_url": (
            app.config.get("PUBLIC_BASE_URL") or fd.settings.public_base_url or ""
        ).rstrip("/"),
    }
    app.extensions["ivr"] = extension
    app.register_blueprint(bp)
