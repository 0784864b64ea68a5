"""Data-side commands: ``db upgrade``, ``demo load``, ``contracts import``, ``pin set``.

``cli.main`` registers the groups. Results are one line of JSON on stdout; bad input exits 2
with one line on stderr (never a traceback, never the PIN).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click

from cli.context import fail, get_frontdoor
from core.adapters.db import current_revision, upgrade
from core.demo import load_demo
from core.services import (
    ContractImportError,
    ContractSpec,
    ServiceError,
    import_contracts,
    parse_contracts_csv,
    set_pin,
)


def _emit(payload: dict[str, Any]) -> None:
    click.echo(json.dumps(payload, ensure_ascii=False, sort_keys=False))


@click.group()
def db() -> None:
    """The database."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Create the database or migrate it to the latest schema."""
    fd = get_frontdoor(ctx, migrated=False)
    upgrade(fd.settings.database_url)
    url = fd.settings.database_url
    shown = fd.engine.url.render_as_string(hide_password=True)
    _emit({"database": shown, "revision": current_revision(url)})


@click.group()
def demo() -> None:
    """Demo data."""


@demo.command("load")
@click.option("--today", default=None, help="YYYY-MM-DD the demo dates are relative to")
@click.pass_context
def demo_load(ctx: click.Context, today: str | None) -> None:
    """Load the demo customers (idempotent); codes and PINs in core/demo.py."""
    fd = get_frontdoor(ctx)
    report = load_demo(fd.uow(), _day(today) if today else datetime.now(UTC).date())
    _emit(asdict(report))


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--today: {text!r} is not a date YYYY-MM-DD")


@click.group()
def contracts() -> None:
    """Customer contracts."""


@contracts.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def contracts_import(ctx: click.Context, file: Path) -> None:
    """Import contracts from a CSV file (one transaction; re-import updates by code)."""
    fd = get_frontdoor(ctx)
    try:
        with file.open(encoding="utf-8-sig", newline="") as handle:
            specs = parse_contracts_csv(fd.policy, handle)
    except OSError as exc:
        fail(f"{file}: cannot read: {exc.strerror}")
    except UnicodeDecodeError:
        fail(f"{file}: not UTF-8 text")
    except ContractImportError as exc:  # one line per problem, then exit 2
        *first, last = exc.problems
        for problem in first:
            click.echo(f"frontdoor: error: {file}: {problem}", err=True)
        fail(f"{file}: {last}")
    report = import_contracts(fd.uow(), specs, progress=_progress)
    _emit({"file": str(file), **asdict(report)})


def _progress(specs: Iterable[ContractSpec]) -> Iterator[ContractSpec]:
    """A progress bar on stderr, only when a person is watching stdout."""
    if not sys.stdout.isatty():
        yield from specs
        return
    items = list(specs)
    with click.progressbar(items, label="importing", file=sys.stderr) as bar:
        yield from bar


@click.group()
def pin() -> None:
    """On-call PINs (Platinum)."""


@pin.command("set")
@click.argument("code")
@click.pass_context
def pin_set(ctx: click.Context, code: str) -> None:
    """Set a contract's on-call PIN, read from stdin (4-8 digits; never echoed or stored)."""
    fd = get_frontdoor(ctx)
    value = _read_pin()
    try:
        set_pin(fd.uow(), fd.policy, code, value, at=datetime.now(UTC))
    except ServiceError as exc:
        fail(str(exc))
    _emit({"contract": code, "pin": "set"})


def _read_pin() -> str:
    stdin = sys.stdin  # click.testing.CliRunner swaps it too
    if stdin.isatty():
        value: str = click.prompt("PIN", hide_input=True, confirmation_prompt=True, err=True)
        return value.strip()
    return stdin.readline().strip()
