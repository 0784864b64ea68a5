"""The IVR's telephony settings: ``settings.ivr`` (:class:`core.settings.IvrSettings`), read from
the environment with every other setting by :func:`core.settings.load_settings`."""

from __future__ import annotations

from core.settings import IvrSettings

__all__ = ["IvrSettings"]
