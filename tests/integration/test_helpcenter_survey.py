"""The survey at the end of a chat that opened a ticket (issue 15): offered with the bot's
answer in the page's language when the ticket's theatre asks, posted to ``/help/survey`` with
the CSRF token, stored once, and refused for a ticket of another conversation. On SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from flask.testing import FlaskClient
from sqlalchemy import select

from core.adapters.orm import survey_answers
from core.bootstrap import Frontdoor, bootstrap
from core.demo import load_demo
from core.policy import DEFAULT_POLICY_PATH, parse_policy
from core.services import Case, find_contract, submit_case
from core.settings import load_settings
from web.helpcenter.views import CONVERSATION_KEY, page_strings

from .test_helpcenter import NOW, FakeRasa, HelpCenter, _app, demo_frontdoor, rasa

__all__ = ["demo_frontdoor", "rasa"]  # the fixtures, shared with test_helpcenter


@pytest.fixture
def asking(migrated_database_url: str) -> Iterator[Frontdoor]:
    """The demo data with ``survey: true`` for Europe."""
    data = yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
    data["theatres"]["europe"]["survey"] = True
    policy = parse_policy(data, "survey.yml")
    fd = bootstrap(load_settings({"DATABASE_URL": migrated_database_url}), policy=policy)
    load_demo(fd.uow(), NOW.date())
    yield fd
    fd.dispose()


def browser(fd: Frontdoor, rasa: tuple[FakeRasa, str]) -> HelpCenter:
    rasa[0].replies = [{"text": "Ho aperto il ticket."}]
    return HelpCenter(_app(fd, rasa[1]).test_client())


def conversation(client: FlaskClient) -> str:
    with client.session_transaction() as session:
        return str(session[CONVERSATION_KEY])


def open_ticket(fd: Frontdoor, conversation_id: str, code: str = "1018") -> str:
    """What the bot's action does when the chat opens a ticket (a Europe contract)."""
    with fd.uow() as uow:
        contract = find_contract(uow, code)
        case = Case(
            channel="chat",
            conversation_id=conversation_id,
            at=NOW,
            contract=contract,
            priority="P3",
            language="it",
            summary="il fax non funziona",
            idempotency_key=f"chat:{conversation_id}",
        )
        intake = submit_case(uow, fd.book, case)
        uow.commit()
    assert intake.ticket is not None and intake.ticket.number
    return intake.ticket.number


def post(page: HelpCenter, body: Any, csrf: bool = True) -> Any:
    headers = {"X-CSRFToken": page.csrf} if csrf else {}
    return page.client.post("/help/survey", json=body, headers=headers)


def stored(fd: Frontdoor) -> list[Any]:
    with fd.engine.connect() as connection:
        return list(connection.execute(select(survey_answers)))


def test_the_chat_offers_the_survey_once_a_ticket_is_open(
    asking: Frontdoor, rasa: tuple[FakeRasa, str]
) -> None:
    page = browser(asking, rasa)
    assert "survey" not in page.say("Il fax non funziona").get_json()  # no ticket yet
    number = open_ticket(asking, conversation(page.client))
    offered = page.say("grazie", language="it").get_json()["survey"]
    t = page_strings()["it"]
    assert offered["ticket"] == number and offered["endpoint"] == "/help/survey"
    assert (offered["understood"], offered["yes"], offered["score"]) == (
        t["survey_understood"],
        t["survey_yes"],
        t["survey_score"],
    )
    answer = {"ticket": number, "understood": True, "score": 5, "language": "it"}
    assert post(page, answer).get_json() == {"stored": True}
    again = post(page, {**answer, "understood": False, "score": 1})  # a second click
    assert again.status_code == 200 and again.get_json() == {"stored": False}
    (row,) = stored(asking)
    assert (row.channel, row.theatre, row.language) == ("chat", "europe", "it")
    assert (row.ticket_number, row.understood, row.score) == (number, True, 5)
    assert "survey" not in page.say("ciao").get_json()  # answered: not offered again


def test_a_survey_post_without_the_csrf_token_is_refused(
    asking: Frontdoor, rasa: tuple[FakeRasa, str]
) -> None:
    page = browser(asking, rasa)
    page.say("Il fax non funziona")
    number = open_ticket(asking, conversation(page.client))
    refused = post(page, {"ticket": number, "understood": True, "score": 4}, csrf=False)
    assert refused.status_code == 400 and "error" in refused.get_json()
    assert stored(asking) == []


def test_a_ticket_of_another_conversation_is_refused(
    asking: Frontdoor, rasa: tuple[FakeRasa, str]
) -> None:
    page, other = browser(asking, rasa), browser(asking, rasa)
    other.say("Il fax non funziona")
    theirs = open_ticket(asking, conversation(other.client))
    page.say("buongiorno")
    refused = post(page, {"ticket": theirs, "understood": False, "score": 1})
    assert refused.status_code == 404
    assert post(page, {"ticket": "9999999", "understood": True, "score": 3}).status_code == 404
    assert stored(asking) == []


@pytest.mark.parametrize(
    "body",
    [
        {"ticket": "0000001", "understood": "yes", "score": 3},
        {"ticket": "0000001", "understood": True, "score": 6},
        {"ticket": "0000001", "understood": True, "score": True},
        {"ticket": 1, "understood": True, "score": 3},
        ["not", "an", "object"],
    ],
)
def test_malformed_answers_are_refused(
    asking: Frontdoor, rasa: tuple[FakeRasa, str], body: Any
) -> None:
    page = browser(asking, rasa)
    page.open()
    assert post(page, body).status_code == 400
    assert stored(asking) == []


def test_a_theatre_that_does_not_ask_offers_nothing(
    demo_frontdoor: Frontdoor, rasa: tuple[FakeRasa, str]
) -> None:
    """The shipped policy: no theatre asks, the chat's answer carries no survey."""
    page = browser(demo_frontdoor, rasa)
    page.say("Il fax non funziona")
    number = open_ticket(demo_frontdoor, conversation(page.client))
    assert "survey" not in page.say("grazie").get_json()
    refused = post(page, {"ticket": number, "understood": True, "score": 4})
    assert refused.status_code == 200 and refused.get_json() == {"stored": False}
