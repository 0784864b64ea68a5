"""Call state of the IVR (core.services.calls): a step's lines are appended without reading the
call so far, the outcome is stored with the step, and a unit of work can be joined."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event

from core.bootstrap import Frontdoor
from core.demo import load_demo
from core.model import Turn
from core.services import add_turns, find_contract, save_step
from core.unit_of_work import NestedUnitOfWork

AT = datetime.fromisoformat("2026-11-23T10:00:00+01:00")


@contextmanager
def statements(fd: Frontdoor) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(fd.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(fd.engine, "before_cursor_execute", record)


def step(fd: Frontdoor, n: int, **kwargs: object) -> None:
    at = AT + timedelta(seconds=n)
    lines = [Turn("ivr", f"prompt {n}", at), Turn("caller", f"keys {n}", at, kind="keys")]
    save_step(
        fd.uow(),
        "CA42",
        at=at,
        state={"seq": n},
        step=f"/ivr/menu?s={n}",
        fingerprint=f"f{n}",
        answer="<Response/>",
        turns=lines,
        **kwargs,  # type: ignore[arg-type]
    )


def test_a_step_appends_its_lines_without_reading_the_earlier_ones(frontdoor: Frontdoor) -> None:
    """The 40th step of a call reads no turn and issues as many statements as the 2nd."""
    step(frontdoor, 1, caller="+390212345678", theatre="europe")
    with statements(frontdoor) as second:
        step(frontdoor, 2)
    for n in range(3, 40):
        step(frontdoor, n)
    with statements(frontdoor) as last:
        step(frontdoor, 40)
    assert not [s for s in last if "FROM turns" in s]
    assert len(last) == len(second)
    with frontdoor.uow() as uow:
        transcript = uow.transcripts.get("phone", "CA42")
        assert transcript is not None
        texts = [t.text for t in transcript.turns]
        assert (transcript.caller, transcript.theatre) == ("+390212345678", "europe")
    assert texts == [text for n in range(1, 41) for text in (f"prompt {n}", f"keys {n}")]


def test_the_outcome_is_stored_with_the_step_that_ends_the_call(frontdoor: Frontdoor) -> None:
    """Outcome, reason, contract and language land on the transcript with the last step."""
    load_demo(frontdoor.uow(), AT.date())
    save_step(
        frontdoor.uow(),
        "CA43",
        at=AT,
        state={"seq": 3, "contract": "1016", "lang": "en"},
        step="/ivr/pin?s=2",
        fingerprint="f",
        answer="<Response/>",
        outcome=("on_call", "ok"),
    )
    add_turns(
        frontdoor.uow(),
        channel="phone",
        conversation_id="CA43",
        turns=[Turn("system", "call status: completed", AT, kind="event")],
        at=AT,
    )
    with frontdoor.uow() as uow:
        transcript = uow.transcripts.get("phone", "CA43")
        assert transcript is not None
        summary = (transcript.outcome, transcript.reason, transcript.language)
        lines = [t.text for t in transcript.turns]
    assert summary == ("on_call", "ok", "en")
    assert transcript.contract_id == find_contract(frontdoor.uow(), "1016").id  # type: ignore[union-attr]
    assert lines == ["call status: completed"]


def test_units_of_work_do_not_nest(frontdoor: Frontdoor) -> None:
    """Entering a unit of work that is open is an error: the entry point owns it."""
    uow = frontdoor.uow()
    with uow, pytest.raises(NestedUnitOfWork):
        uow.__enter__()


def test_a_service_handed_an_open_unit_of_work_leaves_the_commit_to_its_owner(
    frontdoor: Frontdoor,
) -> None:
    """save_step inside the entry point's transaction commits nothing by itself: without the
    owner's commit the step is gone; with it, it is stored."""
    for commit in (False, True):
        with frontdoor.uow() as uow:
            save_step(
                uow,
                "CA42",
                at=AT,
                state={"seq": 2},
                step="/ivr/menu?s=2",
                fingerprint="g",
                answer="<Response/>",
            )
            if commit:
                uow.commit()
        with frontdoor.uow() as other:
            stored = other.calls.get("CA42")
        assert (stored is not None) is commit
