"""The Help Center blueprint against a fake Rasa REST channel served on a real local socket:
forwarding, the signed contact token in the metadata, CSRF, and polite errors."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from core.adapters.db import upgrade
from core.bootstrap import Frontdoor, bootstrap
from core.demo import load_demo
from core.policy import Policy
from core.settings import load_settings
from core.tokens import ContactClaims, verify_token
from web import create_app

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
SECRET = "helpcenter-test-secret"
ITALIAN_ADMIN = "1018|admin1018@customer.example"  # Europe Platinum cloud, prefers Italian
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


@dataclass
class FakeRasa:
    """Rasa's REST channel: records each request and answers with ``replies`` (or misbehaves)."""

    replies: list[dict[str, Any]] = field(default_factory=list)
    raw: bytes | None = None
    delay: float = 0.0
    received: list[dict[str, Any]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)

    def __call__(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        self.paths.append(request.path)
        self.received.append(json.loads(request.get_data()))
        time.sleep(self.delay)
        body = self.raw if self.raw is not None else json.dumps(self.replies).encode()
        return Response(body, content_type="application/json")(environ, start_response)


@pytest.fixture
def rasa() -> Iterator[tuple[FakeRasa, str]]:
    """A fake Rasa on a free local port, and its base URL."""
    fake = FakeRasa()
    server: BaseWSGIServer = make_server("127.0.0.1", 0, fake, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def _app(fd: Frontdoor, rasa_url: str, **config: Any) -> Flask:
    settings = {
        "FRONTDOOR_RASA_URL": rasa_url,
        "FRONTDOOR_RASA_TIMEOUT": 2.0,
        "FRONTDOOR_CHAT_TOKEN_SECRET": SECRET,
        "FRONTDOOR_CLOCK": lambda: NOW,
        **config,
    }
    return create_app(settings, frontdoor=fd)


class HelpCenter:
    """What a browser does on the page (flaskr's AuthActions style)."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.csrf = ""

    def open(self) -> str:
        page = self.client.get("/help/").get_data(as_text=True)
        match = CSRF_META.search(page)
        assert match, "the page carries no CSRF token"
        self.csrf = match.group(1)
        return page

    def sign_in(self, key: str = ITALIAN_ADMIN) -> Any:
        self.open()
        return self.client.post("/help/sign-in", data={"contact": key, "csrf_token": self.csrf})

    def say(self, message: Any, language: str | None = "it", csrf: bool = True) -> Any:
        if not self.csrf:
            self.open()
        headers = {"X-CSRFToken": self.csrf} if csrf else {}
        body = {"message": message, "language": language}
        return self.client.post("/help/chat", json=body, headers=headers)


@pytest.fixture(scope="module")
def demo_frontdoor(
    tmp_path_factory: pytest.TempPathFactory, shipped_policy: Policy
) -> Iterator[Frontdoor]:
    """One SQLite demo database for the module (the page's behaviour does not depend on the
    database; the sign-in look-ups also run on PostgreSQL below)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('help') / 'frontdoor.sqlite3'}"
    upgrade(url)
    fd = bootstrap(load_settings({"DATABASE_URL": url}), policy=shipped_policy)
    load_demo(fd.uow(), NOW.date())
    yield fd
    fd.dispose()


@pytest.fixture
def page(demo_frontdoor: Frontdoor, rasa: tuple[FakeRasa, str]) -> HelpCenter:
    return HelpCenter(_app(demo_frontdoor, rasa[1]).test_client())


def test_the_page_offers_demo_contacts_and_a_phone_sized_chat_panel(page: HelpCenter) -> None:
    """The page has the viewport meta, the chat panel, its own script and the demo contacts."""
    html = page.open()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert 'id="chat-log"' in html and "/help/static/chat.js" in html
    assert f'value="{ITALIAN_ADMIN}"' in html
    assert "http" not in re.sub(r'(href|src)="/[^"]*"', "", html).split("<body>", 1)[0]


def test_the_landing_page_links_the_help_center(demo_frontdoor: Frontdoor) -> None:
    """/ names /help/."""
    body = _app(demo_frontdoor, "http://127.0.0.1:9").test_client().get("/").get_json()
    assert body["help_center"] == "/help/"


def test_a_message_is_forwarded_and_the_bots_text_and_buttons_come_back(
    page: HelpCenter, rasa: tuple[FakeRasa, str]
) -> None:
    """The REST webhook gets the message with a per-session sender; images are left out."""
    fake, _url = rasa
    fake.replies = [
        {"recipient_id": "x", "text": "Qual è il prodotto?"},
        {"text": "Scegli", "buttons": [{"title": "Fax", "payload": '/inform{"product":"Fax"}'}]},
        {"image": "http://example.invalid/cat.png"},
    ]
    response = page.say("Il fax non funziona")
    assert response.status_code == 200
    assert response.get_json() == {
        "replies": [
            {"text": "Qual è il prodotto?", "buttons": [], "lang": "it"},
            {
                "text": "Scegli",
                "buttons": [{"title": "Fax", "payload": '/inform{"product":"Fax"}'}],
                "lang": "it",
            },
        ],
        "message_lang": "it",
    }
    assert fake.paths == ["/webhooks/rest/webhook"]
    assert fake.received[0]["message"] == "Il fax non funziona"
    assert fake.received[0]["sender"].startswith("web-")


def test_one_browser_session_keeps_one_conversation_id(
    page: HelpCenter, rasa: tuple[FakeRasa, str]
) -> None:
    """Two messages from the same browser carry the same sender; another browser gets another."""
    fake, _url = rasa
    page.say("ciao")
    page.say("ancora io")
    other = HelpCenter(page.client.application.test_client())
    other.say("hello", "en")
    senders = [r["sender"] for r in fake.received]
    assert senders[0] == senders[1] != senders[2]


def test_a_signed_in_contacts_token_verifies_with_the_shared_secret(
    frontdoor: Frontdoor, rasa: tuple[FakeRasa, str]
) -> None:
    """The metadata token names the picked contact, with their preferred language (the contact
    is looked up on SQLite and PostgreSQL)."""
    fake, url = rasa
    load_demo(frontdoor.uow(), NOW.date())
    page = HelpCenter(_app(frontdoor, url).test_client())
    assert page.sign_in().status_code == 302
    page.say("Buongiorno")
    metadata = fake.received[0]["metadata"]
    assert metadata["language"] == "it"
    claims = verify_token(SECRET, metadata["token"], NOW)
    assert claims == ContactClaims("1018", "admin1018@customer.example", "it")
    assert verify_token("another-secret", metadata["token"], NOW) is None


def test_the_page_never_shows_the_token_or_the_secret(page: HelpCenter) -> None:
    """Signed in, the page names the contact but holds neither the secret nor a token."""
    page.sign_in()
    html = page.open()
    assert '<span id="signed-in">Admin 1018 · contratto 1018</span>' in html  # Italian
    assert SECRET not in html and "token" not in html.replace("csrf-token", "").replace(
        "csrf_token", ""
    )


def test_a_visitor_who_is_not_signed_in_sends_no_token(
    page: HelpCenter, rasa: tuple[FakeRasa, str]
) -> None:
    """Without a sign-in the bot gets only the language: it must ask for code and e-mail."""
    fake, _url = rasa
    page.say("Hello", "en")
    metadata = fake.received[0]["metadata"]
    assert set(metadata) == {"language", "message_id"} and metadata["language"] == "en"


def test_a_message_sent_again_reaches_rasa_with_the_same_message_id(
    page: HelpCenter, rasa: tuple[FakeRasa, str]
) -> None:
    """The browser's id of a message goes to Rasa unchanged, so a copy is answered once
    (rasaserver/rest_channel.py); a malformed id is replaced, and each new message gets its own."""
    fake, _url = rasa
    body = {"message": "Hello", "language": "en", "message_id": "0123456789abcdef"}
    headers = {"X-CSRFToken": page.csrf or (page.open() and page.csrf)}
    for _ in range(2):
        assert page.client.post("/help/chat", json=body, headers=headers).status_code == 200
    bad = {**body, "message_id": "<script>"}
    assert page.client.post("/help/chat", json=bad, headers=headers).status_code == 200
    page.say("Hello again", "en")
    ids = [received["metadata"]["message_id"] for received in fake.received]
    assert ids[:2] == ["0123456789abcdef", "0123456789abcdef"]
    assert len(set(ids[1:])) == 3 and "<script>" not in ids


def test_signing_out_forgets_the_contact_and_starts_a_new_conversation(
    page: HelpCenter, rasa: tuple[FakeRasa, str]
) -> None:
    """After sign-out no token is sent and the sender id changes."""
    fake, _url = rasa
    page.sign_in()
    page.say("ciao")
    page.client.post("/help/sign-out", data={"csrf_token": page.csrf})
    page.say("ciao")
    first, second = fake.received
    assert "token" in first["metadata"] and "token" not in second["metadata"]
    assert first["sender"] != second["sender"]


def test_an_unknown_demo_contact_is_refused(page: HelpCenter) -> None:
    """Only core.demo's contacts can be picked."""
    response = page.sign_in("1018|intruder@example.com")
    assert response.status_code == 400
    assert 'id="signed-in"' not in page.open()


def test_a_demo_contact_missing_from_the_database_is_refused(
    frontdoor: Frontdoor, rasa: tuple[FakeRasa, str]
) -> None:
    """Before `frontdoor demo load` the sign-in fails instead of issuing a useless token."""
    page = HelpCenter(_app(frontdoor, rasa[1]).test_client())
    assert page.sign_in().status_code == 400


def test_demo_sign_in_can_be_switched_off(
    demo_frontdoor: Frontdoor, rasa: tuple[FakeRasa, str]
) -> None:
    """FRONTDOOR_DEMO_SIGN_IN=False: no contact list, and the sign-in route is gone."""
    page = HelpCenter(_app(demo_frontdoor, rasa[1], FRONTDOOR_DEMO_SIGN_IN=False).test_client())
    assert ITALIAN_ADMIN not in page.open()
    assert page.sign_in().status_code == 404


def test_a_chat_message_without_the_csrf_header_is_refused(
    page: HelpCenter, rasa: tuple[FakeRasa, str]
) -> None:
    """No token, no forwarding: a polite JSON 400."""
    fake, _url = rasa
    response = page.say("ciao", csrf=False)
    assert response.status_code == 400
    assert "reload" in response.get_json()["error"]
    assert fake.received == []


def test_a_sign_in_without_the_csrf_field_is_refused(page: HelpCenter) -> None:
    """The sign-in form needs the session's token too."""
    page.open()
    response = page.client.post("/help/sign-in", data={"contact": ITALIAN_ADMIN})
    assert response.status_code == 400


@pytest.mark.parametrize("message", [None, "", "   ", 42, ["ciao"], "x" * 2001], ids=repr)
def test_an_invalid_message_is_refused_without_calling_rasa(
    page: HelpCenter, rasa: tuple[FakeRasa, str], message: Any
) -> None:
    """Empty, non-text or over-long messages get a 400 JSON answer."""
    fake, _url = rasa
    response = page.say(message)
    assert response.status_code == 400
    assert "error" in response.get_json()
    assert fake.received == []


@pytest.mark.parametrize(
    ("language", "polite"),
    [
        ("it", "Spiacenti, l'assistente non è disponibile"),
        ("en", "Sorry, the assistant is not available"),
        ("ar", "عذرًا"),
    ],
)
def test_rasa_down_gives_a_polite_502_in_the_chat_language(
    demo_frontdoor: Frontdoor, language: str, polite: str
) -> None:
    """Nothing listens on Rasa's port: a polite message in the chat's language, no stack trace,
    no address."""
    page = HelpCenter(_app(demo_frontdoor, "http://127.0.0.1:9").test_client())
    response = page.say("ciao", language=language)
    assert response.status_code == 502
    error = response.get_json()["error"]
    assert error.startswith(polite)
    assert "127.0.0.1" not in error and "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("delay", "raw"),
    [(3.0, None), (0.0, b"<html>502 Bad Gateway</html>"), (0.0, b'{"not": "a list"}')],
    ids=["timeout", "not-json", "not-a-list"],
)
def test_a_slow_or_confused_rasa_gives_a_polite_502(
    page: HelpCenter, rasa: tuple[FakeRasa, str], delay: float, raw: bytes | None
) -> None:
    """Past FRONTDOOR_RASA_TIMEOUT (2 s here), or an answer that is not a message list: 502."""
    fake, _url = rasa
    fake.delay, fake.raw = delay, raw
    response = page.say("ciao", language="en")
    assert response.status_code == 502
    assert response.get_json()["error"].startswith("Sorry")


def test_an_arabic_reply_is_marked_arabic_for_right_to_left_display(
    page: HelpCenter, rasa: tuple[FakeRasa, str]
) -> None:
    """The bot's right-to-left mark (or Arabic script) makes the bubble lang="ar"."""
    fake, _url = rasa
    fake.replies = [{"text": "\u200fمرحبا، كيف يمكنني مساعدتك؟"}, {"text": "1234567"}]
    replies = page.say("مرحبا", "ar").get_json()["replies"]
    assert [r["lang"] for r in replies] == ["ar", ""]


def test_the_page_forbids_outside_scripts_and_framing(page: HelpCenter) -> None:
    """The Content-Security-Policy allows only our own script, styles and endpoint."""
    policy = page.client.get("/help/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


def test_demo_contacts_cover_the_seven_languages() -> None:
    """Whoever tries the page can sign in as a contact of each language."""
    from web.helpcenter.demo_sign_in import demo_contacts

    languages = {c.language for c in demo_contacts(date(2026, 11, 24))}
    assert {"it", "en", "de", "fr", "es", "pt", "ar"} <= languages


def test_a_reply_in_another_language_than_the_page_is_marked_with_its_own(
    page: HelpCenter, rasa: tuple[FakeRasa, str]
) -> None:
    """On an English page a German message and the bot's German answer are lang="de"; a
    one-word reply keeps the chat's language."""
    fake, _url = rasa
    fake.replies = [{"text": "Welches Produkt ist betroffen?"}, {"text": "Danke"}]
    body = page.say("Unser Faxserver sendet seit heute morgen nichts mehr", "en").get_json()
    assert body["message_lang"] == "de"
    assert [r["lang"] for r in body["replies"]] == ["de", "en"]


@pytest.mark.parametrize(
    ("query", "lang", "direction", "heading", "send"),
    [
        ("?lang=it", "it", "ltr", "Come possiamo aiutarla?", "Invia"),
        ("?lang=ar", "ar", "rtl", "كيف يمكننا مساعدتك؟", "إرسال"),
        ("?lang=xx", "en", "ltr", "How can we help?", "Send"),
    ],
)
def test_the_page_is_in_the_chosen_language_with_its_direction_and_a_greeting(
    page: HelpCenter, query: str, lang: str, direction: str, heading: str, send: str
) -> None:
    """?lang= picks the page's language (an unknown one falls back to the browser's, here
    English): the document's lang and dir, the page text, the Send button and the greeting."""
    html = page.client.get(f"/help/{query}").get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{direction}">' in html
    assert f"<h1>{heading}</h1>" in html and f">{send}</button>" in html
    assert f'class="msg bot greeting" dir="auto" lang="{lang}"' in html


def test_a_signed_in_contact_sees_the_page_in_their_language(page: HelpCenter) -> None:
    """Admin 1018 prefers Italian: the page is Italian whatever the browser asks for."""
    page.sign_in(ITALIAN_ADMIN)
    html = page.client.get("/help/?lang=de", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert '<html lang="it" dir="ltr">' in html and "Esci</button>" in html


def test_every_language_has_every_text_of_the_page() -> None:
    """strings.yml: the seven languages, each with the same keys, none empty."""
    from web.helpcenter.views import LANGUAGES, page_strings

    strings = page_strings()
    assert set(strings) == set(LANGUAGES)
    keys = set(strings["en"])
    for language, texts in strings.items():
        assert set(texts) == keys, language
        assert all(isinstance(v, str) and v.strip() for v in texts.values()), language
