"""Settings from environment variables (a ``.env`` file is read by the entry points).

Read once by an entry point and passed down; nothing here runs at import time.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_VAR_DIR = PROJECT_ROOT / "var"
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


class SettingsError(ValueError):
    """A required setting is missing or malformed."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    policy_path: str | None
    twilio_auth_token: str | None
    public_base_url: str | None
    secret_key: str | None
    production: bool
    transcript_retention_days: int = 365
    # issue #6, monitoring alerts: the webhook's bearer token, the label naming the contract,
    # the largest body accepted, and the on-call call (Twilio account, numbers, caller id).
    alerts_token: str | None = None
    alerts_contract_label: str = "contract"
    alerts_max_bytes: int = 1024 * 1024
    twilio_account_sid: str | None = None
    on_call_numbers: tuple[str, ...] = ()
    on_call_caller_id: str | None = None

    def require_production_settings(self) -> None:
        """In production every secret must be set: fail at start-up, naming what is missing."""
        if not self.production:
            return
        missing = [
            name
            for name, value in (
                ("SECRET_KEY", self.secret_key),
                ("TWILIO_AUTH_TOKEN", self.twilio_auth_token),
                ("PUBLIC_BASE_URL", self.public_base_url),
            )
            if not value
        ]
        if missing:
            raise SettingsError(f"production mode needs these settings: {', '.join(missing)}")


def default_database_url(var_dir: Path = DEFAULT_VAR_DIR) -> str:
    return f"sqlite:///{var_dir / 'frontdoor.sqlite3'}"


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build :class:`Settings` from ``env`` (default: the process environment)."""
    env = os.environ if env is None else env
    retention = env.get("FRONTDOOR_TRANSCRIPT_RETENTION_DAYS", "365")
    if not retention.isdigit() or int(retention) < 1:
        raise SettingsError(
            f"FRONTDOOR_TRANSCRIPT_RETENTION_DAYS must be a whole number of days, got {retention!r}"
        )
    return Settings(
        database_url=env.get("DATABASE_URL") or default_database_url(),
        policy_path=env.get("FRONTDOOR_POLICY") or None,
        twilio_auth_token=env.get("TWILIO_AUTH_TOKEN") or None,
        public_base_url=(env.get("PUBLIC_BASE_URL") or "").rstrip("/") or None,
        secret_key=env.get("SECRET_KEY") or None,
        production=env.get("FRONTDOOR_ENV", "development") == "production",
        transcript_retention_days=int(retention),
        **_alert_settings(env),
    )


def _alert_settings(env: Mapping[str, str]) -> dict[str, Any]:
    max_bytes = env.get("FRONTDOOR_ALERTS_MAX_BYTES", str(1024 * 1024))
    if not max_bytes.isdigit() or int(max_bytes) < 1:
        raise SettingsError(
            f"FRONTDOOR_ALERTS_MAX_BYTES must be a positive number, got {max_bytes!r}"
        )
    numbers = tuple(
        n.strip() for n in env.get("FRONTDOOR_ONCALL_NUMBERS", "").split(",") if n.strip()
    )
    caller_id = env.get("FRONTDOOR_ONCALL_CALLER_ID") or None
    for number in (*numbers, *([caller_id] if caller_id else [])):
        if not _E164.match(number):
            raise SettingsError(f"on-call numbers must be E.164 (+ and digits), got {number!r}")
    return {
        "alerts_token": env.get("FRONTDOOR_ALERTS_TOKEN") or None,
        "alerts_contract_label": env.get("FRONTDOOR_ALERTS_CONTRACT_LABEL") or "contract",
        "alerts_max_bytes": int(max_bytes),
        "twilio_account_sid": env.get("TWILIO_ACCOUNT_SID") or None,
        "on_call_numbers": numbers,
        "on_call_caller_id": caller_id,
    }
