"""How a call ended, from its stored state (ivr/abandonment.py): contained, abandoned at
each question, error."""

from __future__ import annotations

import pytest

from core import views
from ivr import abandonment
from ivr.abandonment import Ending, classify, parse_reason


@pytest.mark.parametrize("step", abandonment.STEPS)
def test_a_hang_up_while_a_question_is_asked_is_abandoned_at_it(step: str) -> None:
    state = {"seq": 3, "theatre": "europe", "lang": "en", "asking": step}
    assert classify(state) == Ending("abandoned", step)


@pytest.mark.parametrize("step", abandonment.STEPS)
def test_silences_until_the_tree_gives_up_are_abandoned_at_the_question(step: str) -> None:
    assert classify({"asking": step, "outcome": "no_input"}) == Ending("abandoned", step)


def test_before_any_question_is_abandoned_at_the_start() -> None:
    assert classify({}) == Ending("abandoned", "start")
    assert classify({"seq": 1, "theatre": "europe"}) == Ending("abandoned", "start")


def test_an_unknown_question_is_other_so_the_labels_stay_bounded() -> None:
    assert classify({"asking": "queue_choice"}) == Ending("abandoned", "other")


@pytest.mark.parametrize(
    ("outcome", "asking"),
    [
        ("open_ticket", "priority"),  # ticket opened and read, desk dialled or queued
        ("open_ticket", "voicemail"),  # closed office: a voicemail taken on the ticket
        ("on_call", "pin"),  # PIN right: put through to on-call
        ("refuse", "identify"),  # three wrong codes, or a contract refused
        ("redirect", "menu"),  # sent to the help center
        ("ticket_status", "ticket"),  # a ticket's status heard
    ],
)
def test_every_ending_the_tree_said_is_contained(outcome: str, asking: str) -> None:
    assert classify({"asking": asking, "outcome": outcome}) == Ending("contained")


def test_the_fallback_error_recorded_on_the_transcript_is_an_error() -> None:
    assert classify({"asking": "menu"}, recorded="error") == Ending("error")


def test_an_outcome_recorded_on_the_transcript_only_is_contained() -> None:
    assert classify({"asking": "priority"}, recorded="open_ticket") == Ending("contained")


@pytest.mark.parametrize(
    "ending", [Ending("contained"), Ending("error"), Ending("abandoned", "priority")]
)
def test_the_transcript_reason_reads_back(ending: Ending) -> None:
    assert len(ending.reason) <= 64  # turns.reason
    assert parse_reason(ending.reason) == ending
    assert ending.reason.startswith(views.IVR_END)


def test_other_reasons_are_no_ending() -> None:
    assert parse_reason("completed") is None
    assert parse_reason("ivr_end:something") is None
    assert abandonment.REASON_PREFIX == views.IVR_END
