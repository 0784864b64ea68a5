"""The IVR's section of the settings (issue #3): ``settings.ivr``.

| variable | meaning |
|---|---|
| ``FRONTDOOR_IVR_DESK_NUMBER`` | desk number(s) for ``<Dial>`` in office hours: ``+39...``
  for every theatre, or ``europe=+39...,americas=+1...`` |
| ``FRONTDOOR_IVR_DESK_QUEUE`` | a TaskRouter/``<Enqueue>`` queue name instead (same forms) |
| ``FRONTDOOR_ONCALL_NUMBERS`` | on-call engineer numbers, comma separated (read once by
  :func:`core.settings.load_settings`; the alerts' on-call call uses them too) |
| ``FRONTDOOR_IVR_DIAL_MODE`` | ``sequential`` (default) or ``simultaneous`` |
| ``FRONTDOOR_IVR_DIAL_TIMEOUT`` | seconds each ``<Dial>`` rings (default 20) |
| ``FRONTDOOR_IVR_RECORD_MAX_SECONDS`` | ``<Record maxLength>`` (default 120) |
| ``FRONTDOOR_IVR_HOLD_MUSIC_URL`` | an ``https://`` audio file ``<Play>``-ed to callers waiting in
  the desk queue (default none: a pause between the position announcements) |
| ``FRONTDOOR_IVR_CALLBACK_OFFER_AFTER`` | seconds in the desk queue after which the caller is
  offered a callback or a message (default 120) |
| ``FRONTDOOR_IVR_SIMULATED_TIME`` | ``1``: honour the simulator's ``X-Frontdoor-Simulated-At``
  header as the time of the call (development only; refused in production) |
| ``FRONTDOOR_IVR_SKIP_SIGNATURE`` | ``1``: no ``X-Twilio-Signature`` check (local demo only;
  refused in production) |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from core.settings import parse


@dataclass(frozen=True)
class IvrSettings:
    desk_numbers: dict[str, str] = field(default_factory=dict)  # theatre or "*" -> number
    desk_queues: dict[str, str] = field(default_factory=dict)  # theatre or "*" -> queue name
    on_call_numbers: tuple[str, ...] = ()
    dial_mode: Literal["sequential", "simultaneous"] = "sequential"
    dial_timeout: int = 20
    record_max_seconds: int = 120
    hold_music_url: str = ""  # <Play> in the desk queue; "" for a <Pause>
    callback_offer_after: int = 120  # seconds of QueueTime before the offer
    skip_signature: bool = False
    simulated_time: bool = False

    def desk_number(self, theatre: str) -> str | None:
        return self.desk_numbers.get(theatre) or self.desk_numbers.get("*")

    def desk_queue(self, theatre: str) -> str | None:
        return self.desk_queues.get(theatre) or self.desk_queues.get("*")


def load_ivr(env: parse.Env, *, production: bool, on_call_numbers: tuple[str, ...]) -> IvrSettings:
    """The IVR section; skipping signatures or simulating time is refused in production."""
    mode = env.get("FRONTDOOR_IVR_DIAL_MODE", "sequential").strip() or "sequential"
    if mode not in ("sequential", "simultaneous"):
        raise parse.SettingsError(
            f"FRONTDOOR_IVR_DIAL_MODE: sequential or simultaneous, got {mode!r}"
        )
    skip = parse.flag(env, "FRONTDOOR_IVR_SKIP_SIGNATURE")
    simulated = parse.flag(env, "FRONTDOOR_IVR_SIMULATED_TIME")
    for name, value in (("SKIP_SIGNATURE", skip), ("SIMULATED_TIME", simulated)):
        if value and production:
            raise parse.SettingsError(f"FRONTDOOR_IVR_{name}=1 is refused in production")
    music = (env.get("FRONTDOOR_IVR_HOLD_MUSIC_URL", "") or "").strip()
    if music and not music.startswith("https://"):
        raise parse.SettingsError("FRONTDOOR_IVR_HOLD_MUSIC_URL: an https:// URL")
    return IvrSettings(
        desk_numbers=parse.by_theatre(env, "FRONTDOOR_IVR_DESK_NUMBER", numbers=True),
        desk_queues=parse.by_theatre(env, "FRONTDOOR_IVR_DESK_QUEUE", numbers=False),
        on_call_numbers=on_call_numbers,
        dial_mode=mode,  # type: ignore[arg-type]
        dial_timeout=parse.whole(env, "FRONTDOOR_IVR_DIAL_TIMEOUT", 20, "seconds"),
        record_max_seconds=parse.whole(env, "FRONTDOOR_IVR_RECORD_MAX_SECONDS", 120, "seconds"),
        hold_music_url=music,
        callback_offer_after=parse.whole(env, "FRONTDOOR_IVR_CALLBACK_OFFER_AFTER", 120, "seconds"),
        skip_signature=skip,
        simulated_time=simulated,
    )
