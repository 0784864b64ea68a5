"""What an administrator may do with a notification in the outbox: send it again, or cancel it.

A dead notification (gave up: too old, or nobody to send it to) or a failed one can be retried:
it becomes pending again and the worker claims it at once, with the same delivery id (a
receiver that got it before drops the copy). A notification not sent yet can be cancelled.
"""

from __future__ import annotations

from datetime import datetime

from core.model import OutboxEvent
from core.services.errors import ServiceError
from core.unit_of_work import AbstractUnitOfWork, transactional

RETRYABLE = ("failed", "dead", "cancelled")
CANCELLABLE = ("pending", "failed", "dead")


@transactional
def retry_notification(uow: AbstractUnitOfWork, event_id: int, *, at: datetime) -> OutboxEvent:
    """Make a failed, dead or cancelled notification due again now."""
    event = _event(uow, event_id)
    if event.status not in RETRYABLE:
        raise ServiceError(f"notification {event_id} is {event.status}: nothing to retry")
    event.status, event.lease_until = "pending", None
    event.due_at = min(event.due_at, at)
    return event


@transactional
def cancel_notification(uow: AbstractUnitOfWork, event_id: int, *, at: datetime) -> OutboxEvent:
    """Never send this notification (one not sent yet)."""
    event = _event(uow, event_id)
    if event.status not in CANCELLABLE:
        raise ServiceError(f"notification {event_id} is {event.status}: it cannot be cancelled")
    event.status, event.lease_until = "cancelled", None
    event.last_error = f"cancelled by an administrator at {at.isoformat()}"
    return event


def _event(uow: AbstractUnitOfWork, event_id: int) -> OutboxEvent:
    event = uow.outbox.get(event_id, lock=True)
    if event is None:
        raise ServiceError(f"no notification {event_id}")
    return event
