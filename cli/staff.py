"""Staff console commands: ``staff add`` and ``transcripts purge`` (issue #5).

``cli.main`` registers the groups. Results are one line of JSON on stdout; bad input exits 2
with one line on stderr. A password is read from stdin, never from the command line (it would
stay in the shell history); a generated one is printed once and not stored in clear.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from cli.context import fail, get_frontdoor
from core.model import STAFF_ROLES
from core.services import ServiceError, add_staff, generate_password, purge_transcripts


def _emit(payload: dict[str, Any]) -> None:
    click.echo(json.dumps(payload, ensure_ascii=False))


@click.group()
def staff() -> None:
    """Staff console accounts."""


@staff.command("add")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(STAFF_ROLES))
@click.option("--generate", is_flag=True, help="generate a password and print it once")
@click.pass_context
def staff_add(ctx: click.Context, email: str, role: str, generate: bool) -> None:
    """Create a console account; the password comes from stdin (empty: one is generated)."""
    fd = get_frontdoor(ctx)
    password = "" if generate else _read_password()
    generated = not password
    password = password or generate_password()
    try:
        account = add_staff(
            fd.uow(), email=email, role=role, password=password, at=datetime.now(UTC)
        )
    except ServiceError as exc:
        fail(str(exc))
    payload: dict[str, Any] = {"email": account.email, "role": account.role}
    if generated:
        payload["password"] = password  # shown once: only its hash is stored
    _emit(payload)


def _read_password() -> str:
    stdin = sys.stdin  # click.testing.CliRunner swaps it too
    if stdin.isatty():
        value: str = click.prompt(
            "Password (empty: generate one)",
            hide_input=True,
            confirmation_prompt=True,
            default="",
            show_default=False,
            err=True,
        )
        return value
    return stdin.readline().rstrip("\r\n")


@click.group()
def transcripts() -> None:
    """Call and chat transcripts."""


@transcripts.command("purge")
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(min=1),
    default=None,
    help="age in days (default: FRONTDOOR_TRANSCRIPT_RETENTION_DAYS, 365)",
)
@click.pass_context
def transcripts_purge(ctx: click.Context, days: int | None) -> None:
    """Delete transcripts started more than DAYS ago (with their recording links); tickets
    are kept."""
    fd = get_frontdoor(ctx)
    days = days or fd.settings.transcript_retention_days
    before = datetime.now(UTC) - timedelta(days=days)
    deleted = purge_transcripts(fd.uow(), before=before)
    _emit({"older_than_days": days, "before": before.isoformat(), "deleted": deleted})
