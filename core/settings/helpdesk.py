"""The helpdesk adapter's section of the settings: ``settings.helpdesk`` (docs/helpdesk.md).

| variable | default | meaning |
|---|---|---|
| ``FRONTDOOR_RT_URL`` | none: no Request Tracker | RT's base URL (with its web path, if any) |
| ``FRONTDOOR_RT_TOKEN`` | none | an RT authentication token of the front door's RT user;
  production refuses one under 32 bytes |
| ``FRONTDOOR_RT_TIMEOUT`` | ``10`` | seconds to connect, and to wait for an answer |
| ``FRONTDOOR_HELPDESK_POLL_SECONDS`` | ``30`` | pause between two rounds of the sync |

Which helpdesk, and its queues, is policy (``helpdesk``, :mod:`core.policy_helpdesk`); the
connection and its secret are settings. The token never appears in a ``repr``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.settings import parse

MIN_TOKEN_BYTES = 32
DEFAULT_TIMEOUT = 10.0
DEFAULT_POLL_SECONDS = 30.0


@dataclass(frozen=True)
class HelpdeskSettings:
    rt_url: str | None = None
    rt_token: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT
    poll_seconds: float = DEFAULT_POLL_SECONDS

    @property
    def request_tracker(self) -> bool:
        """True when Request Tracker can be reached (URL and token set)."""
        return bool(self.rt_url and self.rt_token)


def load_helpdesk(env: parse.Env, *, production: bool = False) -> HelpdeskSettings:
    url = (parse.text(env, "FRONTDOOR_RT_URL") or "").strip().rstrip("/") or None
    token = parse.text(env, "FRONTDOOR_RT_TOKEN")
    if url and not url.lower().startswith(("http://", "https://")):
        raise parse.SettingsError(f"FRONTDOOR_RT_URL must be an http(s) URL, got {url!r}")
    if bool(url) != bool(token):
        raise parse.SettingsError("FRONTDOOR_RT_URL and FRONTDOOR_RT_TOKEN go together")
    if production and token and len(token.encode()) < MIN_TOKEN_BYTES:  # never shown
        raise parse.SettingsError(
            f"production mode needs a FRONTDOOR_RT_TOKEN of at least {MIN_TOKEN_BYTES} bytes"
        )
    return HelpdeskSettings(
        rt_url=url,
        rt_token=token,
        timeout=parse.seconds(env, "FRONTDOOR_RT_TIMEOUT", DEFAULT_TIMEOUT),
        poll_seconds=parse.seconds(env, "FRONTDOOR_HELPDESK_POLL_SECONDS", DEFAULT_POLL_SECONDS),
    )
