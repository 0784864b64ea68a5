"""``frontdoor worker``: send the outbox's notifications (escalations, breach warnings)."""

from __future__ import annotations

import json
import signal
import threading
from datetime import UTC, datetime
from typing import Any

import click

from cli.context import fail, get_frontdoor
from cli.helpdesk import helpdesk_notifier
from cli.metrics import port_option, serve_metrics
from core.adapters.db import sqlite_file
from core.adapters.mail import SmtpNotifier
from core.bootstrap import Frontdoor
from core.logs import configure_logging
from core.notify import Notifier, Router
from core.worker import OutboxWorker
from outbound import adapters_from_settings, callback_from_settings, voices_from_policy
from web.alerts.notifier import caller_from_settings, on_call_voice


def _now() -> datetime:
    return datetime.now(UTC)


def delivery_adapters(fd: Frontdoor) -> dict[str, Notifier]:
    """The channels the settings configure: e-mail over SMTP; SMS, calls and the on-call call
    through Twilio; signed webhooks. A row of a channel not configured fails and is retried,
    then dead (visible)."""
    settings = fd.settings
    adapters: dict[str, Notifier] = {}
    if settings.mail.smtp_host:
        adapters["email"] = SmtpNotifier(settings.mail)
    caller = caller_from_settings(settings, on_call_voice(fd.policy))
    if caller is not None:
        adapters["oncall"] = caller
    voices = voices_from_policy(fd.policy.languages)
    adapters.update(adapters_from_settings(settings, voices=voices))
    callback = callback_from_settings(settings, voices=voices)  # the desk queue's callbacks
    if callback is not None:
        adapters["callback"] = callback
    helpdesk = helpdesk_notifier(fd)  # Request Tracker (docs/helpdesk.md)
    if helpdesk is not None:
        adapters["helpdesk"] = helpdesk
    return adapters


@click.command()
@click.option("--once", is_flag=True, help="send what is due now, print a summary and exit")
@port_option
@click.pass_context
def worker(ctx: click.Context, once: bool, metrics_port: int | None) -> None:
    """Send due notifications (e-mail, SMS, calls, webhooks) until stopped (SIGTERM or
    Ctrl-C: the deliveries in progress finish first). One worker on SQLite; any number on
    PostgreSQL."""
    fd = get_frontdoor(ctx)
    settings = fd.settings
    adapters = delivery_adapters(fd)
    if not adapters:
        fail("no delivery is configured (FRONTDOOR_SMTP_HOST, Twilio, webhooks): nothing to send")
    if not settings.public_base_url and settings.production:
        fail("PUBLIC_BASE_URL is not set: messages could not link to the console")
    runner = OutboxWorker(
        fd.uow,
        fd.book,
        Router(adapters),
        settings.outbox,
        base_url=settings.public_base_url or "http://127.0.0.1:5000",
        clock=_now,
    )
    if once:
        report = runner.run_once()
        summary: dict[str, Any] = {
            "claimed": report.claimed,
            "sent": len(report.sent),
            "failed": report.failed,
            "dead": report.dead,
            "cancelled": report.cancelled,
        }
        click.echo(json.dumps(summary))
        return
    configure_logging(settings.ops)  # FRONTDOOR_LOG_FORMAT, FRONTDOOR_LOG_LEVEL
    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        click.echo(f"frontdoor worker: signal {signum}, stopping after this round", err=True)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    where = "SQLite (run one worker)" if sqlite_file(settings.database_url) else "the database"
    channels = ", ".join(sorted(adapters))
    click.echo(f"frontdoor worker: sending notifications ({channels}) from {where}", err=True)
    if metrics_port is not None:
        serve_metrics(settings.metrics, metrics_port)
        click.echo(f"frontdoor worker: metrics on {settings.metrics.host}:{metrics_port}", err=True)
    runner.run(stop)
