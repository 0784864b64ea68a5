"""Help Center routes: the page, the demo sign-in and the chat relay to Rasa."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from flask import (
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from core.language import MIN_CONFIDENCE, MIN_WORDS, detect, language_words
from core.tokens import issue_token
from web import limits
from web.helpcenter import demo_sign_in, live, survey
from web.helpcenter.blueprint import bp
from web.helpcenter.demo_sign_in import DemoContact
from web.helpcenter.rasa import RasaClient, RasaUnavailable

LANGUAGES = {
    "it": "Italiano",
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "pt": "Português",
    "ar": "العربية",
}
RTL = frozenset({"ar"})
CONVERSATION_KEY = "helpcenter_conversation"
MESSAGE_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
TOKEN_TTL = timedelta(minutes=30)  # a fresh token per message: short-lived is enough
MAX_MESSAGE = 2000
STRINGS_FILE = Path(__file__).with_name("strings.yml")


@cache
def page_strings() -> dict[str, dict[str, str]]:
    """The page's own text per language (strings.yml), every language with every key."""
    strings: dict[str, dict[str, str]] = yaml.safe_load(STRINGS_FILE.read_text("utf-8"))
    return strings


def _now() -> datetime:
    now: datetime = current_app.config["FRONTDOOR_CLOCK"]()
    return now


def _contact() -> DemoContact | None:
    return demo_sign_in.from_session(session.get(demo_sign_in.SESSION_KEY))


def _conversation_id() -> str:
    """One Rasa conversation per browser session (and per signed-in contact)."""
    if not isinstance(session.get(CONVERSATION_KEY), str):
        session[CONVERSATION_KEY] = f"web-{secrets.token_urlsafe(16)}"
    return str(session[CONVERSATION_KEY])


def _new_conversation() -> None:
    session.pop(CONVERSATION_KEY, None)


@bp.get("/")
def page() -> Any:
    """The Help Center page with the chat panel."""
    contact = _contact()
    demo = bool(current_app.config["FRONTDOOR_DEMO_SIGN_IN"])
    contacts = demo_sign_in.demo_contacts(_now().date()) if demo else []
    chosen = request.args.get("lang", "")
    language = (
        (contact.language if contact else None)
        or (chosen if chosen in LANGUAGES else None)
        or _browser_language()
    )
    return render_template(
        "helpcenter/page.html",
        contact=contact,
        contacts=contacts,
        demo=demo,
        languages=LANGUAGES,
        language=language,
        direction="rtl" if language in RTL else "ltr",
        t=page_strings()[language],
    )


@bp.post("/sign-in")
def sign_in() -> Any:
    """Demo sign-in: remember the picked contact in the session; start a new conversation."""
    if not current_app.config["FRONTDOOR_DEMO_SIGN_IN"]:
        abort(404)
    fd = current_app.extensions["frontdoor"]
    contact = demo_sign_in.sign_in(fd, request.form.get("contact", ""), _now().date())
    if contact is None:
        abort(400, description="Unknown demo contact: run `frontdoor demo load` and pick again.")
    session[demo_sign_in.SESSION_KEY] = demo_sign_in.to_session(contact)
    _new_conversation()
    return redirect(url_for("helpcenter.page"))


@bp.post("/sign-out")
def sign_out() -> Any:
    """Forget the contact and the conversation."""
    session.pop(demo_sign_in.SESSION_KEY, None)
    _new_conversation()
    return redirect(url_for("helpcenter.page"))


@bp.post("/chat")
def chat() -> Any:
    """Forward one message to Rasa; answer with the bot's replies, or a polite 502."""
    body = _json_body()
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(message, str) or not message.strip() or len(message) > MAX_MESSAGE:
        abort(400, description=f"Send a message of 1 to {MAX_MESSAGE} characters.")
    language = _language(body.get("language") if isinstance(body, dict) else None)
    client: RasaClient = current_app.extensions["helpcenter.rasa"]
    try:
        # live hand-off (docs/live-chat.md): the agent, not Rasa, while one has the chat
        if (routed := live.intercept(message.strip(), language)) is not None:
            return routed
        message_id = body.get("message_id") if isinstance(body, dict) else None
        replies = client.send(
            _conversation_id(), message.strip(), _metadata(language), _message_id(message_id)
        )
    except RasaUnavailable as exc:
        current_app.logger.warning("help center chat: Rasa unavailable: %s", exc)
        return jsonify(error=page_strings()[language]["unavailable"]), 502
    return jsonify(
        replies=[{**r.as_json(), "lang": _text_language(r.text, language)} for r in replies],
        message_lang=_text_language(message, language),
        **live.after_bot(language),
        **survey.after_bot(language),
    )


def _json_body() -> Any:
    """The JSON body (read within the route's limit, web.limits), None when it is not JSON;
    nesting deeper than a chat message could need is a 400."""
    if not request.is_json:
        return None
    try:
        return limits.loads_bounded(request.get_data())
    except limits.JsonTooDeep as exc:
        abort(400, description=f"Send a message of 1 to {MAX_MESSAGE} characters ({exc}).")
    except ValueError:
        return None


def _message_id(value: object) -> str | None:
    """The browser's id of this message (kept when the request is sent again), if well formed;
    else the Rasa client makes one."""
    if isinstance(value, str) and MESSAGE_ID.fullmatch(value):
        return value
    return None


def _metadata(language: str) -> dict[str, str]:
    """The metadata of one message: the signed contact token when someone is signed in."""
    metadata = {"language": language}
    contact = _contact()
    if contact is not None:
        metadata["token"] = issue_token(
            current_app.config["FRONTDOOR_CHAT_TOKEN_SECRET"],
            contact.code,
            contact.email,
            _now(),
            TOKEN_TTL,
            contact.language,
        )
    return metadata


def _language(value: object) -> str:
    if isinstance(value, str) and value in LANGUAGES:
        return value
    contact = _contact()
    return (contact.language if contact else None) or "en"


def _browser_language() -> str:
    return request.accept_languages.best_match(list(LANGUAGES)) or "en"


def _text_language(text: str, language: str) -> str:
    """The ``lang`` of a bubble: Arabic when the text is in Arabic script (the bot starts
    right-to-left replies with a right-to-left mark); else, for a text of a few words, the
    language the detector is sure of (a German reply on an English page is German); else the
    chat's language when the text is not Arabic, else unknown ("")."""
    if text.startswith("\u200f") or any("\u0600" <= ch <= "\u06ff" for ch in text[:40]):
        return "ar"
    words = language_words(text)
    found = detect(" ".join(words)) if len(words) >= MIN_WORDS else None
    if found and found.code and found.code != "ar" and found.confidence >= MIN_CONFIDENCE:
        return found.code
    return "" if language in RTL else language
