"""The survey at the end of a chat that opened a ticket (docs/phone.md "Survey"): the same two
questions as on the phone, as buttons in the page's language.

After each bot answer, :func:`after_bot` adds ``{"survey": ...}`` to ``POST /help/chat``'s
answer when this browser's conversation opened a ticket whose theatre asks for the survey and
nobody answered it yet; the page then asks, and posts both answers to ``POST /help/survey``
(CSRF like every POST of the blueprint, the form limit of web.limits), which stores them
through :func:`core.services.surveys.record_survey`, once per ticket. A ticket that is not this
conversation's is refused (404, as an unknown one).
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, jsonify, session, url_for

from core.bootstrap import Frontdoor
from core.services.surveys import chat_survey_ticket, record_survey
from web.helpcenter import views as hc
from web.helpcenter.blueprint import bp

STRING_KEYS = ("survey_understood", "survey_yes", "survey_no", "survey_score", "survey_thanks")


def _fd() -> Frontdoor:
    fd: Frontdoor = current_app.extensions["frontdoor"]
    return fd


def after_bot(language: str) -> dict[str, Any]:
    """``{"survey": {...}}`` when this conversation's ticket asks for the survey, else nothing."""
    cid = session.get(hc.CONVERSATION_KEY)
    if not isinstance(cid, str):
        return {}
    fd = _fd()
    due = chat_survey_ticket(fd.uow(), fd.policy, cid)
    if due is None:
        return {}
    t = hc.page_strings()[language if language in hc.LANGUAGES else "en"]
    texts = {key.removeprefix("survey_"): t[key] for key in STRING_KEYS}
    return {"survey": {"ticket": due[0], "endpoint": url_for("helpcenter.survey"), **texts}}


@bp.post("/survey")
def survey() -> Any:
    """Both answers of the survey: ``{"ticket", "understood": bool, "score": 1-5 | null,
    "language"}``; ``{"stored": false}`` when the ticket has its answer already."""
    body = hc._json_body()
    if not isinstance(body, dict):
        abort(400, description="Send the survey's answers as JSON.")
    ticket, understood, score = body.get("ticket"), body.get("understood"), body.get("score")
    ok_score = score is None or (type(score) is int and 1 <= score <= 5)
    if not isinstance(ticket, str) or not isinstance(understood, bool) or not ok_score:
        abort(400, description="Answer with yes or no, and a score from 1 to 5.")
    cid = session.get(hc.CONVERSATION_KEY)
    fd = _fd()
    with fd.uow() as uow:
        found = uow.tickets.get(ticket[:32])
        if found is None or not isinstance(cid, str) or found.conversation_id != cid:
            abort(404, description="No such ticket in this conversation.")
        stored = record_survey(
            uow,
            fd.policy,
            channel="chat",
            ticket_number=ticket,
            language=hc._language(body.get("language")),
            understood=understood,
            score=score,
            at=hc._now(),
        )
        uow.commit()
    return jsonify(stored=stored)
