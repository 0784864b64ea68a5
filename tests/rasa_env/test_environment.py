"""The Rasa environment: Python 3.10 with rasa 3.6.21 and TensorFlow, and none of the front door.

Run by ``make test`` (``.venv-rasa/bin/python -m pytest --confcutdir=tests/rasa_env ...``).
"""

from __future__ import annotations

import importlib.util
import sys

import rasa


def test_the_rasa_environment_is_python_3_10_with_rasa_3_6() -> None:
    assert sys.version_info[:2] == (3, 10)
    assert rasa.__version__ == "3.6.21"


def test_tensorflow_is_importable_here() -> None:
    import tensorflow  # noqa: F401  (the point of the test)


def test_the_front_door_packages_are_not_installed_here() -> None:
    """Rasa reaches the front door over HTTP (the action server), never by importing it: the
    project is on sys.path only for rasaserver (endpoints.yml), and core's own libraries
    (pydantic 2, SQLAlchemy 2, Flask...) are not here."""
    assert importlib.util.find_spec("flask") is None
    assert importlib.util.find_spec("frontdoor") is None
