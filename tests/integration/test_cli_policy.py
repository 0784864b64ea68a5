"""`frontdoor sla` and `frontdoor decide`: the operator's dry run gives what the channels decide."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from core.bootstrap import Frontdoor
from core.demo import load_demo

FRONTDOOR = str(Path(sys.executable).with_name("frontdoor"))


@pytest.fixture
def demo_frontdoor(frontdoor: Frontdoor) -> Iterator[Frontdoor]:
    with frontdoor.uow() as uow:
        load_demo(uow, date(2026, 11, 23))
        uow.commit()
    yield frontdoor


def run(fd: Frontdoor, *args: str) -> dict[str, object]:
    result = CliRunner().invoke(cli, list(args), obj={"frontdoor": fd}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    payload: dict[str, object] = json.loads(result.output)
    return payload


def entry_point(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    return subprocess.run(
        [FRONTDOOR, *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )


def test_sla_gold_p2_opened_friday_evening_is_due_saturday_morning(frontdoor: Frontdoor) -> None:
    """The policy's own example: Gold P2, Europe, Friday 17:00 → Saturday 10:00."""
    out = run(
        frontdoor,
        *("sla", "--theatre", "europe", "--plan", "gold", "--priority", "P2"),
        *("--opened", "2026-11-20T17:00+01:00"),
    )
    assert out["due"] == "2026-11-21T10:00:00+01:00"
    assert out["guaranteed"] is True
    assert [e["to"] for e in out["escalations"]] == [  # type: ignore[union-attr,index]
        "Support team",
        "Support Regional Manager",
        "Support Manager",
        "Co-CEO and CTO",
    ]


def test_sla_by_email_has_no_guaranteed_due(frontdoor: Frontdoor) -> None:
    """E-mail never carries an SLA: due is null and the reason is given."""
    out = run(
        frontdoor,
        *("sla", "--theatre", "americas", "--plan", "platinum", "--priority", "P1"),
        *("--opened", "2026-11-20T10:00-05:00", "--channel", "email"),
    )
    assert out["due"] is None
    assert out["guaranteed"] is False
    assert out["no_guarantee"] == "channel_without_sla"


def test_decide_unknown_contract_is_an_answer_not_an_error(demo_frontdoor: Frontdoor) -> None:
    """An unknown code is refused with a reason, exit 0."""
    out = run(
        demo_frontdoor,
        *("decide", "--contract", "0000", "--channel", "phone", "--at", "2026-11-23T10:00+01:00"),
        *("--priority", "P2", "--language", "en", "--requester", "admin", "--topic", "product"),
    )
    assert (out["outcome"], out["reason"]) == ("refuse", "unknown_contract")


@pytest.mark.parametrize(
    ("pin_flag", "outcome", "reason"),
    [((), "refuse", "on_call_pin_required"), (("--pin-verified",), "on_call", "ok")],
    ids=["without-pin", "with-pin"],
)
def test_decide_platinum_p1_call_on_saturday_night_needs_the_pin(
    demo_frontdoor: Frontdoor, pin_flag: tuple[str, ...], outcome: str, reason: str
) -> None:
    """Platinum (1016, Europe), P1 by phone at 23:00 Saturday: on-call only with the PIN."""
    out = run(
        demo_frontdoor,
        *("decide", "--contract", "1016", "--channel", "phone", "--at", "2026-11-21T23:00+01:00"),
        *("--priority", "P1", "--language", "it", "--requester", "admin", "--topic", "product"),
        *pin_flag,
    )
    assert (out["outcome"], out["reason"]) == (outcome, reason)
    assert out["open_now"] is False
    assert out["next_opening"] == "2026-11-23T09:00:00+01:00"
    if outcome == "on_call":
        assert out["language"] == "en"
        assert out["due"] == "2026-11-22T00:00:00+01:00"


def test_decide_installation_is_redirected_to_professional_services(
    demo_frontdoor: Frontdoor,
) -> None:
    """Installation questions go to Professional Services, whatever the plan."""
    out = run(
        demo_frontdoor,
        *("decide", "--contract", "1016", "--channel", "chat", "--at", "2026-11-23T10:00+01:00"),
        *("--priority", "P3", "--language", "en", "--requester", "admin"),
        *("--topic", "installation"),
    )
    assert (out["outcome"], out["reason"]) == ("redirect", "professional_services")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sla", "--theatre", "mars", "--plan", "gold", "--priority", "P2", "--opened",
          "2026-11-20T17:00+01:00"], "unknown theatre 'mars'"),
        (["sla", "--theatre", "europe", "--plan", "gold", "--priority", "P2", "--opened",
          "2026-11-20T17:00"], "no UTC offset"),
        (["sla", "--theatre", "europe", "--plan", "gold", "--priority", "P2", "--opened",
          "yesterday"], "not an ISO 8601"),
        (["sla", "--theatre", "europe", "--plan", "gold", "--opened",
          "2026-11-20T17:00+01:00"], "Missing option '--priority'"),
        (["decide", "--contract", "1016"], "Missing option"),
    ],
    ids=["unknown-theatre", "naive-date", "malformed-date", "missing-priority", "missing-options"],
)  # fmt: skip
def test_bad_input_exits_2_with_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    """The installed command answers bad input with exit 2 and one line on stderr."""
    result = entry_point(*args, db=tmp_path / "none.sqlite3")
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert "Traceback" not in result.stderr


def test_decide_on_an_unmigrated_database_says_what_to_run(tmp_path: Path) -> None:
    """A database that was never migrated gets one line naming `frontdoor db upgrade`."""
    result = entry_point(
        *("decide", "--contract", "1016", "--channel", "phone", "--at", "2026-11-23T10:00Z"),
        *("--priority", "P2", "--language", "en", "--requester", "admin", "--topic", "product"),
        db=tmp_path / "empty.sqlite3",
    )
    assert result.returncode == 2
    assert "frontdoor db upgrade" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
