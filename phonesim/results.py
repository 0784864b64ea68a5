"""What happened on a simulated call: what was heard and done, and every webhook request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Event:
    """One thing the caller heard or did, or one thing Twilio did (``kind`` says which)."""

    kind: str
    text: str
    detail: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WebhookRequest:
    method: str
    url: str
    params: Mapping[str, str]
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)  # the answer's headers


@dataclass
class CallResult:
    """The whole call: what was heard and done, every webhook request, and how it ended.

    ``ended`` is ``hangup`` (a ``Hangup`` verb), ``end-of-document``, ``reject``, ``enqueue``,
    ``caller-hangup``, ``application-error`` or ``step-limit``.
    """

    call_sid: str
    events: list[Event] = field(default_factory=list)
    requests: list[WebhookRequest] = field(default_factory=list)
    ended: str = ""
    error: str | None = None

    @property
    def said(self) -> list[str]:
        """The text of every ``Say``, in order."""
        return [e.text for e in self.events if e.kind == "say"]

    @property
    def paths(self) -> list[str]:
        """The path of every webhook request, in order."""
        return [urlsplit(r.url).path for r in self.requests]
