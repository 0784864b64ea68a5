"""Telephony settings of the IVR (issue #3), from the environment, read once by the app factory.

| variable | meaning |
|---|---|
| ``FRONTDOOR_IVR_DESK_NUMBER`` | desk number(s) for ``<Dial>`` in office hours: ``+39...``
  for every theatre, or ``europe=+39...,americas=+1...`` |
| ``FRONTDOOR_IVR_DESK_QUEUE`` | a TaskRouter/``<Enqueue>`` queue name instead (same forms) |
| ``FRONTDOOR_ONCALL_NUMBERS`` | on-call engineer numbers, comma separated |
| ``FRONTDOOR_IVR_DIAL_MODE`` | ``sequential`` (default) or ``simultaneous`` |
| ``FRONTDOOR_IVR_DIAL_TIMEOUT`` | seconds each ``<Dial>`` rings (default 20) |
| ``FRONTDOOR_IVR_RECORD_MAX_SECONDS`` | ``<Record maxLength>`` (default 120) |
| ``FRONTDOOR_IVR_SIMULATED_TIME`` | ``1``: honour the simulator's ``X-Frontdoor-Simulated-At``
  header as the time of the call (development only; refused in production) |
| ``FRONTDOOR_IVR_SKIP_SIGNATURE`` | ``1``: no ``X-Twilio-Signature`` check (local demo only;
  refused in production) |
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


class IvrSettingsError(ValueError):
    """A telephony setting is malformed."""


@dataclass(frozen=True)
class IvrSettings:
    desk_numbers: dict[str, str] = field(default_factory=dict)  # theatre or "*" -> number
    desk_queues: dict[str, str] = field(default_factory=dict)  # theatre or "*" -> queue name
    on_call_numbers: tuple[str, ...] = ()
    dial_mode: Literal["sequential", "simultaneous"] = "sequential"
    dial_timeout: int = 20
    record_max_seconds: int = 120
    skip_signature: bool = False
    simulated_time: bool = False

    def desk_number(self, theatre: str) -> str | None:
        return self.desk_numbers.get(theatre) or self.desk_numbers.get("*")

    def desk_queue(self, theatre: str) -> str | None:
        return self.desk_queues.get(theatre) or self.desk_queues.get("*")


def _by_theatre(text: str, name: str, check_number: bool) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        theatre, _, value = item.rpartition("=")
        if check_number and not _E164.match(value):
            raise IvrSettingsError(f"{name}: not an E.164 number: {value!r}")
        found[theatre.strip() or "*"] = value.strip()
    return found


def _seconds(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name, "").strip() or str(default)
    if not text.isdigit() or int(text) < 1:
        raise IvrSettingsError(f"{name} must be a whole number of seconds, got {text!r}")
    return int(text)


def load_ivr_settings(env: Mapping[str, str], *, production: bool = False) -> IvrSettings:
    """Build :class:`IvrSettings` from ``env``; skipping signatures is refused in production."""
    numbers = tuple(
        n.strip() for n in env.get("FRONTDOOR_ONCALL_NUMBERS", "").split(",") if n.strip()
    )
    bad = [n for n in numbers if not _E164.match(n)]
    if bad:
        raise IvrSettingsError(f"FRONTDOOR_ONCALL_NUMBERS: not E.164: {bad}")
    mode = env.get("FRONTDOOR_IVR_DIAL_MODE", "sequential").strip() or "sequential"
    if mode not in ("sequential", "simultaneous"):
        raise IvrSettingsError(f"FRONTDOOR_IVR_DIAL_MODE: sequential or simultaneous, got {mode!r}")
    skip = env.get("FRONTDOOR_IVR_SKIP_SIGNATURE", "") == "1"
    simulated = env.get("FRONTDOOR_IVR_SIMULATED_TIME", "") == "1"
    for name, value in (("SKIP_SIGNATURE", skip), ("SIMULATED_TIME", simulated)):
        if value and production:
            raise IvrSettingsError(f"FRONTDOOR_IVR_{name}=1 is refused in production")
    return IvrSettings(
        desk_numbers=_by_theatre(env.get("FRONTDOOR_IVR_DESK_NUMBER", ""), "desk", True),
        desk_queues=_by_theatre(env.get("FRONTDOOR_IVR_DESK_QUEUE", ""), "queue", False),
        on_call_numbers=numbers,
        dial_mode=mode,  # type: ignore[arg-type]
        dial_timeout=_seconds(env, "FRONTDOOR_IVR_DIAL_TIMEOUT", 20),
        record_max_seconds=_seconds(env, "FRONTDOOR_IVR_RECORD_MAX_SECONDS", 120),
        skip_signature=skip,
        simulated_time=simulated,
    )
