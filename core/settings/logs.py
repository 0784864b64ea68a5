"""How a process reports on itself: ``settings.ops`` (docs/observability.md).

| variable | default | meaning |
|---|---|---|
| ``FRONTDOOR_LOG_FORMAT`` | ``json`` in production, else ``text`` | ``json``: one JSON object
  per line; ``text``: aligned key=value lines for a terminal |
| ``FRONTDOOR_LOG_LEVEL`` | ``INFO`` | ``DEBUG``, ``INFO``, ``WARNING``, ``ERROR`` or
  ``CRITICAL`` (any case) |
| ``FRONTDOOR_REDIS_URL`` | none | the shared Redis of a scale-out deployment
  (``redis://``, ``rediss://`` or ``unix://``); when set, readiness checks answer it |

The Redis URL may carry a password: it never appears in a ``repr``, a log line or a health
answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.settings import parse

LOG_FORMATS = ("json", "text")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


@dataclass(frozen=True)
class OpsSettings:
    log_format: str = "text"
    log_level: str = "INFO"
    redis_url: str | None = field(default=None, repr=False)


def load_ops(env: parse.Env, *, production: bool = False) -> OpsSettings:
    """The three variables; a malformed one raises :class:`~core.settings.parse.SettingsError`
    naming it (a misspelt level would otherwise silently log nothing, or everything)."""
    log_format = env.get("FRONTDOOR_LOG_FORMAT", "").strip().lower()
    log_format = log_format or ("json" if production else "text")
    if log_format not in LOG_FORMATS:
        raise parse.SettingsError(
            f"FRONTDOOR_LOG_FORMAT must be json or text, got {env['FRONTDOOR_LOG_FORMAT']!r}"
        )
    level = env.get("FRONTDOOR_LOG_LEVEL", "").strip().upper() or "INFO"
    if level not in LOG_LEVELS:
        raise parse.SettingsError(
            f"FRONTDOOR_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, "
            f"got {env['FRONTDOOR_LOG_LEVEL']!r}"
        )
    redis_url = (parse.text(env, "FRONTDOOR_REDIS_URL") or "").strip() or None
    if redis_url and not redis_url.lower().startswith(REDIS_SCHEMES):
        # the value is not shown: a malformed URL may still hold the password
        raise parse.SettingsError(
            "FRONTDOOR_REDIS_URL must be a redis://, rediss:// or unix:// URL"
        )
    return OpsSettings(log_format=log_format, log_level=level, redis_url=redis_url)
