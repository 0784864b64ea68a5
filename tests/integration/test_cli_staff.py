"""`frontdoor staff add` and `frontdoor transcripts purge` through click's runner."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import click
import pytest
from click.testing import CliRunner, Result

from cli.staff import staff, transcripts
from core.bootstrap import Frontdoor
from core.services import sign_in

from .console import CHEAP_HASHER, conversation, ticket
from .helpers import add_contract, count


@click.group()
@click.pass_context
def root(ctx: click.Context) -> None:
    ctx.ensure_object(dict)


root.add_command(staff)
root.add_command(transcripts)


def run(fd: Frontdoor, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(root, list(args), input=input, obj={"frontdoor": fd})


def test_staff_add_reads_the_password_from_stdin(frontdoor: Frontdoor) -> None:
    """The password typed on stdin signs in; it is never printed."""
    result = run(
        frontdoor,
        "staff",
        "add",
        "Ada@Example.com",
        "--role",
        "admin",
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"email": "ada@example.com", "role": "admin"}
    now = datetime.now(UTC)
    assert (
        sign_in(frontdoor.uow(), "ada@example.com", "a long enough password", at=now).status == "ok"
    )


def test_staff_add_generates_a_password_and_prints_it_once(frontdoor: Frontdoor) -> None:
    """With empty stdin a password is generated, printed once, and works."""
    result = run(frontdoor, "staff", "add", "bob@example.com", "--role", "agent", input="")
    assert result.exit_code == 0, result.output
    password = json.loads(result.stdout)["password"]
    assert len(password) >= 20
    now = datetime.now(UTC)
    assert sign_in(frontdoor.uow(), "bob@example.com", password, at=now).status == "ok"


@pytest.mark.parametrize(
    ("args", "typed", "message"),
    [
        (("x@example.com", "--role", "agent"), "short\n", "at least 12 characters"),
        (("not-an-email", "--role", "agent"), "a long enough password\n", "not an e-mail"),
        (("x@example.com", "--role", "boss"), "a long enough password\n", "boss"),
    ],
)
def test_staff_add_bad_input_exits_2(
    frontdoor: Frontdoor, args: tuple[str, ...], typed: str, message: str
) -> None:
    """Short password, bad e-mail, unknown role: exit 2, one line, nothing stored."""
    result = run(frontdoor, "staff", "add", *args, input=typed)
    assert result.exit_code == 2
    assert message in result.output
    assert count(frontdoor, "staff_accounts") == 0


def test_staff_add_twice_exits_2(frontdoor: Frontdoor) -> None:
    """An e-mail has one account."""
    run(frontdoor, "staff", "add", "c@example.com", "--role", "agent", input="")
    result = run(frontdoor, "staff", "add", "C@example.com", "--role", "admin", input="")
    assert result.exit_code == 2 and "already has an account" in result.output


def test_purge_deletes_old_transcripts_and_keeps_tickets(frontdoor: Frontdoor) -> None:
    """Transcripts older than DAYS go with their turns (and recording links); tickets stay."""
    add_contract(frontdoor, "2001")
    now = datetime.now(UTC).replace(microsecond=0)
    old, recent = now - timedelta(days=40), now - timedelta(days=2)
    recording = ("system", "recording", "https://api.twilio.example/recordings/RE9")
    conversation(frontdoor, "phone", "CA-old", old, [("ivr", "say", "hi"), recording])
    conversation(frontdoor, "chat", "chat-new", recent, [("customer", "say", "hello")])
    opened = (now - timedelta(days=40)).isoformat()
    number = ticket(frontdoor, "2001", opened, "P3", "CA-old")
    result = run(frontdoor, "transcripts", "purge", "--older-than", "30")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["deleted"] == 1
    assert count(frontdoor, "transcripts") == 1 and count(frontdoor, "turns") == 1
    assert count(frontdoor, "tickets") == 1
    with frontdoor.uow() as uow:
        assert uow.tickets.get(number) is not None


def test_purge_default_comes_from_settings(frontdoor: Frontdoor) -> None:
    """Without --older-than, FRONTDOOR_TRANSCRIPT_RETENTION_DAYS applies."""
    fd = replace(frontdoor, settings=replace(frontdoor.settings, transcript_retention_days=7))
    now = datetime.now(UTC)
    conversation(fd, "chat", "a", now - timedelta(days=8), [("customer", "say", "x")])
    conversation(fd, "chat", "b", now - timedelta(days=6), [("customer", "say", "y")])
    result = run(fd, "transcripts", "purge")
    assert json.loads(result.stdout)["older_than_days"] == 7
    assert json.loads(result.stdout)["deleted"] == 1


def test_cheap_hasher_is_only_for_tests() -> None:
    """The tests' hasher is weaker than the default one the services use."""
    from argon2 import PasswordHasher

    assert CHEAP_HASHER.memory_cost < PasswordHasher().memory_cost
