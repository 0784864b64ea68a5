"""The ``frontdoor`` command line: thin click commands over the core services.

Query commands print JSON on stdout. Bad input exits 2 with one line on stderr, never a traceback.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any

import click
from dotenv import load_dotenv

from cli.api_tokens import api_token
from cli.call import call
from cli.context import KEY, SETTINGS_KEY, fail, get_frontdoor
from cli.data import contracts, db, demo, pin
from cli.helpdesk import helpdesk
from cli.lang import lang
from cli.mailsink import mailsink
from cli.staff import staff, transcripts
from cli.worker import worker
from core.decision import TOPICS, Request, decide, served_language
from core.logs import configure_logging
from core.model import CHANNELS, ROLES
from core.policy import PRIORITIES
from core.settings import Settings, SettingsError, load_settings
from core.sla import escalation_schedule, response_deadline


class IsoInstant(click.ParamType):  # type: ignore[type-arg]
    """An ISO 8601 instant with its UTC offset (a naive time would be ambiguous)."""

    name = "ISO8601"

    def convert(self, value: Any, param: Any, ctx: Any) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 date-time", param, ctx)
        if parsed.tzinfo is None:
            self.fail(f"{value!r} has no UTC offset (e.g. 2026-11-20T17:00+01:00)", param, ctx)
        return parsed


INSTANT = IsoInstant()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _emit(payload: dict[str, Any]) -> None:
    click.echo(json.dumps(payload, ensure_ascii=False, indent=2))


def _check_choice(value: str, choices: Any, what: str) -> None:
    if value not in choices:
        raise click.UsageError(f"unknown {what} {value!r}; expected one of: {', '.join(choices)}")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def cli(ctx: click.Context) -> None:
    """frontdoor: the support front door (IVR, chat, alerts, staff console)."""
    ctx.ensure_object(dict)


@cli.command()
@click.option("--theatre", required=True, help="americas | europe | middle_east")
@click.option("--week", default=None, help="working week of the theatre (mon-fri, sun-thu)")
@click.option("--plan", required=True, type=click.Choice(["basic", "gold", "platinum"]))
@click.option("--priority", required=True, type=click.Choice(PRIORITIES))
@click.option("--opened", required=True, type=INSTANT)
@click.option("--channel", default="phone", type=click.Choice(CHANNELS))
@click.option("--language", default="en", help="language code of the request")
@click.option("--on-call", is_flag=True, help="the Platinum on-call service took the case")
@click.pass_context
def sla(ctx: click.Context, /, **opts: Any) -> None:
    """Response deadline and escalation schedule of a case."""
    fd = get_frontdoor(ctx, migrated=False)
    policy = fd.policy
    _check_choice(opts["theatre"], policy.theatres, "theatre")
    theatre = policy.theatres[opts["theatre"]]
    week = opts["week"] or theatre.default_week
    _check_choice(week, theatre.weeks, f"week for {opts['theatre']}")
    calendar = fd.book.for_plan(opts["theatre"], week, opts["plan"])
    open_now = calendar.is_open(opts["opened"])
    on_call = policy.plans[opts["plan"]].on_call and (open_now or opts["on_call"])
    _, language_class = served_language(policy, opts["theatre"], opts["language"])
    where = dict(theatre=opts["theatre"], week=week, plan=opts["plan"], priority=opts["priority"])
    deadline = response_deadline(
        fd.book,
        **where,
        opened=opts["opened"],
        channel=opts["channel"],
        language_class=language_class,
        around_the_clock=on_call,
    )
    steps = escalation_schedule(fd.book, **where, opened=opts["opened"])
    _emit(
        {
            **where,
            "opened": _iso(opts["opened"]),
            "due": _iso(deadline.due),
            "guaranteed": deadline.guaranteed,
            "basis": deadline.basis,
            "no_guarantee": deadline.no_guarantee,
            "open_now": open_now,
            "next_opening": _iso(calendar.next_opening(opts["opened"])),
            "escalations": [
                {"at": _iso(s.at), "to": s.to, "after_hours": s.after_hours} for s in steps
            ],
        }
    )


@cli.command(name="decide")
@click.option("--contract", "code", required=True, help="contract code")
@click.option("--channel", required=True, type=click.Choice(["phone", "chat", "web", "email"]))
@click.option("--at", "at", required=True, type=INSTANT)
@click.option("--priority", required=True, type=click.Choice(PRIORITIES))
@click.option("--language", required=True, help="language code of the request")
@click.option("--requester", required=True, type=click.Choice(ROLES))
@click.option("--topic", required=True, type=click.Choice(TOPICS))
@click.option("--product", default=None, help="product name")
@click.option("--pin-verified", is_flag=True, help="the on-call PIN was verified")
@click.pass_context
def decide_command(ctx: click.Context, /, code: str, **opts: Any) -> None:
    """Dry-run of the policy: exactly what the IVR and the bot decide."""
    fd = get_frontdoor(ctx)
    with fd.uow() as uow:
        contract = uow.contracts.get(code)
        decision = decide(fd.book, Request(contract=contract, **opts))
    deadline = decision.deadline
    _emit(
        {
            "contract": code,
            "outcome": decision.outcome,
            "reason": decision.reason,
            "theatre": decision.theatre,
            "plan": decision.plan,
            "due": _iso(decision.due),
            "guaranteed": decision.guaranteed,
            "no_guarantee": deadline.no_guarantee if deadline else None,
            "open_now": decision.open_now,
            "next_opening": _iso(decision.next_opening),
            "language": decision.language,
            "language_class": decision.language_class,
            "on_call_available": decision.on_call_available,
            "escalations": [
                {"at": _iso(s.at), "to": s.to, "after_hours": s.after_hours}
                for s in decision.escalations
            ],
        }
    )


@cli.command()
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.pass_context
def serve(ctx: click.Context, port: int, host: str) -> None:
    """Run the web app for development (production: gunicorn 'web:create_app()')."""
    from web import create_app

    fd = get_frontdoor(ctx)
    configure_logging(fd.settings.ops)  # werkzeug's request lines too
    try:
        app = create_app(frontdoor=fd)
    except SettingsError as exc:  # e.g. the demo sign-in switched on in production
        fail(_one_line(str(exc)))
    click.echo(f"frontdoor web app on http://{host}:{port}/", err=True)
    app.run(host=host, port=port, debug=False, use_reloader=False)


for command in (db, demo, contracts, pin, staff, transcripts, call, lang, worker, mailsink):
    cli.add_command(command)
cli.add_command(api_token)
cli.add_command(helpdesk)


def _one_line(message: str) -> str:
    return " ".join(message.split())


def main() -> None:
    """Console entry point: reads ``.env`` in development. Any bad input exits 2 with one line
    on stderr (click's own usage errors included), never a traceback."""
    load_dotenv(override=False)
    obj: dict[str, Any] = {}
    try:
        cli.main(prog_name="frontdoor", standalone_mode=False, obj=obj)
    except click.UsageError as exc:
        click.echo(f"frontdoor: error: {_one_line(exc.format_message())}", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        click.echo(f"frontdoor: error: {_one_line(exc.format_message())}", err=True)
        sys.exit(exc.exit_code)
    except (click.Abort, KeyboardInterrupt):
        click.echo("frontdoor: aborted", err=True)
        sys.exit(130)
    except Exception as exc:  # the last net: one line, the traceback only on request
        if _debug(obj):
            raise
        click.echo(
            f"frontdoor: internal error: {type(exc).__name__}: {exc}".splitlines()[0], err=True
        )
        click.echo("frontdoor: set FRONTDOOR_DEBUG=1 to see the traceback", err=True)
        sys.exit(1)


def _debug(obj: dict[str, Any]) -> bool:
    """``settings.debug`` (FRONTDOOR_DEBUG) of this invocation: the settings the command read,
    else read now (malformed settings: no traceback)."""
    frontdoor = obj.get(KEY)
    settings = frontdoor.settings if frontdoor is not None else obj.get(SETTINGS_KEY)
    if not isinstance(settings, Settings):
        try:
            settings = load_settings()
        except SettingsError:
            return False
    return settings.debug
