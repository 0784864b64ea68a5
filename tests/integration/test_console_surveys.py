"""The console's survey page: answers, share understood and mean score per channel, theatre
and language, over the last 30 days and since the start; signed-in staff only."""

from __future__ import annotations

from datetime import timedelta

from core.bootstrap import Frontdoor
from core.model import SurveyAnswer

from .console import NOW, ConsoleClient


def answer(number: str, understood: bool, score: int | None, **fields: object) -> SurveyAnswer:
    values: dict[str, object] = {
        "channel": "phone",
        "theatre": "europe",
        "language": "it",
        "at": NOW - timedelta(days=1),
    }
    values.update(fields)
    return SurveyAnswer(
        ticket_number=number,
        understood=understood,
        score=score,
        **values,  # type: ignore[arg-type]
    )


def add(fd: Frontdoor, *answers: SurveyAnswer) -> None:
    with fd.uow() as uow:
        for a in answers:
            uow.surveys.add(a)
        uow.commit()


def test_the_page_counts_per_theatre_and_language(
    frontdoor: Frontdoor, agent: ConsoleClient
) -> None:
    add(
        frontdoor,
        answer("0000101", True, 5),
        answer("0000102", False, 2),
        answer("0000103", True, None),
        answer("0000101", True, 4, channel="chat", language="en"),
        answer("0000104", False, 1, theatre="americas", language="es", at=NOW - timedelta(days=90)),
    )
    page = agent.text("/console/surveys")
    last_30, since_start = page.split('id="surveys-2"')
    assert "<td>phone</td><td>europe</td><td>it</td><td>3</td><td>67 %</td><td>3.5 (2)</td>" in (
        last_30
    )
    assert "<td>chat</td><td>europe</td><td>en</td><td>1</td><td>100 %</td><td>4.0 (1)</td>" in (
        last_30
    )
    assert "americas" not in last_30  # 90 days ago: since the start only
    assert "<td>phone</td><td>americas</td><td>es</td><td>1</td><td>0 %</td>" in since_start
    assert 'href="/console/surveys"' in page  # in the navigation


def test_an_empty_page_says_so(agent: ConsoleClient) -> None:
    assert "No survey answer in this period." in agent.text("/console/surveys")


def test_the_page_needs_a_signed_in_staff_member(console: ConsoleClient) -> None:
    response = console.get("/console/surveys")
    assert response.status_code == 302 and "/console/sign-in" in response.headers["Location"]
