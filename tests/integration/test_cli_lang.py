"""``frontdoor lang detect`` through click's runner: one ``code<TAB>confidence`` line per input."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cli.main import cli

LINES = [
    "Buongiorno, il centralino non funziona da stamattina",
    "1016",
    "",
    "النظام متوقف منذ الصباح",
    "Der Server startet nach dem Neustart nicht mehr",
]


@pytest.mark.parametrize("engine", ["lingua", "langdetect"])
def test_lang_detect_prints_one_code_and_confidence_per_input_line(engine: str) -> None:
    """Each stdin line gives one output line; a line without letters gives ``-``."""
    result = CliRunner().invoke(
        cli, ["lang", "detect", "--engine", engine], input="\n".join(LINES) + "\n"
    )
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in result.output.splitlines()]
    assert [code for code, _ in rows] == ["it", "-", "-", "ar", "de"]
    assert all(0.0 <= float(confidence) <= 1.0 for _, confidence in rows)
    assert float(rows[1][1]) == 0.0


def test_lang_detect_defaults_to_lingua() -> None:
    """Without --engine, lingua answers (its confidence for "ok" differs from langdetect's)."""
    default = CliRunner().invoke(cli, ["lang", "detect"], input="ok\n").output
    lingua = CliRunner().invoke(cli, ["lang", "detect", "--engine", "lingua"], input="ok\n").output
    assert default == lingua


def test_lang_detect_refuses_an_unknown_engine() -> None:
    """An engine outside the two is a usage error (exit 2)."""
    result = CliRunner().invoke(cli, ["lang", "detect", "--engine", "cld3"], input="ok\n")
    assert result.exit_code == 2
