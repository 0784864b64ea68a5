"""REST API tokens: ``api-token add``, ``list`` and ``revoke`` (docs/api.md).

Results are one line of JSON on stdout; bad input exits 2 with one line on stderr. A new token
is printed once: only its SHA-256 is stored, so it cannot be shown again (make another one).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import click

from cli.context import fail, get_frontdoor
from core.model import API_SCOPES, ApiToken
from core.services import ServiceError
from core.services.api_tokens import PREFIX, add_token, list_tokens, revoke_token


def _emit(payload: dict[str, Any]) -> None:
    click.echo(json.dumps(payload, ensure_ascii=False))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def shown(record: ApiToken) -> dict[str, Any]:
    """What may be shown of a token: never the token, nor its hash."""
    return {
        "name": record.name,
        "prefix": f"{PREFIX}{record.token_id}",
        "scopes": record.scopes,
        "created_at": _iso(record.created_at),
        "revoked_at": _iso(record.revoked_at),
        "last_used_at": _iso(record.last_used_at),
    }


@click.group("api-token")
def api_token() -> None:
    """Bearer tokens of the REST API (/api/v1)."""


@api_token.command("add")
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice(API_SCOPES),
    help="read (list and read tickets), write (post events); repeat for both",
)
@click.pass_context
def api_token_add(ctx: click.Context, name: str, scopes: tuple[str, ...]) -> None:
    """Make a token NAME and print it once."""
    fd = get_frontdoor(ctx)
    try:
        made = add_token(fd.uow(), name=name, scopes=list(scopes), at=datetime.now(UTC))
    except ServiceError as exc:
        fail(str(exc))
    _emit({**shown(made.record), "token": made.token})  # shown once: only its hash is stored


@api_token.command("list")
@click.pass_context
def api_token_list(ctx: click.Context) -> None:
    """Every token, revoked ones too (no secret: names, prefixes, scopes, dates)."""
    fd = get_frontdoor(ctx)
    _emit({"tokens": [shown(record) for record in list_tokens(fd.uow())]})


@api_token.command("revoke")
@click.argument("name")
@click.pass_context
def api_token_revoke(ctx: click.Context, name: str) -> None:
    """Stop the token NAME from working, at once."""
    fd = get_frontdoor(ctx)
    try:
        record = revoke_token(fd.uow(), name, at=datetime.now(UTC))
    except ServiceError as exc:
        fail(str(exc))
    _emit(shown(record))
