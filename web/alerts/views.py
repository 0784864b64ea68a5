"""Routes: ``POST /api/alerts`` (Alertmanager webhook) and the on-call acknowledgement.

The webhook checks, in order: bearer token (401, nothing written), body size (413, while
reading: web.limits), JSON (400, nested at most web.limits.MAX_JSON_DEPTH deep), schema (400);
then each alert goes to :func:`core.services.receive_alert` in a transaction of its own. The
answer lists every alert with what it did and why. If one alert fails, the answer is 500 so
that Alertmanager retries the batch: alerts already recorded are repeats.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from twilio.twiml.voice_response import Gather, VoiceResponse

from core.bootstrap import Frontdoor
from core.services import AlertReceipt, ServiceError, acknowledge_page, receive_alert
from ivr.twilio_signature import signed
from web.alerts.notifier import ACK_PATH, Voice, on_call_voice
from web.alerts.schema import PayloadError, parse_payload
from web.limits import JsonTooDeep, loads_bounded

bp = Blueprint("alerts", __name__)


def init_app(app: Flask) -> None:
    """Mount the routes (the on-call calls are placed by the worker, from the outbox)."""
    fd = _fd(app)
    app.extensions["alerts_voice"] = on_call_voice(fd.policy)
    app.register_blueprint(bp)
    csrf = app.extensions.get("csrf")
    if csrf is not None:  # machine-to-machine routes: authenticated by token or signature
        csrf.exempt(bp)


def _fd(app: Flask | None = None) -> Frontdoor:
    fd: Frontdoor = (app or current_app).extensions["frontdoor"]
    return fd


def _now() -> datetime:
    clock: Callable[[], datetime] | None = current_app.config.get("FRONTDOOR_CLOCK")
    return clock() if clock else datetime.now(UTC)


def _problem(status: int, message: str, **headers: str) -> Response:
    response = jsonify(error=message)
    response.status_code = status
    response.headers.update(headers)
    return response


@bp.post("/api/alerts")
def receive() -> Response:
    """Alertmanager webhook (v4)."""
    settings = _fd().settings
    if not settings.alerts_token:
        return _problem(503, "the alerts endpoint is not configured (FRONTDOOR_ALERTS_TOKEN)")
    if not _token_ok(settings.alerts_token):
        return _problem(401, "missing or wrong bearer token", **{"WWW-Authenticate": "Bearer"})
    body = _body(settings.alerts_max_bytes)
    if body is None:
        return _problem(413, f"the body is larger than {settings.alerts_max_bytes} bytes")
    try:
        notices = parse_payload(loads_bounded(body), settings.alerts_contract_label)
    except JsonTooDeep as exc:
        return _problem(400, f"not an Alertmanager v4 webhook: {exc}")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return _problem(400, f"malformed JSON: {exc}")
    except PayloadError as exc:
        return _problem(400, f"not an Alertmanager v4 webhook: {exc}")
    results, failed = [], False
    for notice in notices:
        try:
            results.append(_shown(_receive_one(notice)))
        except Exception:  # one alert's failure must not hide the others' results
            current_app.logger.exception("alert %s could not be recorded", notice.fingerprint)
            results.append({"fingerprint": notice.fingerprint, "accepted": False, "error": True})
            failed = True
    response = jsonify(alerts=results, accepted=sum(1 for r in results if r["accepted"]))
    response.status_code = 500 if failed else 200
    return response


def _token_ok(expected: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    given = token.strip() if scheme.lower() == "bearer" else ""
    return hmac.compare_digest(given.encode(), expected.encode())


def _body(limit: int) -> bytes | None:
    """The raw body, or None when it is larger than ``limit`` (read no more than that)."""
    if request.content_length is not None and request.content_length > limit:
        return None
    data = request.stream.read(limit + 1)
    return None if len(data) > limit else data


def _receive_one(notice: Any) -> AlertReceipt:
    fd = _fd()
    numbers = fd.settings.on_call_numbers
    return receive_alert(fd.uow(), fd.book, notice, at=_now(), on_call_numbers=numbers)


def _shown(receipt: AlertReceipt) -> dict[str, Any]:
    return {
        "fingerprint": receipt.fingerprint,
        "status": receipt.status,
        "accepted": receipt.accepted,
        "action": receipt.action,
        "outcome": receipt.outcome,
        "reason": receipt.reason,
        "ticket": receipt.ticket,
        "calls": [{"to": c.to, "queued": c.error is None, "error": c.error} for c in receipt.calls],
    }


@bp.post(ACK_PATH)
def acknowledge() -> Response:
    """Twilio's Gather action on the on-call call: 1 acknowledges the ticket."""
    settings = _fd().settings
    # only the notifier's calls come here, and it needs PUBLIC_BASE_URL: no host-URL fallback
    base = settings.public_base_url
    if not base or not signed(request, settings.twilio_auth_token, base, skip=False):
        return _problem(403, "invalid Twilio signature")
    number = request.args.get("ticket", "")
    response = VoiceResponse()
    if request.form.get("Digits") != "1":
        gather = Gather(num_digits=1, action=request.full_path, method="POST", timeout=8)
        _voice().say(gather, "press_1")
        response.append(gather)
        return _twiml(response)
    engineer = request.form.get("To") or request.form.get("Called") or "unknown number"
    try:
        acknowledge_page(
            _fd().uow(),
            _fd().book,
            number,
            by=f"on-call {engineer}",
            at=_now(),
            call_sid=request.form.get("CallSid"),
        )
    except ServiceError as exc:
        _voice().say(response, "not_recorded", error=exc)
        return _twiml(response)
    _voice().say(response, "acknowledged")
    return _twiml(response)


def _voice() -> Voice:
    voice: Voice = current_app.extensions["alerts_voice"]
    return voice


def _twiml(response: VoiceResponse) -> Response:
    return Response(str(response), mimetype="text/xml")
