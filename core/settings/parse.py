"""Reading one environment variable: a malformed value raises :class:`SettingsError`, one line
naming the variable."""

from __future__ import annotations

import math
from collections.abc import Mapping

from core.phone import is_e164

Env = Mapping[str, str]


class SettingsError(ValueError):
    """A required setting is missing or malformed."""


def text(env: Env, name: str) -> str | None:
    """The variable's value, None when it is unset or empty."""
    return env.get(name) or None


ENVIRONMENTS = ("production", "development")


def environment(env: Env) -> bool:
    """``FRONTDOOR_ENV``: True for production. ``production`` or ``development`` in any case,
    spaces around ignored; unset or empty is development; anything else is refused, so that a
    misspelt ``prod`` never starts a production server in development mode."""
    value = env.get("FRONTDOOR_ENV", "").strip().lower() or "development"
    if value not in ENVIRONMENTS:
        raise SettingsError(
            f"FRONTDOOR_ENV must be production or development, got {env['FRONTDOOR_ENV']!r}"
        )
    return value == "production"


def flag(env: Env, name: str) -> bool:
    """On only when the variable is exactly ``1``."""
    return env.get(name, "") == "1"


def whole(env: Env, name: str, default: int, unit: str) -> int:
    """A whole number of ``unit`` of at least 1; unset or empty is ``default``."""
    value = env.get(name, "").strip() or str(default)
    if not value.isdigit() or int(value) < 1:
        raise SettingsError(f"{name} must be a whole number of {unit}, got {value!r}")
    return int(value)


def seconds(env: Env, name: str, default: float) -> float:
    """A positive number of seconds (a fraction allowed); unset or empty is ``default``."""
    value = env.get(name, "").strip() or str(default)
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number <= 0:
        raise SettingsError(f"{name} must be a positive number of seconds, got {value!r}")
    return number


def phone(name: str, value: str) -> str:
    """``value`` when it is an E.164 number."""
    if not is_e164(value):
        raise SettingsError(f"{name} must be E.164 (+ and digits), got {value!r}")
    return value


def phones(env: Env, name: str) -> tuple[str, ...]:
    """A comma separated list of E.164 numbers; spaces and empty items ignored."""
    items = (item.strip() for item in env.get(name, "").split(","))
    return tuple(phone(name, item) for item in items if item)


def by_theatre(env: Env, name: str, *, numbers: bool) -> dict[str, str]:
    """``value`` for every theatre, or ``europe=value,americas=value``: theatre (``*`` for
    every theatre) -> value; with ``numbers``, each value must be E.164."""
    found: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in env.get(name, "").split(","))):
        theatre, _, value = item.rpartition("=")
        value = value.strip()
        found[theatre.strip() or "*"] = phone(name, value) if numbers else value
    return found
