"""Alertmanager webhook payload, version 4, validated strictly before anything is written.

Format: https://prometheus.io/docs/alerting/latest/configuration/#webhook_config -- version,
status, alerts[] with status, labels, annotations, startsAt, endsAt, fingerprint (other fields,
such as groupKey, receiver or generatorURL, are accepted and ignored).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictStr,
    StringConstraints,
    ValidationError,
    field_validator,
)

from core.alerts import AlertNotice

_ZERO_YEAR = 1  # Go's zero time, "0001-01-01T00:00:00Z": a firing alert has no end yet
_RFC3339 = re.compile(
    r"^(?P<base>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(?P<fraction>\d{1,9}))?"
    r"(?P<zone>Z|[+-]\d{2}:\d{2})$"
)
Fingerprint = Annotated[str, StringConstraints(strict=True, pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]


class PayloadError(ValueError):
    """The body is not a valid Alertmanager v4 webhook; the message says where."""


def parse_instant(text: str) -> datetime:
    """An RFC 3339 instant as Go writes it (nanoseconds kept to the microsecond), aware UTC."""
    match = _RFC3339.match(text)
    if not match:
        raise ValueError("expected an RFC 3339 date-time with a time zone")
    fraction = (match["fraction"] or "0")[:6].ljust(6, "0")
    zone = "+00:00" if match["zone"] == "Z" else match["zone"]
    return datetime.fromisoformat(f"{match['base']}.{fraction}{zone}").astimezone(UTC)


class _Alert(BaseModel):
    model_config = ConfigDict(extra="allow")

    status: Literal["firing", "resolved"]
    labels: dict[StrictStr, StrictStr]
    annotations: dict[StrictStr, StrictStr]
    startsAt: datetime
    endsAt: datetime | None = Field(...)  # required, may be Go's zero time
    fingerprint: Fingerprint

    @field_validator("startsAt", "endsAt", mode="before")
    @classmethod
    def _instant(cls, value: Any) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise ValueError("expected a string")
        return parse_instant(value)

    @field_validator("startsAt")
    @classmethod
    def _started(cls, value: datetime) -> datetime:
        if value.year <= _ZERO_YEAR:
            raise ValueError("a firing or resolved alert has a start")
        return value


class _Payload(BaseModel):
    model_config = ConfigDict(extra="allow")

    version: Literal["4"]
    status: Literal["firing", "resolved"]
    alerts: list[_Alert]


def parse_payload(body: Any, contract_label: str) -> list[AlertNotice]:
    """The alerts of a decoded JSON body, or :class:`PayloadError` naming the first problem."""
    if not isinstance(body, dict):
        raise PayloadError("the body must be a JSON object")
    try:
        payload = _Payload.model_validate(body)
    except ValidationError as exc:
        raise PayloadError(_first_error(exc)) from None
    return [_notice(alert, contract_label) for alert in payload.alerts]


def _notice(alert: _Alert, contract_label: str) -> AlertNotice:
    ends = alert.endsAt if alert.endsAt and alert.endsAt.year > _ZERO_YEAR else None
    code = alert.labels.get(contract_label, "").strip() or None
    return AlertNotice(
        fingerprint=alert.fingerprint,
        status=alert.status,
        starts_at=alert.startsAt,
        ends_at=ends,
        labels=dict(alert.labels),
        annotations=dict(alert.annotations),
        contract_code=code,
    )


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg'].removeprefix('Value error, ')}"
