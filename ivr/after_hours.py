"""The calls that do not reach the desk now (one function per IVR state, as ivr/handlers.py):
the on-call PIN, dialling the engineers in turn or together, and the voicemail that opens a
ticket when the office is closed or nobody answers."""

from __future__ import annotations

from core.services import add_ticket_note, get_ticket, verify_pin
from ivr import flow, survey
from ivr.step import Step


def pin(step: Step) -> None:
    """Out of hours, Platinum: the on-call PIN (English only, as the on-call service is)."""
    if step.spoken:  # never by speech (docs/phone.md "Speech"): refused and not recorded
        _pin_spoken(step)
        return
    typed = step.form.get("Digits", "").strip()
    step.heard(typed, secret=True)
    contract = step.contract()
    if not typed or contract is None:  # not a critical problem: the closed-office path
        flow.closed(step, flow.decision(step, "P2"))
        return
    result = verify_pin(
        step.uow,
        step.fd.policy,
        contract.code,
        typed[:64],
        at=step.now,
        caller=step.caller,
        call_sid=step.sid,
        attempt_key=f"{step.sid}:{step.key}",
    )
    step.note(f"on-call PIN: {result}", kind="decision", reason=f"pin_{result}")
    if result == "ok":
        _on_call(step)
        return
    if result == "wrong":
        fails = int(step.state.get("pin_fails", 0)) + 1
        step.state["pin_fails"] = fails
        step.say("pin_wrong", lang=step.on_call_lang)
        if fails < step.fd.policy.on_call.pin.tries_per_call:
            flow.ask_pin(step, again=True)
            return
    else:
        step.say("pin_locked" if result == "locked" else "pin_none", lang=step.on_call_lang)
    flow.closed(step, flow.decision(step, "P2"))


def _pin_spoken(step: Step) -> None:
    """A PIN said aloud: not verified, not written anywhere; keys asked for once more."""
    step.note("speech at the PIN prompt refused (keys only)", reason="pin_speech_refused")
    step.say("pin_keys_only", lang=step.on_call_lang)
    spoken = int(step.state.get("pin_spoken", 0)) + 1
    step.state["pin_spoken"] = spoken
    if spoken == 1:
        flow.ask_pin(step, again=True)
    else:
        flow.closed(step, flow.decision(step, "P2"))


def _on_call(step: Step) -> None:
    intake = flow.submit(step, "P1", pin_verified=True)
    made, ticket = intake.decision, intake.ticket
    if made.outcome != "on_call" or ticket is None:
        flow.refuse(step, made)
        return
    lang = step.on_call_lang
    step.state.update(lang_on_call=lang, on_call=True)
    step.say("on_call_opened", lang=lang, number=flow.spoken_digits(ticket.number or "", lang))
    step.end(made.outcome, made.reason)
    numbers = step.conf.on_call_numbers
    if not numbers:
        leave_message(step)
        return
    step.say("on_call_connecting", lang=lang)
    _dial_on_call(step, 0)


def _dial_on_call(step: Step, index: int) -> None:
    numbers = step.conf.on_call_numbers
    together = step.conf.dial_mode == "simultaneous"
    chosen = numbers if together else numbers[index : index + 1]
    step.state["dial"] = {"kind": "on_call", "next": len(numbers) if together else index + 1}
    dial = step.response.dial(
        action=step.url("dial_status"), answer_on_bridge=True, timeout=step.conf.dial_timeout
    )
    for number in chosen:
        dial.number(number)
    step.note(f"dialling on-call {', '.join(chosen)}")


def dial_status(step: Step) -> None:
    """After a <Dial>: done when answered; otherwise the next engineer, or a voicemail."""
    status = step.form.get("DialCallStatus", "")[:32]
    step.note(f"dial ended: {status or '?'}")
    dial = dict(step.state.get("dial") or {})
    if status in ("completed", "answered"):
        step.hang_up(lang=_call_lang(step))
        return
    numbers = step.conf.on_call_numbers
    if dial.get("kind") == "on_call" and int(dial.get("next", 0)) < len(numbers):
        _dial_on_call(step, int(dial["next"]))
        return
    leave_message(step)


def leave_message(step: Step) -> None:
    on_call = bool(step.state.get("on_call"))
    lang = _call_lang(step)
    number = flow.spoken_digits(str(step.state.get("ticket", "")), lang or step.lang)
    key = "on_call_unreachable" if on_call else "desk_unreachable"
    step.say(key, lang=lang, number=number)
    record(step)


def record(step: Step) -> None:
    step.response.record(
        max_length=step.conf.record_max_seconds,
        finish_on_key="#",
        play_beep=True,
        action=step.url("voicemail_recorded"),
        method="POST",
    )
    # no audio at all: Twilio skips the action and goes on with the next verb
    step.response.redirect(step.url("voicemail_recorded"), method="POST")


def voicemail(step: Step) -> None:
    """Office closed: the message's priority, then the recording; the ticket opens now."""
    keys = step.choice("priority") or ""
    if keys not in flow.PRIORITIES:
        flow.ask_again(step, "voicemail", lambda s: flow.ask_priority(s, "voicemail"))
        return
    intake = flow.submit(step, flow.PRIORITIES[keys])
    made = intake.decision
    if made.reason == "on_call_pin_required":
        flow.ask_again(
            step,
            "voicemail",
            lambda s: flow.ask_priority(s, "voicemail"),
            sorry="voicemail_pin_needed",
        )
        return
    if intake.ticket is None:
        flow.refuse(step, made)
        return
    step.end(made.outcome, made.reason)
    step.say("record")
    record(step)


def voicemail_recorded(step: Step) -> None:
    """The recording is on the ticket: read its number back, then goodbye. Twilio skips the
    action of an empty recording (the redirect after ``<Record>`` comes without a RecordingUrl):
    then the caller hears that nothing was recorded, never that a message was added."""
    number = str(step.state.get("ticket", ""))
    lang = _call_lang(step)
    url = step.form.get("RecordingUrl", "")[:500]
    seconds = step.form.get("RecordingDuration", "")[:8]
    if not number:
        step.hang_up(lang=lang)
        return
    recorded = url.startswith("https://") and seconds not in ("0", "0.0")
    if recorded:
        add_ticket_note(step.uow, number, f"voicemail {url} ({seconds or '?'} s)")
        step.note(f"voicemail recorded on ticket {number}", kind="ticket")
    spoken = flow.spoken_digits(number, lang or step.lang)
    step.say("recorded" if recorded else "not_recorded", lang=lang, number=spoken)
    flow.tell_deadline(step, get_ticket(step.uow, number), lang)
    if lang is None:  # the caller's language (not the on-call service's): ivr/survey.py
        survey.offer(step, number)
    else:
        step.hang_up(lang=lang)


def _call_lang(step: Step) -> str | None:
    """The on-call service's language once the caller reached it, else the call's."""
    return step.on_call_lang if step.state.get("on_call") else None
