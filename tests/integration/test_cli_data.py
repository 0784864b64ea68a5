"""The data-side commands through click's runner: JSON on stdout, exit 2 with one line."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from cli.data import contracts, db, demo, pin
from core.adapters.db import shipped_heads
from core.bootstrap import Frontdoor, bootstrap
from core.policy import Policy
from core.services import pin_matches
from core.settings import load_settings

from .helpers import count
from .test_contracts_import import csv_text, with_value


@click.group()
@click.pass_context
def root(ctx: click.Context) -> None:
    """Like cli.main: the data groups under a root that keeps a dict in ctx.obj."""
    ctx.ensure_object(dict)


for group in (db, demo, contracts, pin):
    root.add_command(group)


class Runner:
    """Invoke the commands with a Frontdoor injected (flaskr's AuthActions idea)."""

    def __init__(self, fd: Frontdoor | None):
        self.fd = fd

    def __call__(self, *args: str, input: str | None = None) -> Result:
        obj = {"frontdoor": self.fd} if self.fd else None
        return CliRunner().invoke(root, list(args), input=input, obj=obj)


def assert_one_line_error(result: Result, text: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and text in lines[0], result.stderr
    assert "Traceback" not in result.output


@pytest.fixture
def run(frontdoor: Frontdoor) -> Runner:
    return Runner(frontdoor)


def test_db_upgrade_migrates_a_new_database(database_url: str, shipped_policy: Policy) -> None:
    """`frontdoor db upgrade` on an empty database prints the revision it reached."""
    fd = bootstrap(load_settings({"DATABASE_URL": database_url}), policy=shipped_policy)
    result = Runner(fd)("db", "upgrade")
    fd.dispose()
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["revision"] == "+".join(sorted(shipped_heads()))


def test_commands_bootstrap_from_the_environment_when_nothing_is_injected(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without an injected Frontdoor the command reads DATABASE_URL itself."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    result = Runner(None)("db", "upgrade")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["revision"] == "+".join(sorted(shipped_heads()))


def test_a_bad_policy_file_exits_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FRONTDOOR_POLICY pointing nowhere is reported on one line."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    monkeypatch.setenv("FRONTDOOR_POLICY", str(tmp_path / "missing.yml"))
    assert_one_line_error(Runner(None)("db", "upgrade"), "cannot read")


def test_demo_load_prints_a_report_and_is_idempotent(run: Runner) -> None:
    """The second load reports every demo contract unchanged."""
    first = run("demo", "load", "--today", "2026-06-08")
    second = run("demo", "load", "--today", "2026-06-08")
    assert first.exit_code == second.exit_code == 0
    assert json.loads(first.stdout)["created"] == 32
    assert json.loads(second.stdout) == {"created": 0, "updated": 0, "unchanged": 32}


def test_demo_load_with_a_malformed_date_exits_2(run: Runner) -> None:
    """--today must be YYYY-MM-DD."""
    assert_one_line_error(run("demo", "load", "--today", "2026-13-01"), "--today")


def test_contracts_import_prints_one_json_line(run: Runner, tmp_path: Path) -> None:
    """A good file: exit 0 and the report on one line of stdout."""
    file = tmp_path / "contracts.csv"
    file.write_text("".join(csv_text()), encoding="utf-8")
    result = run("contracts", "import", str(file))
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 1
    assert json.loads(result.stdout)["created"] == 3


def test_contracts_import_bad_row_exits_2_and_writes_nothing(
    run: Runner, frontdoor: Frontdoor, tmp_path: Path
) -> None:
    """A bad third row: exit 2, its line and column on one stderr line, no contract stored."""
    file = tmp_path / "contracts.csv"
    file.write_text("".join(with_value("plan", "silver")), encoding="utf-8")
    assert_one_line_error(run("contracts", "import", str(file)), "line 4, column plan")
    assert count(frontdoor, "contracts") == 0


def test_contracts_import_of_a_missing_file_exits_2(run: Runner, tmp_path: Path) -> None:
    """A file that does not exist is bad input, not a traceback."""
    assert_one_line_error(run("contracts", "import", str(tmp_path / "no.csv")), "cannot read")


def test_pin_set_reads_stdin_and_never_prints_the_pin(run: Runner, frontdoor: Frontdoor) -> None:
    """The PIN comes from stdin and appears neither on stdout nor on stderr."""
    run("demo", "load", "--today", "2026-06-08")
    result = run("pin", "set", "1016", input="86420\n")
    assert result.exit_code == 0, result.output
    assert "86420" not in result.output
    assert pin_matches(frontdoor.uow(), "1016", "86420")


@pytest.mark.parametrize(
    ("code", "typed", "message"),
    [
        ("1016", "12\n", "4 to 8 digits"),
        ("1016", "\n", "4 to 8 digits"),
        ("9999", "1234\n", "unknown contract"),
    ],
)
def test_pin_set_bad_input_exits_2(run: Runner, code: str, typed: str, message: str) -> None:
    """A malformed PIN or an unknown contract: exit 2 and one line."""
    run("demo", "load", "--today", "2026-06-08")
    result = run("pin", "set", code, input=typed)
    assert_one_line_error(result, message)
    if typed.strip():
        assert typed.strip() not in result.stderr
