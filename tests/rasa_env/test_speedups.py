"""rasaserver/speedups.py: the action server's answers are accepted and refused exactly as Rasa's
own check does, and events are rebuilt into the same classes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from rasa.utils.endpoints import EndpointConfig

from rasaserver import speedups

RASA_CHECK = RemoteAction._validate_action_result

ANSWERS: list[dict[str, Any]] = [
    {"events": [{"event": "slot", "name": "language", "value": "it"}], "responses": []},
    {"events": [], "responses": [{"text": "Buongiorno", "buttons": []}]},
    {
        "events": [
            {"event": "active_loop", "name": "report_form"},
            {"event": "followup", "name": ""},
        ]
    },
    {"events": [{"event": "bot", "text": "hi", "data": {"buttons": []}, "timestamp": None}]},
    {"events": [{"event": "user", "text": "ciao", "parse_data": {"intent": {"name": "greet"}}}]},
    {"events": [{"event": "reset_slots"}, {"event": "restart", "metadata": {"a": 1}}]},
    {},
    # refused by Rasa
    {"events": "not a list", "responses": []},
    {"events": [{"name": "language", "value": "it"}]},  # no event name
    {"events": [{"event": "slot", "name": "language"}]},  # a slot without its value
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": 3}]},
    {"events": ["slot"]},
    {"events": [{"event": "user", "parse_data": "not an object"}]},
    {"events": [{"event": "slot", "name": "x", "value": 1, "timestamp": "noon"}]},
    {"events": [{"event": "bot", "metadata": []}]},
    {"responses": "not a list"},
    [],
]


@pytest.fixture
def action() -> Iterator[RemoteAction]:
    yield RemoteAction("action_report_problem", EndpointConfig("http://127.0.0.1:1/webhook"))


def _rasa_accepts(action: RemoteAction, answer: Any) -> bool:
    try:
        return bool(RASA_CHECK(action, answer))
    except ValidationError:
        return False


@pytest.mark.parametrize("answer", ANSWERS)
def test_an_answer_is_accepted_exactly_when_rasas_own_check_accepts_it(
    action: RemoteAction, answer: Any
) -> None:
    if _rasa_accepts(action, answer):
        assert speedups.validate_action_result(action, answer) is True
    else:
        with pytest.raises(ValidationError, match="Failed to validate Action server response"):
            speedups.validate_action_result(action, answer)


def test_the_samples_hold_answers_of_both_kinds(action: RemoteAction) -> None:
    verdicts = [_rasa_accepts(action, answer) for answer in ANSWERS]
    assert verdicts.count(True) == 7 and verdicts.count(False) == len(ANSWERS) - 7


def test_events_are_rebuilt_into_rasas_classes_and_unknown_names_still_fail() -> None:
    speedups.install()
    try:
        for cls in (UserUttered, BotUttered, SlotSet, ActionExecuted):
            assert Event.resolve_by_type(cls.type_name) is cls
            assert Event.resolve_by_type(cls.type_name) is cls  # from the kept table
        assert Event.resolve_by_type("topic") is None
        assert Event.resolve_by_type("no_such_event", SlotSet) is SlotSet
        with pytest.raises(ValueError, match="Unknown event name"):
            Event.resolve_by_type("no_such_event")
        event = Event.from_parameters({"event": "slot", "name": "language", "value": "de"})
        assert event == SlotSet("language", "de")
    finally:
        RemoteAction._validate_action_result = RASA_CHECK
        Event.resolve_by_type = staticmethod(speedups._RASA_RESOLVE)
