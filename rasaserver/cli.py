"""Rasa's own command line (``rasa run``, ``rasa shell``...) with one fix for its response time.

Rasa 3.6 checks each answer of the action server with ``jsonschema.validate(result, schema)``,
which first validates the (constant) schema itself against JSON Schema's meta-schema: on this
2-core machine that was 40% of the Rasa process's time per chat turn (py-spy, bench/
bench_chat.py). :func:`validate_action_results_with_one_validator` keeps Rasa's check and its
error message, with a validator built once for the schema. Use ``python -m rasaserver.cli run ...``
where ``rasa run ...`` would be used (scripts/rasa-run.sh does).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def _validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)  # once, as jsonschema.validate would on every call
    return cls(schema)


def _validate_action_result(_action: RemoteAction, result: dict[str, Any]) -> bool:
    try:
        _validator().validate(result)
        return True
    except ValidationError as e:  # the message of RemoteAction._validate_action_result
        e.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise e


def validate_action_results_with_one_validator() -> None:
    """Make Rasa validate action server answers with a validator built once."""
    RemoteAction._validate_action_result = _validate_action_result


def main() -> None:
    validate_action_results_with_one_validator()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
