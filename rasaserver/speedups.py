"""Two of Rasa 3.6's per-turn costs, removed without changing what Rasa accepts or builds.

Measured with py-spy on the Rasa process during bench/bench_chat.py (2 cores):

- The check of each action server answer (``RemoteAction._validate_action_result``):
  ``jsonschema.validate(result, schema)`` validates the constant schema against the
  meta-schema on every call, then each event against the 23 alternatives of the schema's
  ``oneOf`` (every one is tried, to prove that exactly one matches). The alternatives are told
  apart by their ``event`` constant (23 distinct ones), so the answer is valid exactly when the
  schema without the ``oneOf`` accepts it and each event is accepted by the one alternative for
  its ``event``: that is what :func:`validate_action_result` checks, with validators built
  once, and Rasa's error message.
- ``Event.resolve_by_type``, called for every stored event a tracker is rebuilt from, walks
  every subclass of ``Event`` (``all_subclasses``) each time (9% of the process's time per
  turn): :func:`install` keeps the name -> class table once built (an unknown name still asks
  Rasa, so an event class defined later is found as before).
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event

_RASA_RESOLVE = Event.resolve_by_type


class _Checks:
    """The response schema without the events' ``oneOf``, and one validator per event name."""

    def __init__(self, schema: dict[str, Any]):
        cls = validator_for(schema)
        cls.check_schema(schema)  # once, as jsonschema.validate would on every call
        items = schema["properties"]["events"]["items"]
        alternatives = items["oneOf"]
        names = [alt["properties"]["event"]["const"] for alt in alternatives]
        if len(set(names)) != len(names):  # not this schema any more: Rasa's own check
            raise ValueError("the event alternatives are not told apart by their name")
        outer = copy.deepcopy(schema)
        del outer["properties"]["events"]["items"]["oneOf"]
        self.outer = cls(outer)
        base = {key: value for key, value in items.items() if key != "oneOf"}
        self.by_event = {
            name: cls({"allOf": [base, alternative]})
            for name, alternative in zip(names, alternatives, strict=True)
        }

    def validate(self, result: Any) -> None:
        self.outer.validate(result)
        for event in result.get("events") or []:
            check = self.by_event.get(event["event"])
            if check is None:
                raise ValidationError(f"{event!r} is not valid under any of the given schemas")
            check.validate(event)


@lru_cache(maxsize=1)
def _checks() -> _Checks:
    return _Checks(RemoteAction.action_response_format_spec())


def validate_action_result(_action: RemoteAction, result: dict[str, Any]) -> bool:
    """Rasa's ``RemoteAction._validate_action_result``: True, or its ValidationError."""
    try:
        _checks().validate(result)
        return True
    except ValidationError as e:  # the message of RemoteAction._validate_action_result
        e.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise e


_event_classes: dict[str, type[Event]] = {}


def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """``Event.resolve_by_type`` with the name -> class table kept."""
    found = _event_classes.get(type_name)
    if found is not None:
        return found
    resolved: type[Event] | None = _RASA_RESOLVE(type_name, default)
    if resolved is not None and resolved is not default:
        _event_classes[type_name] = resolved
    return resolved


def install() -> None:
    """Patch Rasa (once per process, before it serves)."""
    RemoteAction._validate_action_result = validate_action_result
    Event.resolve_by_type = staticmethod(resolve_by_type)
