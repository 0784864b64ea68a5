"""How a command gets the wired application: ``ctx.obj`` may already hold a Frontdoor (tests
inject one, as ``obj=frontdoor`` or ``obj={"frontdoor": frontdoor}``); otherwise it is
bootstrapped on first use and its connections are closed when the command ends. The settings are
read once per invocation: the Frontdoor's, or (a command that needs no Frontdoor) those
:func:`get_settings` loaded and the Frontdoor is then built on."""

from __future__ import annotations

from typing import NoReturn

import click

from core.adapters.db import is_current
from core.bootstrap import Frontdoor, bootstrap
from core.policy import PolicyError
from core.settings import Settings, SettingsError, load_settings

KEY = "frontdoor"
SETTINGS_KEY = "settings"


class BadInput(click.ClickException):
    """Bad input: exit code 2 and one line on stderr ("Error: ..."), no usage text."""

    exit_code = 2


def fail(message: str) -> NoReturn:
    """Stop the command with exit code 2 and ``message`` as the only line on stderr."""
    raise BadInput(message)


def get_frontdoor(ctx: click.Context, *, migrated: bool = True) -> Frontdoor:
    """The Frontdoor for this invocation, built once (bad settings or policy exit 2); with
    ``migrated``, a database that is not at the newest schema exits 2 saying what to run."""
    frontdoor = _frontdoor(ctx)
    if migrated and not ctx.find_root().meta.get("schema_checked"):
        if not is_current(frontdoor.settings.database_url):
            fail("the database is not migrated to this version: run 'frontdoor db upgrade'")
        ctx.find_root().meta["schema_checked"] = True
    return frontdoor


def get_settings(ctx: click.Context) -> Settings:
    """The settings of this invocation, read once (bad settings exit 2)."""
    root = _root(ctx)
    if isinstance(root.obj, Frontdoor):
        return root.obj.settings
    found = root.obj.get(KEY)
    if isinstance(found, Frontdoor):
        return found.settings
    if not isinstance(root.obj.get(SETTINGS_KEY), Settings):
        try:
            root.obj[SETTINGS_KEY] = load_settings()
        except SettingsError as exc:
            fail(" / ".join(str(exc).splitlines()))
    settings: Settings = root.obj[SETTINGS_KEY]
    return settings


def _root(ctx: click.Context) -> click.Context:
    root = ctx.find_root()
    if not isinstance(root.obj, (Frontdoor, dict)):
        root.obj = {}
    return root


def _frontdoor(ctx: click.Context) -> Frontdoor:
    root = _root(ctx)
    if isinstance(root.obj, Frontdoor):
        return root.obj
    found = root.obj.get(KEY)
    if isinstance(found, Frontdoor):
        return found
    try:
        frontdoor = bootstrap(get_settings(ctx))
    except (PolicyError, SettingsError) as exc:
        fail(" / ".join(str(exc).splitlines()))
    root.obj[KEY] = frontdoor
    root.call_on_close(frontdoor.dispose)
    return frontdoor
