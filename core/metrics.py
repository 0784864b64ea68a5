"""The front door's Prometheus metrics, and the helpers the services count with.

Metric objects are declarations, like loggers: they hold counts, never a connection, so they
are defined here at import time, once per process. Every label takes its values from a small
known set (channels, outcomes and reasons of the decision, priorities, theatres, outbox kinds,
routes of the web app, action names): never a ticket number, a phone number or an address.

What a transaction decides is counted only once it is committed
(:meth:`~core.unit_of_work.AbstractUnitOfWork.after_commit`): a step that fails and is rolled
back, then retried by Twilio, counts once. docs/observability.md lists the metrics.

Under gunicorn every worker writes its values to ``PROMETHEUS_MULTIPROC_DIR`` (set by
``gunicorn.conf.py`` before the app is imported) and :func:`exposition` adds them up.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

from core.delivery import channel_of

if TYPE_CHECKING:
    from core.model import OutboxEvent, Ticket
    from core.unit_of_work import AbstractUnitOfWork

# seconds: a webhook answers in tens of milliseconds (target p99 50 ms), a chat turn in
# hundreds (p95 150 ms), a long poll of the live chat in up to 30 s
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 30.0)
# seconds late: the worker claims a row due now within a poll (default 5 s)
LAG_BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0)

CASES = Counter(
    "frontdoor_cases",
    "Cases decided by the intake service",
    ["channel", "outcome", "reason"],
)
TICKETS_OPENED = Counter(
    "frontdoor_tickets_opened",
    "Tickets opened (a retried delivery returning the same ticket is not counted)",
    ["channel", "priority", "theatre"],
)
PIN_ATTEMPTS = Counter(
    "frontdoor_pin_attempts",
    "On-call PIN attempts by result (ok, wrong, locked, no_pin)",
    ["result"],
)
PIN_LOCKOUTS = Counter("frontdoor_pin_lockouts", "Contracts locked after too many wrong PINs")
IDENTIFICATIONS = Counter(
    "frontdoor_identifications",
    "Customer-code identifications by channel and status (ok, wrong, wait)",
    ["channel", "status"],
)
IDENTIFICATION_THROTTLES = Counter(
    "frontdoor_identification_throttles",
    "Identification tries refused because the code, number or address must wait",
    ["channel"],
)
NOTIFICATIONS = Counter(
    "frontdoor_notifications",
    "Outbox notifications by kind, channel and outcome (sent, failed, dead, cancelled)",
    ["kind", "channel", "status"],
)
SLA_BREACHES = Counter(
    "frontdoor_sla_breaches",
    "Tickets whose breach notifications went out (deadline missed, not in charge)",
    ["theatre", "priority"],
)
OUTBOX_LAG = Gauge(
    "frontdoor_outbox_lag_seconds",
    "How overdue the oldest claimable outbox row was after the worker's last round",
    multiprocess_mode="max",
)
OUTBOX_CLAIM_DELAY = Histogram(
    "frontdoor_outbox_claim_delay_seconds",
    "Seconds between a row's due time and its claim by a worker",
    buckets=LAG_BUCKETS,
)
HELPDESK_SYNC_ERRORS = Counter(
    "frontdoor_helpdesk_sync_errors",
    "Helpdesk sync failures by stage (list, events, apply)",
    ["stage"],
)
HTTP_SECONDS = Histogram(
    "frontdoor_http_request_duration_seconds",
    "Web app requests by route (the URL rule, never the path) and method",
    ["route", "method"],
    buckets=LATENCY_BUCKETS,
)
HTTP_REQUESTS = Counter(
    "frontdoor_http_requests",
    "Web app answers by route, method and status code",
    ["route", "method", "status"],
)
ACTION_SECONDS = Histogram(
    "frontdoor_action_duration_seconds",
    "Action server calls by action (one per chat turn step Rasa asks for)",
    ["action"],
    buckets=LATENCY_BUCKETS,
)
ACTION_CALLS = Counter(
    "frontdoor_action_calls",
    "Action server answers by action and status code",
    ["action", "status"],
)
IVR_CALLS_ENDED = Counter(
    "frontdoor_ivr_calls_ended",
    "Phone calls ended, by result (contained, abandoned, error), the question abandoned "
    "(none when not abandoned) and theatre; counted once per call",
    ["result", "step", "theatre"],
)


def case_decided(uow: AbstractUnitOfWork, channel: str, outcome: str, reason: str) -> None:
    """One case decided, counted when its transaction commits."""
    uow.after_commit(CASES.labels(channel, outcome, reason).inc)


def ticket_opened(uow: AbstractUnitOfWork, channel: str, priority: str, theatre: str) -> None:
    """One new ticket, counted when its transaction commits."""
    uow.after_commit(TICKETS_OPENED.labels(channel, priority, theatre).inc)


def pin_attempt(uow: AbstractUnitOfWork, result: str, *, locked_out: bool) -> None:
    """One PIN attempt (and the lockout it caused), counted when recorded."""
    uow.after_commit(PIN_ATTEMPTS.labels(result).inc)
    if locked_out:
        uow.after_commit(PIN_LOCKOUTS.inc)


def identification(uow: AbstractUnitOfWork, channel: str, status: str) -> None:
    """One identification try; a ``wait`` is a throttled one."""
    uow.after_commit(IDENTIFICATIONS.labels(channel, status).inc)
    if status == "wait":
        uow.after_commit(IDENTIFICATION_THROTTLES.labels(channel).inc)


def ivr_call_ended(uow: AbstractUnitOfWork, result: str, step: str, theatre: str) -> None:
    """One phone call's ending (ivr/abandonment.py), counted when its transaction commits."""
    uow.after_commit(IVR_CALLS_ENDED.labels(result, step, theatre).inc)


def notification(kind: str, channel: str, status: str, count: int = 1) -> None:
    """Outbox rows that reached ``status`` (the worker counts after its transaction)."""
    if count:
        NOTIFICATIONS.labels(kind, channel, status).inc(count)


def outbox_claimed(
    uow: AbstractUnitOfWork,
    rows: Sequence[tuple[OutboxEvent, Ticket]],
    skipped: Sequence[tuple[OutboxEvent, str]],
    now: datetime,
) -> None:
    """A worker's claim, counted when it commits: each claimed row's delay, the rows it
    cancelled or found dead, and one SLA breach per ticket whose ``breach`` rows are claimed
    for the first time (a retry of a failed breach e-mail is not a second breach)."""
    delays = [max((now - event.due_at).total_seconds(), 0.0) for event, _ in rows]
    statuses = [(event.kind, channel_of(event), status) for event, status in skipped]
    breaches = {
        ticket.id: (str(event.payload.get("theatre") or "none"), ticket.priority)
        for event, ticket in rows
        if event.kind == "breach" and not event.attempts
    }

    def count() -> None:
        for delay in delays:
            OUTBOX_CLAIM_DELAY.observe(delay)
        for kind, channel, status in statuses:
            notification(kind, channel, status)
        for theatre, priority in breaches.values():
            SLA_BREACHES.labels(theatre, priority).inc()

    uow.after_commit(count)


def outbox_lag(next_due: datetime | None, now: datetime) -> None:
    """The oldest claimable row's delay at ``now`` (0 when nothing is overdue)."""
    late = (now - next_due).total_seconds() if next_due is not None else 0.0
    OUTBOX_LAG.set(max(late, 0.0))


def multiprocess_dir() -> str | None:
    """The directory the processes of a gunicorn master share their values in, if any."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def exposition() -> tuple[bytes, str]:
    """The text format of every metric of this process, or of all gunicorn workers when they
    share a multiprocess directory; with its content type."""
    registry = REGISTRY
    if multiprocess_dir():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return generate_latest(registry), CONTENT_TYPE_LATEST
