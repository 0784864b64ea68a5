"""How a call ended, counted once (issue #15): contained by the tree, or abandoned at a step.

Twilio's status callback at the end of a call (``CallStatus`` completed, busy, no-answer,
failed or canceled) classifies the call from its stored state, without new columns:

- ``state["outcome"]`` is set by :meth:`ivr.step.Step.end` whenever the tree finished the call
  (a ticket opened and read, a ticket status heard, a refusal said, a voicemail taken, the
  caller put through to the desk or on-call): the call is **contained**; ``error`` when the
  fallback URL apologised instead (that outcome is on the transcript only); ``no_input``
  (the tree gave up after silences) is **abandoned** at the question that went unanswered.
- otherwise the caller hung up while the tree was still asking: **abandoned** at
  ``state["asking"]``, the question of the last ``<Gather>`` (:meth:`ivr.step.Step.gather`),
  or at ``start`` when no question was asked yet.

The result is written once per call on its transcript (a system ``event`` line whose reason
starts with :data:`REASON_PREFIX`; the outcome ``abandoned`` with the step as reason when the
transcript had none) and counted after the commit; a retried callback finds the line and
counts nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core import metrics
from ivr.step import Step

FINAL_STATUSES = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
# the questions of the tree, by the endpoint their <Gather> posts to ("voicemail" is the
# priority of a message left while the office is closed)
STEPS = ("language", "identify", "role", "menu", "priority", "ticket", "pin", "voicemail")
START, OTHER = "start", "other"
RESULTS = ("contained", "abandoned", "error")
REASON_PREFIX = "ivr_end:"


@dataclass(frozen=True)
class Ending:
    result: str  # contained | abandoned | error
    step: str = ""  # the question abandoned (one of STEPS, start or other); "" otherwise

    @property
    def reason(self) -> str:
        """The transcript line's reason: ``ivr_end:contained``, ``ivr_end:abandoned:menu``."""
        return REASON_PREFIX + (f"{self.result}:{self.step}" if self.step else self.result)

    @property
    def text(self) -> str:
        if self.result == "abandoned":
            return f"ended in the phone tree: abandoned at {self.step}"
        return f"ended in the phone tree: {self.result}"


def _step_name(value: Any) -> str:
    name = str(value or "")
    if not name:
        return START
    return name if name in STEPS else OTHER


def classify(state: Mapping[str, Any], recorded: str | None = None) -> Ending:
    """The call's ending from its stored state and the outcome ``recorded`` on its transcript
    (the fallback's ``error`` is on the transcript only): pure, see the module's rules."""
    outcome = state.get("outcome") or recorded
    if outcome == "no_input":
        return Ending("abandoned", _step_name(state.get("asking")))
    if outcome == "error":
        return Ending("error")
    if outcome:
        return Ending("contained")
    return Ending("abandoned", _step_name(state.get("asking")))


def parse_reason(reason: str) -> Ending | None:
    """The ending a transcript line's reason records (the console's counts), if any."""
    if not reason.startswith(REASON_PREFIX):
        return None
    result, _, step = reason[len(REASON_PREFIX) :].partition(":")
    return Ending(result, step) if result in RESULTS else None


def call_ended(step: Step) -> Ending | None:
    """Classify the call of a final status callback, once: the transcript line, the outcome
    when the call had none, and the metric after commit. None when already recorded."""
    transcript = step.uow.transcripts.get("phone", step.sid)
    if transcript is not None and any(
        (turn.reason or "").startswith(REASON_PREFIX) for turn in transcript.turns
    ):
        return None
    recorded = transcript.outcome if transcript is not None else None
    ending = classify(step.state, recorded)
    step.note(ending.text, kind="event", reason=ending.reason)
    if ending.result == "abandoned" and not recorded and not step.state.get("outcome"):
        step.end("abandoned", ending.step)
    metrics.ivr_call_ended(step.uow, ending.result, ending.step or "none", step.theatre)
    return ending
