"""``frontdoor call``: play a phone call against the IVR as Twilio would, from the terminal."""

from __future__ import annotations

import secrets
import sys
from datetime import datetime
from typing import Any

import click

from cli.context import fail, get_frontdoor, get_settings
from phonesim import (
    DEFAULT_FROM,
    DEFAULT_VOICE_PATH,
    CallSimulator,
    FlaskTransport,
    HttpTransport,
    SimulatorError,
    Transport,
    terminal_caller,
)


def _instant(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 date-time") from None
    if parsed.tzinfo is None:
        raise click.BadParameter(f"{value!r} has no UTC offset (e.g. 2026-11-21T23:00+01:00)")
    return parsed


def _read(prompt: str) -> str:
    """A line typed by the caller; piped keys are echoed, so that each prompt ends its line."""
    line = input(prompt)
    if not sys.stdin.isatty():
        click.echo(line)
    return line


@click.command(name="call")
@click.option("--to", "to", required=True, help="the dialled theatre number, e.g. +390584943232")
@click.option("--from", "from_", default=DEFAULT_FROM, show_default=True, help="caller's number")
@click.option(
    "--at",
    callback=_instant,
    help="simulated instant of the call (ISO 8601 with offset), sent as X-Frontdoor-Simulated-At;"
    " the app honours it only when its testing/development setting allows",
)
@click.option(
    "--url", default=None, help="a running app (e.g. http://127.0.0.1:5000); default: in-process"
)
@click.option("--token", default=None, help="auth token to sign with (default: TWILIO_AUTH_TOKEN)")
@click.option(
    "--public-url",
    default=None,
    help="the URL Twilio would call, signed over (default: PUBLIC_BASE_URL, else --url)",
)
@click.option("--voice-path", default=DEFAULT_VOICE_PATH, show_default=True, help="voice webhook")
@click.option("--fallback", default=None, help="fallback URL path, as in Twilio's console")
@click.option(
    "--status-callback",
    default="/ivr/status",
    show_default=True,
    help="status callback path ('' for none)",
)
@click.pass_context
def call(
    ctx: click.Context,
    /,
    to: str,
    from_: str,
    at: datetime | None,
    url: str | None,
    token: str | None,
    public_url: str | None,
    **paths: Any,
) -> None:
    """Call the IVR as a caller: hear its prompts, press keys at the terminal.

    Keys: digits, * and #, then Enter; Enter alone is silence; Ctrl-D hangs up. Every request
    carries a valid X-Twilio-Signature for the public URL.
    """
    transport: Transport
    if url:
        settings = get_settings(ctx)
        try:
            transport = HttpTransport(url)
        except SimulatorError as exc:
            fail(str(exc))
        base = public_url or settings.public_base_url or url
    else:
        from web import create_app

        fd = get_frontdoor(ctx)
        settings = fd.settings
        base = public_url or settings.public_base_url or "http://localhost"
        # in-process, the app and the caller share this run's token, URL and clock: the call
        # works without TWILIO_AUTH_TOKEN or FRONTDOOR_IVR_SIMULATED_TIME, signatures checked
        token = token or settings.twilio_auth_token or secrets.token_hex(16)
        config: dict[str, Any] = {"TWILIO_AUTH_TOKEN": token, "PUBLIC_BASE_URL": base}
        if at is not None:
            config["FRONTDOOR_CLOCK"] = lambda: at
        transport = FlaskTransport(create_app(config, frontdoor=fd))
    secret = token if token is not None else settings.twilio_auth_token
    if not secret:
        click.echo(
            "frontdoor call: no TWILIO_AUTH_TOKEN (or --token): signing with an empty token;"
            " the app accepts this only if it does the same or its signature check is off",
            err=True,
        )
    try:
        simulator = CallSimulator(
            transport,
            auth_token=secret or "",
            public_base_url=base,
            caller=terminal_caller(_read),
            output=click.echo,
        )
        result = simulator.call(
            to,
            from_,
            at=at,
            voice_url=paths["voice_path"],
            fallback_url=paths["fallback"] or None,
            status_callback=paths["status_callback"] or None,
        )
    except SimulatorError as exc:
        raise click.ClickException(str(exc)) from None
    if result.ended == "application-error":
        raise click.ClickException(f"the call failed: Twilio error {result.error}")
