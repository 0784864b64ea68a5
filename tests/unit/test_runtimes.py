"""The main environment: a supported Python and current libraries, and no Rasa or TensorFlow.

Everything but the Rasa server runs here (docs/runtimes.md); tests/rasa_env checks the other side.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pydantic
import rasa_sdk
import sqlalchemy


def test_the_main_environment_runs_on_a_supported_python() -> None:
    """Python 3.10 reached its end of life in October 2026: the main environment is 3.12+."""
    assert sys.version_info[:2] >= (3, 12)


def test_the_main_environment_has_sqlalchemy_2_and_pydantic_2() -> None:
    assert int(sqlalchemy.__version__.split(".")[0]) == 2
    assert int(pydantic.VERSION.split(".")[0]) == 2


def test_tensorflow_and_rasa_are_not_installed_here() -> None:
    """Only the Rasa environment has them; the action server needs rasa_sdk alone."""
    assert importlib.util.find_spec("tensorflow") is None
    assert importlib.util.find_spec("rasa") is None
    assert rasa_sdk.__version__
    result = subprocess.run(
        [sys.executable, "-c", "import tensorflow"], capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "No module named 'tensorflow'" in result.stderr


def test_loading_the_whole_application_imports_no_rasa() -> None:
    """The web app, the action server's actions and the CLI import neither rasa nor TensorFlow."""
    code = (
        "import sys, web, cli.main, bot.action_server, bot.actions, core.worker; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('rasa', 'tensorflow')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
