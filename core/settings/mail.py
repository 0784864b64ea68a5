"""The outbox worker's sections of the settings: ``settings.mail`` and ``settings.outbox``.

| variable | default | meaning |
|---|---|---|
| ``FRONTDOOR_SMTP_HOST`` | none (the worker refuses to start) | SMTP server |
| ``FRONTDOOR_SMTP_PORT`` | ``587`` | its port |
| ``FRONTDOOR_SMTP_STARTTLS`` | ``1`` | ``1``: STARTTLS before anything else (certificate checked);
  ``0``: plain SMTP (a relay on the same host only) |
| ``FRONTDOOR_SMTP_USER``, ``FRONTDOOR_SMTP_PASSWORD`` | none | log in when a user is set |
| ``FRONTDOOR_MAIL_FROM`` | ``frontdoor@localhost`` | sender address |
| ``FRONTDOOR_SMTP_TIMEOUT`` | ``30`` | seconds before a connection attempt fails |
| ``FRONTDOOR_WORKER_POLL_SECONDS`` | ``30`` | longest pause between rounds (the worker wakes at
  the next due instant when it comes sooner) |
| ``FRONTDOOR_OUTBOX_BATCH`` | ``400`` | rows claimed per transaction |
| ``FRONTDOOR_OUTBOX_LEASE_SECONDS`` | ``300`` | a claimed row is claimed again after this if
  its worker never recorded the result (it died) |
| ``FRONTDOOR_OUTBOX_RETRY_SECONDS`` | ``60`` | first wait after a failed attempt, doubled
  each time |
| ``FRONTDOOR_OUTBOX_RETRY_MAX_SECONDS`` | ``3600`` | longest wait between attempts |
| ``FRONTDOOR_OUTBOX_MAX_AGE_HOURS`` | ``24`` | a failing row older than this (from its due time) is
  dead |
| ``FRONTDOOR_OUTBOX_DIGEST_MIN`` | ``3`` | more e-mails than this of one kind to one person in a
  claimed batch go as one digest; ``0``: never |
| ``FRONTDOOR_OUTBOX_DIGEST_MAX`` | ``200`` | most notifications listed in one digest |
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.settings import parse


@dataclass(frozen=True)
class MailSettings:
    smtp_host: str | None = None
    smtp_port: int = 587
    starttls: bool = True
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = "frontdoor@localhost"
    timeout: float = 30.0


@dataclass(frozen=True)
class OutboxSettings:
    poll_seconds: float = 30.0
    batch: int = 400
    lease_seconds: int = 300
    retry_seconds: int = 60
    retry_max_seconds: int = 3600
    max_age_hours: int = 24
    digest_min: int = 3  # more e-mails than this of one kind to one person: a digest; 0: never
    digest_max: int = 200


def load_mail(env: parse.Env) -> MailSettings:
    starttls = env.get("FRONTDOOR_SMTP_STARTTLS", "").strip() or "1"
    if starttls not in ("0", "1"):
        raise parse.SettingsError(f"FRONTDOOR_SMTP_STARTTLS must be 0 or 1, got {starttls!r}")
    port = parse.whole(env, "FRONTDOOR_SMTP_PORT", 587, "port")
    if port > 65535:
        raise parse.SettingsError(f"FRONTDOOR_SMTP_PORT must be at most 65535, got {port}")
    sender = env.get("FRONTDOOR_MAIL_FROM", "").strip() or "frontdoor@localhost"
    if "@" not in sender:
        raise parse.SettingsError(f"FRONTDOOR_MAIL_FROM must be an e-mail address, got {sender!r}")
    return MailSettings(
        smtp_host=parse.text(env, "FRONTDOOR_SMTP_HOST"),
        smtp_port=port,
        starttls=starttls == "1",
        user=parse.text(env, "FRONTDOOR_SMTP_USER"),
        password=parse.text(env, "FRONTDOOR_SMTP_PASSWORD"),
        sender=sender,
        timeout=parse.seconds(env, "FRONTDOOR_SMTP_TIMEOUT", 30.0),
    )


def load_outbox(env: parse.Env) -> OutboxSettings:
    return OutboxSettings(
        poll_seconds=parse.seconds(env, "FRONTDOOR_WORKER_POLL_SECONDS", 30.0),
        batch=parse.whole(env, "FRONTDOOR_OUTBOX_BATCH", 400, "rows"),
        lease_seconds=parse.whole(env, "FRONTDOOR_OUTBOX_LEASE_SECONDS", 300, "seconds"),
        retry_seconds=parse.whole(env, "FRONTDOOR_OUTBOX_RETRY_SECONDS", 60, "seconds"),
        retry_max_seconds=parse.whole(env, "FRONTDOOR_OUTBOX_RETRY_MAX_SECONDS", 3600, "seconds"),
        max_age_hours=parse.whole(env, "FRONTDOOR_OUTBOX_MAX_AGE_HOURS", 24, "hours"),
        digest_min=_count(env, "FRONTDOOR_OUTBOX_DIGEST_MIN", 3),
        digest_max=parse.whole(env, "FRONTDOOR_OUTBOX_DIGEST_MAX", 200, "notifications"),
    )


def _count(env: parse.Env, name: str, default: int) -> int:
    """A whole number of e-mails, 0 allowed; unset or empty is ``default``."""
    value = env.get(name, "").strip() or str(default)
    if not value.isdigit():
        raise parse.SettingsError(f"{name} must be a whole number of e-mails, got {value!r}")
    return int(value)
