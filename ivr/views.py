"""The Twilio voice webhooks: one route per IVR state (TwilioDevEd ivr-phone-tree style).

Every route checks ``X-Twilio-Signature`` against PUBLIC_BASE_URL + path, then runs its step in
ONE transaction: the call's row is locked, a retried delivery is answered from the stored
answer, the step runs on the call's stored state, and the new state, the answer, the case and
the transcript lines are stored together before the commit. A first delivery that lost the race
to create the call is run again (and then replays the winner's answer). Nothing a caller sends
can cause a 500: a bad request gets a 4xx, and a failure inside a step still answers valid TwiML
(an apology and the help-center address), logged with the CallSid; with
``FRONTDOOR_IVR_APOLOGISE`` off (the default under ``TESTING``) the failure is raised instead,
so that a test cannot pass on an apology.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, current_app, request
from twilio.twiml.voice_response import VoiceResponse

from core import logs
from core.model import Call
from core.services import (
    add_turns,
    get_call,
    replayed_answer,
    request_fingerprint,
    save_step,
)
from core.unit_of_work import AbstractUnitOfWork, in_transaction
from ivr import MAX_BODY, after_hours, handlers, queue, survey
from ivr.step import Step
from ivr.twilio_signature import signed

log = logging.getLogger("frontdoor.ivr")
events = logs.get_logger("frontdoor.ivr")
bp = Blueprint("ivr", __name__, url_prefix="/ivr")
_CALL_SID = re.compile(r"^[A-Za-z0-9]{2,64}$")
Handler = Callable[[Step], None]


def _twiml(body: str, status: int = 200) -> Response:
    return Response(body, status=status, mimetype="text/xml")


def _config(name: str) -> Any:
    return current_app.extensions["ivr"][name]


def _signed() -> bool:
    token, skip = _config("auth_token"), _config("settings").skip_signature
    if not token and not skip:
        log.error("TWILIO_AUTH_TOKEN is not set: IVR webhook refused")
    return signed(request, token, _config("public_base_url"), skip)


def _refused() -> Response | None:
    if (request.content_length or 0) > MAX_BODY:
        return Response("request too large\n", status=413, mimetype="text/plain")
    if not _signed():
        log.warning("IVR webhook %s with a missing or wrong signature: 403", request.path)
        return Response("forbidden\n", status=403, mimetype="text/plain")
    if not _CALL_SID.match(request.form.get("CallSid", "")):
        return Response("missing or malformed CallSid\n", status=400, mimetype="text/plain")
    return None


SIMULATED_AT_HEADER = "X-Frontdoor-Simulated-At"


def _now() -> datetime:
    """The time of this step: the injected clock (tests), the simulator's header when allowed
    (development), else the real UTC time. The only place the IVR reads the clock."""
    simulated = request.headers.get(SIMULATED_AT_HEADER, "")
    if simulated and _config("settings").simulated_time:
        try:
            at = datetime.fromisoformat(simulated)
        except ValueError:
            at = None
        if at is not None and at.tzinfo is not None:
            return at
    clock = current_app.config.get("FRONTDOOR_CLOCK")
    return clock() if clock else datetime.now(UTC)


def _secret() -> str | bytes:
    """The key of the replay fingerprints: the web app's secret (``SECRET_KEY``)."""
    key: str | bytes | None = current_app.secret_key
    if not key:
        raise RuntimeError("the web app has no SECRET_KEY: IVR steps cannot be fingerprinted")
    return key


def _run(handler: Handler) -> Response:
    refused = _refused()
    if refused is not None:
        return refused
    fd = _config("frontdoor")
    logs.bind(call_sid=request.form["CallSid"])  # on every line of this request
    steps: list[Step] = []  # the step being run, for the apology's language
    try:
        answer = in_transaction(fd.uow, lambda uow: _step(uow, handler, steps))
    except Exception:
        if not current_app.config.get("FRONTDOOR_IVR_APOLOGISE", not current_app.testing):
            raise
        log.exception("IVR step %s failed for call %s", request.path, request.form["CallSid"])
        return _twiml(_apology(steps[-1] if steps else None))
    _log_step(steps[-1] if steps else None)
    return _twiml(answer)


def _log_step(step: Step | None) -> None:
    """One ``ivr.step`` event per delivery: which step, what came of it (never what the caller
    typed or their number); ``replayed`` when a retried delivery got the stored answer."""
    if step is None:
        events.info("ivr.step", route=request.path, replayed=True)
        return
    outcome, reason = step.outcome or (None, None)
    events.info(
        "ivr.step",
        route=request.path,
        step=step.name,
        seq=step.state.get("seq"),
        theatre=step.state.get("theatre"),
        language=step.state.get("lang"),
        outcome=outcome,
        reason=reason,
        replayed=False,
    )


def _step(uow: AbstractUnitOfWork, handler: Handler, steps: list[Step]) -> str:
    """One delivery in the entry point's unit of work: the answer (stored, or replayed)."""
    sid, now = request.form["CallSid"], _now()
    step_key = request.full_path.rstrip("?")[:200]
    fingerprint = request_fingerprint(step_key, request.form.items(multi=True), key=_secret())
    call = get_call(uow, sid, lock=True)  # held until the commit: deliveries of a call queue
    answer = replayed_answer(call, step_key, fingerprint)
    if answer is not None:
        steps.clear()  # a replay: no step ran (a first attempt lost the race)
        return answer
    state = copy.deepcopy(call.state) if call else {}
    state["seq"] = int(state.get("seq", 0)) + 1
    settings, prompts = _config("settings"), _config("prompts")
    step = Step(_config("frontdoor"), settings, prompts, sid, request.form, now, state, uow)
    step.key = step_key
    steps.append(step)
    if call is None and handler not in (handlers.status, handlers.fallback):
        handler = handlers.voice  # no state for this call (yet): it starts here
    step.name = getattr(handler, "__name__", "?")
    handler(step)
    new_call = Call(call_sid=sid, started_at=now, updated_at=now)
    return _store(step, step_key, fingerprint, call or new_call)


def _store(step: Step, step_key: str, fingerprint: str, call: Call) -> str:
    """The step's state, answer, transcript lines and outcome: one transaction."""
    answer = str(step.response)
    if step.keep_state:
        _add_lines(step)
        return answer
    save_step(
        step.uow,
        step.sid,
        at=step.now,
        state=step.state,
        step=step_key,
        fingerprint=fingerprint,
        answer=answer,
        turns=step.lines,
        caller=step.caller,
        theatre=step.theatre,
        outcome=step.outcome,
        call=call,
    )
    return answer


def _add_lines(step: Step) -> None:
    """Transcript lines only (status callbacks, fallback): the call's state is left alone, so
    that a callback racing with a step of the call cannot overwrite what the step stored."""
    add_turns(
        step.uow,
        channel="phone",
        conversation_id=step.sid,
        turns=step.lines,
        at=step.now,
        caller=step.caller,
        outcome=step.outcome,
    )


def _apology(step: Step | None) -> str:
    """Valid TwiML whatever failed: an apology and the help-center address, then hang up."""
    fd = _config("frontdoor")
    try:
        lang = step.lang if step is not None else fd.policy.fallback_language
        voice = fd.policy.languages[lang]
        text = _config("prompts").text(lang, "error", url=fd.policy.help_center_url)
        kwargs = {"voice": voice.voice, "language": voice.tts_language}
    except Exception:  # the apology itself must not fail
        log.exception("IVR apology in the caller's language failed")
        text, kwargs = f"We are sorry, please visit {fd.policy.help_center_url}. Goodbye.", {}
    response = VoiceResponse()
    response.say(text, **kwargs)
    response.hangup()
    return str(response)


def _route(path: str, endpoint: str, module: Any = handlers) -> None:
    """``/ivr<path>`` runs ``<module>.<endpoint>`` (looked up per request, so that a test can
    replace a handler and see the webhook fail with it)."""
    bp.add_url_rule(path, endpoint, lambda: _run(getattr(module, endpoint)), methods=["POST"])


for _path, _endpoint in (
    ("/voice", "voice"),
    ("/language", "language"),
    ("/identify", "identify"),
    ("/role", "role"),
    ("/menu", "menu"),
    ("/priority", "priority"),
    ("/ticket", "ticket"),
    ("/status", "status"),
    ("/fallback", "fallback"),
):
    _route(_path, _endpoint)
for _path, _endpoint in (  # the on-call PIN and engineers, the voicemail (ivr/after_hours.py)
    ("/pin", "pin"),
    ("/voicemail", "voicemail"),
    ("/voicemail/recorded", "voicemail_recorded"),
    ("/dial-status", "dial_status"),
):
    _route(_path, _endpoint, after_hours)
for _path, _endpoint in queue.ROUTES:  # the desk queue's webhooks (ivr/queue.py)
    _route(_path, _endpoint, queue)
for _path, _endpoint in survey.ROUTES:  # the survey after the ticket (ivr/survey.py)
    _route(_path, _endpoint, survey)
