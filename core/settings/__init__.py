"""Settings from environment variables (a ``.env`` file is read by the entry points).

One frozen :class:`Settings`, built by :func:`load_settings` once per process by an entry point
(:func:`core.bootstrap.bootstrap`, the CLI) and passed down: nothing else reads the environment,
and nothing here runs at import time. A malformed value raises :class:`SettingsError`, one line
naming the variable. Channel settings are sections: ``settings.ivr`` (:mod:`core.settings.ivr`),
``settings.chat`` and ``settings.web`` (:mod:`core.settings.channels`); the outbox worker's
are ``settings.mail`` and ``settings.outbox`` (:mod:`core.settings.mail`); its SMS, call and
webhook adapters' are ``settings.outbound`` (:mod:`core.settings.outbound`); the logs and the
shared Redis, ``settings.ops`` (:mod:`core.settings.logs`); ``/metrics``, ``settings.metrics``
(:mod:`core.settings.metrics`).

| variable | field (default) |
|---|---|
| ``DATABASE_URL`` | ``database_url`` (SQLite file ``var/frontdoor.sqlite3``) |
| ``FRONTDOOR_POLICY`` | ``policy_path`` (the shipped policy) |
| ``FRONTDOOR_ENV`` | ``production``: ``production`` or ``development`` (any case, trimmed;
  default ``development``); any other value is refused |
| ``SECRET_KEY``, ``TWILIO_AUTH_TOKEN``, ``TWILIO_ACCOUNT_SID``, ``PUBLIC_BASE_URL`` | same
  names in lower case (required in production: ``SECRET_KEY``, ``TWILIO_AUTH_TOKEN`` and
  ``PUBLIC_BASE_URL``; see :meth:`Settings.require_production_settings`) |
| ``FRONTDOOR_TRANSCRIPT_RETENTION_DAYS`` | ``transcript_retention_days`` (365) |
| ``FRONTDOOR_ALERTS_TOKEN`` | ``alerts_token`` (none: the alerts endpoint is closed) |
| ``FRONTDOOR_ALERTS_CONTRACT_LABEL`` | ``alerts_contract_label`` (``contract``) |
| ``FRONTDOOR_ALERTS_MAX_BYTES`` | ``alerts_max_bytes`` (1 MiB) |
| ``FRONTDOOR_ONCALL_NUMBERS`` | ``ivr.on_call_numbers``, also ``on_call_numbers`` (alerts) |
| ``FRONTDOOR_ONCALL_CALLER_ID`` | ``on_call_caller_id`` |
| ``FRONTDOOR_NOTIFY_FROM_NUMBER``, ``FRONTDOOR_WEBHOOK_SECRET_<NAME>``,
  ``FRONTDOOR_WEBHOOK_TIMEOUT`` | ``outbound`` (:mod:`core.settings.outbound`; a webhook secret
  under 32 bytes is refused in production) |
| ``FRONTDOOR_DEBUG`` | ``debug``: the command line shows the traceback of an internal error |
| ``FRONTDOOR_DEV_SECRETS`` | outside production, the file of the generated secrets that are
  not set (``var/dev-secrets.json``, :mod:`core.settings.dev_secrets`) |

No secret has a constant default: outside production an unset ``SECRET_KEY``,
``CHAT_TOKEN_SECRET`` or ``FRONTDOOR_ACTIONS_SECRET`` is generated once per machine; production
never generates one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from core.settings import parse
from core.settings.channels import (
    DEFAULT_RASA_TIMEOUT,
    DEFAULT_RASA_URL,
    ChatSettings,
    WebSettings,
    load_chat,
    load_web,
)
from core.settings.dev_secrets import FILE_NAME as DEV_SECRETS_FILE
from core.settings.dev_secrets import dev_secrets
from core.settings.helpdesk import HelpdeskSettings, load_helpdesk
from core.settings.ivr import IvrSettings, load_ivr
from core.settings.logs import OpsSettings, load_ops
from core.settings.mail import MailSettings, OutboxSettings, load_mail, load_outbox
from core.settings.metrics import MetricsSettings, load_metrics
from core.settings.outbound import OutboundSettings, load_outbound
from core.settings.parse import SettingsError

__all__ = [
    "DEFAULT_RASA_TIMEOUT",
    "DEFAULT_RASA_URL",
    "DEFAULT_VAR_DIR",
    "MIN_SECRET_BYTES",
    "PROJECT_ROOT",
    "ChatSettings",
    "IvrSettings",
    "MailSettings",
    "OutboundSettings",
    "OutboxSettings",
    "Settings",
    "SettingsError",
    "WebSettings",
    "default_database_url",
    "load_settings",
]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MIN_SECRET_BYTES = 32  # a production SECRET_KEY or CHAT_TOKEN_SECRET: at least 256 bits
DEFAULT_VAR_DIR = PROJECT_ROOT / "var"


@dataclass(frozen=True)
class Settings:
    database_url: str
    policy_path: str | None
    twilio_auth_token: str | None = field(repr=False)
    public_base_url: str | None
    secret_key: str | None = field(repr=False)
    production: bool
    transcript_retention_days: int = 365
    # issue #6, monitoring alerts: the webhook's bearer token, the label naming the contract,
    # the largest body accepted, and the on-call call (Twilio account, caller id; the numbers
    # are the IVR's on-call numbers, read once).
    alerts_token: str | None = field(default=None, repr=False)
    alerts_contract_label: str = "contract"
    alerts_max_bytes: int = 1024 * 1024
    twilio_account_sid: str | None = None
    on_call_caller_id: str | None = None
    debug: bool = False
    ivr: IvrSettings = field(default_factory=IvrSettings)
    chat: ChatSettings = field(default_factory=ChatSettings)
    web: WebSettings = field(default_factory=WebSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    outbox: OutboxSettings = field(default_factory=OutboxSettings)
    outbound: OutboundSettings = field(default_factory=OutboundSettings)
    helpdesk: HelpdeskSettings = field(default_factory=HelpdeskSettings)  # settings/helpdesk.py
    ops: OpsSettings = field(default_factory=OpsSettings)  # logs, Redis: settings/logs.py
    metrics: MetricsSettings = field(default_factory=MetricsSettings)  # settings/metrics.py

    @property
    def on_call_numbers(self) -> tuple[str, ...]:
        """``FRONTDOOR_ONCALL_NUMBERS``: the on-call engineers the IVR dials and alerts call."""
        return self.ivr.on_call_numbers

    def require_production_settings(self) -> None:
        """In production every secret must be set and strong, and the public address https:
        fail at start-up with one line saying why. (Skipping IVR signatures or simulating the
        IVR's time is refused already by :func:`load_settings`; the demo sign-in by the web app.)
        """
        if not self.production:
            return
        missing = [
            name
            for name, value in (
                ("SECRET_KEY", self.secret_key),
                ("TWILIO_AUTH_TOKEN", self.twilio_auth_token),
                ("PUBLIC_BASE_URL", self.public_base_url),
                ("CHAT_TOKEN_SECRET", self.chat.token_secret),
            )
            if not value
        ]
        if missing:
            raise SettingsError(f"production mode needs these settings: {', '.join(missing)}")
        given = [
            ("SECRET_KEY", self.secret_key or ""),
            ("CHAT_TOKEN_SECRET", self.chat.token_secret),
        ]
        if self.chat.actions_secret:  # unset, the action server refuses every call
            given.append(("FRONTDOOR_ACTIONS_SECRET", self.chat.actions_secret))
        given.extend(self.outbound.secret_variables())
        weak = [name for name, value in given if len(value.encode()) < MIN_SECRET_BYTES]
        if weak:
            raise SettingsError(
                f"production mode needs secrets of at least {MIN_SECRET_BYTES} bytes, too short: "
                f"{', '.join(weak)} (make one with: python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))')"
            )
        if not (self.public_base_url or "").lower().startswith("https://"):
            raise SettingsError(
                f"production mode needs an https PUBLIC_BASE_URL, got {self.public_base_url!r} "
                "(session cookies are Secure and Twilio signs the https address)"
            )


def default_database_url(var_dir: Path = DEFAULT_VAR_DIR) -> str:
    return f"sqlite:///{var_dir / 'frontdoor.sqlite3'}"


def load_settings(env: parse.Env | None = None) -> Settings:
    """Build :class:`Settings` from ``env`` (default: the process environment)."""
    env = os.environ if env is None else env
    production = parse.environment(env)

    def generated(name: str) -> str:
        """The machine's development secret ``name`` (never called in production)."""
        path = env.get("FRONTDOOR_DEV_SECRETS") or DEFAULT_VAR_DIR / DEV_SECRETS_FILE
        return dev_secrets(Path(path))[name]

    caller_id = parse.text(env, "FRONTDOOR_ONCALL_CALLER_ID")
    if caller_id:
        parse.phone("FRONTDOOR_ONCALL_CALLER_ID", caller_id)
    on_call_numbers = parse.phones(env, "FRONTDOOR_ONCALL_NUMBERS")
    return Settings(
        database_url=env.get("DATABASE_URL") or default_database_url(),
        policy_path=parse.text(env, "FRONTDOOR_POLICY"),
        twilio_auth_token=parse.text(env, "TWILIO_AUTH_TOKEN"),
        public_base_url=(env.get("PUBLIC_BASE_URL") or "").rstrip("/") or None,
        secret_key=parse.text(env, "SECRET_KEY")
        or (None if production else generated("SECRET_KEY")),
        production=production,
        transcript_retention_days=parse.whole(
            env, "FRONTDOOR_TRANSCRIPT_RETENTION_DAYS", 365, "days"
        ),
        alerts_token=parse.text(env, "FRONTDOOR_ALERTS_TOKEN"),
        alerts_contract_label=env.get("FRONTDOOR_ALERTS_CONTRACT_LABEL") or "contract",
        alerts_max_bytes=parse.whole(env, "FRONTDOOR_ALERTS_MAX_BYTES", 1024 * 1024, "bytes"),
        twilio_account_sid=parse.text(env, "TWILIO_ACCOUNT_SID"),
        on_call_caller_id=caller_id,
        debug=bool(env.get("FRONTDOOR_DEBUG")),
        ivr=load_ivr(env, production=production, on_call_numbers=on_call_numbers),
        chat=load_chat(env, production=production, generated=generated),
        web=load_web(env),
        mail=load_mail(env),
        outbox=load_outbox(env),
        outbound=load_outbound(env),
        helpdesk=load_helpdesk(env, production=production),
        ops=load_ops(env, production=production),
        metrics=load_metrics(env, production=production),
    )
