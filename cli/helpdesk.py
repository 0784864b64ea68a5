"""``frontdoor helpdesk``: follow the tickets handed to the helpdesk (docs/helpdesk.md).

``frontdoor helpdesk sync`` reads Request Tracker's changes every
``FRONTDOOR_HELPDESK_POLL_SECONDS`` and applies them to our tickets (taken in charge, waiting
for the customer, resolved); ``--once`` runs one round and prints what it did. The outbox
worker hands new tickets to RT (:func:`helpdesk_notifier`, channel ``helpdesk``).
"""

from __future__ import annotations

import json
import logging
import signal
import threading
from typing import Any

import click

from cli.context import fail, get_frontdoor
from cli.metrics import port_option, serve_metrics
from core.adapters.helpdesk_cursor import SqlCursor
from core.bootstrap import Frontdoor
from core.helpdesk import HelpdeskError
from core.logs import configure_logging
from core.services.helpdesk_sync import SyncReport, sync_once, transcript_text
from outbound.request_tracker import RequestTrackerHelpdesk, RequestTrackerNotifier, RtClient

log = logging.getLogger("frontdoor.helpdesk")


def rt_client(fd: Frontdoor) -> RtClient | None:
    """The RT client the settings and the policy call for, or None."""
    settings = fd.settings.helpdesk
    policy = fd.policy.helpdesk
    if policy is None or policy.kind != "request_tracker" or not settings.request_tracker:
        return None
    assert settings.rt_url and settings.rt_token
    return RtClient(settings.rt_url, settings.rt_token, timeout=settings.timeout)


def helpdesk_notifier(fd: Frontdoor) -> RequestTrackerNotifier | None:
    """The outbox worker's ``helpdesk`` adapter, when RT is configured."""
    client = rt_client(fd)
    if client is None or fd.policy.helpdesk is None:
        return None

    def transcripts(channel: str, conversation_id: str | None) -> str:
        return transcript_text(fd.uow(), channel, conversation_id)

    return RequestTrackerNotifier(client, fd.policy.helpdesk, transcripts)


def sync_round(fd: Frontdoor, source: RequestTrackerHelpdesk) -> SyncReport:
    return sync_once(fd.uow, fd.book, source, SqlCursor(fd.engine))


def summary(report: SyncReport) -> dict[str, Any]:
    return {
        "seen": report.seen,
        "linked": report.linked,
        "applied": report.applied,
        "not_ours": report.unknown,
        "errors": report.errors,
        "cursor": report.cursor.isoformat() if report.cursor else None,
    }


@click.group()
def helpdesk() -> None:
    """The helpdesk (Request Tracker) the tickets are handed to."""


@helpdesk.command()
@click.option("--once", is_flag=True, help="one round: print what it applied and exit")
@port_option
@click.pass_context
def sync(ctx: click.Context, once: bool, metrics_port: int | None) -> None:
    """Apply the helpdesk's changes to our tickets until stopped (SIGTERM or Ctrl-C)."""
    fd = get_frontdoor(ctx)
    client = rt_client(fd)
    if client is None or fd.policy.helpdesk is None:
        fail("no helpdesk is configured (policy helpdesk, FRONTDOOR_RT_URL, FRONTDOOR_RT_TOKEN)")
    source = RequestTrackerHelpdesk(client, fd.policy.helpdesk)
    if once:
        try:
            report = sync_round(fd, source)
        except HelpdeskError as exc:
            fail(f"Request Tracker: {exc}")
        click.echo(json.dumps(summary(report)))
        return
    configure_logging(fd.settings.ops)  # FRONTDOOR_LOG_FORMAT, FRONTDOOR_LOG_LEVEL
    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    click.echo(f"frontdoor helpdesk: following {client.host}", err=True)
    if metrics_port is not None:
        serve_metrics(fd.settings.metrics, metrics_port)
    while not stop.is_set():
        try:
            report = sync_round(fd, source)
        except HelpdeskError as exc:  # RT is down: the next round asks again
            log.warning("helpdesk: %s", exc)
        except Exception:  # the database is down: log, wait, try again
            log.exception("helpdesk round failed")
        else:
            if report.applied or report.errors or report.linked:
                log.info("helpdesk: %s", json.dumps(summary(report)))
        stop.wait(fd.settings.helpdesk.poll_seconds)
