"""rasaserver/cli.py: Rasa's check of the action server's answers, with a validator built once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from rasaserver import cli as rasa_cli

VALID = {"events": [{"event": "slot", "name": "language", "value": "it"}], "responses": []}


@pytest.fixture
def action() -> Iterator[RemoteAction]:
    original = RemoteAction._validate_action_result
    rasa_cli.validate_action_results_with_one_validator()
    yield RemoteAction("action_report_problem", EndpointConfig("http://127.0.0.1:1/webhook"))
    RemoteAction._validate_action_result = original


def test_a_valid_answer_of_the_action_server_is_accepted(action: RemoteAction) -> None:
    assert action._validate_action_result(VALID) is True


def test_a_malformed_answer_is_refused_with_rasas_message(action: RemoteAction) -> None:
    """An answer whose events are not a list fails as Rasa's own check fails."""
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": "not a list", "responses": []})
