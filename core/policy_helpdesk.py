"""Which helpdesk gets the front door's tickets, and where (policy ``helpdesk``, docs/helpdesk.md).

Operator data, validated with the rest of the policy (:mod:`core.policy` checks that the
theatres named here exist). Without the key, tickets stay in the built-in staff console only.
With it, every ticket opened is also handed to the helpdesk through the outbox (one row of
channel ``helpdesk``), and the helpdesk's changes come back (``frontdoor helpdesk sync``)::

    helpdesk:
      kind: request_tracker
      queues: {europe: Support Europe, americas: Support Americas}
      default_queue: Support            # theatres not listed in queues
      custom_fields:                    # facts kept in custom fields; the others go in the text
        number: Frontdoor ticket
        contract: Contract

The connection (URL, token) is a setting, not policy (:mod:`core.settings.helpdesk`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

HelpdeskKind = Literal["request_tracker"]
Fact = Literal["number", "contract", "plan", "channel", "language", "guarantee"]
FACTS: tuple[Fact, ...] = ("number", "contract", "plan", "channel", "language", "guarantee")


def _default_priorities() -> dict[str, int]:
    # RT 5's default scale: 0 (Low), 50 (Medium), 100 (High)
    return {"P1": 100, "P2": 75, "P3": 50, "P4": 25}


def _default_fields() -> dict[Fact, str]:
    return {"number": "Frontdoor ticket"}


class HelpdeskPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: HelpdeskKind = "request_tracker"
    queues: dict[str, str] = Field(default_factory=dict)  # theatre -> queue name
    default_queue: str = Field("General", min_length=1)
    # fact -> custom field name; a fact without a field is written in the first comment's text
    custom_fields: dict[Fact, str] = Field(default_factory=_default_fields)
    priorities: dict[str, int] = Field(default_factory=_default_priorities)

    def queue_for(self, theatre: str | None) -> str:
        """The queue of the theatre's tickets."""
        return self.queues.get(theatre or "", self.default_queue)

    @property
    def queue_names(self) -> tuple[str, ...]:
        """Every queue the front door writes to, sorted (the sync reads these)."""
        return tuple(sorted({*self.queues.values(), self.default_queue}))


def helpdesk_problems(
    helpdesk: HelpdeskPolicy | None, theatres: set[str], priorities: set[str]
) -> list[str]:
    """Queues for theatres that do not exist, priorities without a helpdesk priority."""
    if helpdesk is None:
        return []
    problems = [
        f"helpdesk -> queues: no theatre {name!r}"
        for name in helpdesk.queues
        if name not in theatres
    ]
    problems += [
        f"helpdesk -> priorities: missing {p!r}"
        for p in sorted(priorities - set(helpdesk.priorities))
    ]
    return problems
