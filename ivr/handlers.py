"""What each webhook does with the caller's answer (one function per IVR state)."""

from __future__ import annotations

from core.services import (
    UnknownTicket,
    find_contract_by_phone,
    get_ticket,
    identify_caller,
    mask_digits,
)
from ivr import abandonment, flow, speech, survey
from ivr import queue as desk_queue
from ivr.step import Step


def voice(step: Step) -> None:
    """Incoming call: theatre from the number dialled, caller from their number."""
    policy = step.fd.policy
    to = step.form.get("To", "")
    theatre = policy.theatre_for_phone(to) or policy.default_theatre
    step.state.update(theatre=theatre, caller=step.caller)
    contract = find_contract_by_phone(step.uow, step.caller)
    if contract is not None:
        _identified(step, contract.code)
    step.note(f"call to {to or '?'} ({theatre}) from {step.caller}")
    step.say("welcome")
    flow.proceed(step)


def _identified(step: Step, code: str) -> None:
    step.state["contract"] = code
    contract = step.contract()
    contact = contract.contact_by_phone(step.caller) if contract else None
    if contact is not None:
        step.state["role"] = step.state.get("role") or contact.role
        if contact.language in step.fd.policy.languages and not step.state.get("lang"):
            step.state["lang"] = contact.language
    step.note(f"caller identified: contract {mask_digits(code)}", kind="decision")


def language(step: Step) -> None:
    languages = step.fd.policy.theatres[step.theatre].menu_languages

    def named(said: str) -> str | None:
        code = speech.language(said)
        return str(languages.index(code) + 1) if code in languages else None

    keys = step.answer(named)
    if keys == "":
        step.state["lang"] = languages[0]  # silence: the theatre's first main language
    elif keys and keys.isdigit() and 1 <= int(keys) <= len(languages):
        step.state["lang"] = languages[int(keys) - 1]
    else:
        flow.ask_again(step, "language", flow.ask_language)
        return
    flow.proceed(step)


def identify(step: Step) -> None:
    """The customer code, typed or said; a said code is read back first (1 or yes confirms)."""
    heard = step.state.pop("heard_code", None)
    if heard:
        answer = step.choice("yes_no")
        if answer == "2":
            flow.ask_identify(step)
            return
        if answer != "1":
            flow.ask_again(step, "identify", flow.ask_identify)
            return
        code: str | None = str(heard)
    else:
        code = step.answer(speech.digits, secret=True, min_confidence=0.0)
        if code and step.spoken:
            step.state["heard_code"] = code
            flow.confirm_code(step, code)
            return
    if not code:
        flow.ask_again(step, "identify", flow.ask_identify)
        return
    found = identify_caller(step.uow, step.fd.policy, code, step.caller, at=step.now)
    if found.status == "wait":  # too many wrong codes for this code or number, across calls
        step.hang_up("identify_wait", url=step.fd.policy.help_center_url)
        step.end("refuse", "identification_throttled")
        return
    contract = found.contract
    if contract is None:
        wrong = int(step.state.get("wrong_codes", 0)) + 1
        step.state["wrong_codes"] = wrong
        step.say("identify_wrong")
        if wrong >= 3:
            step.hang_up("identify_failed", url=step.fd.policy.help_center_url)
            step.end("refuse", "unknown_contract")
        else:
            flow.ask_identify(step)
        return
    _identified(step, contract.code)
    flow.proceed(step)


def role(step: Step) -> None:
    keys = step.choice("role")
    if keys not in ("1", "2"):
        flow.ask_again(step, "role", flow.ask_role)
        return
    step.state["role"] = "admin" if keys == "1" else "end_user"
    flow.route(step)


def menu(step: Step) -> None:
    keys = step.choice("menu")
    if keys == "1":
        flow.ask_priority(step)
    elif keys == "2":
        flow.ask_ticket(step)
    else:
        flow.ask_again(step, "menu", flow.ask_menu)


def priority(step: Step) -> None:
    """Office open: open the ticket, read it back, put the caller through to the desk."""
    keys = step.choice("priority") or ""
    if keys not in flow.PRIORITIES:
        flow.ask_again(step, "priority", flow.ask_priority)
        return
    intake = flow.submit(step, flow.PRIORITIES[keys])
    made, ticket = intake.decision, intake.ticket
    if ticket is None:
        flow.refuse(step, made)
        return
    step.say("ticket_opened", number=flow.spoken_digits(ticket.number or "", step.lang))
    flow.tell_deadline(step, ticket)
    step.end(made.outcome, made.reason)
    if made.open_now:
        _connect_desk(step)
    else:
        survey.offer(step, ticket.number or "", "callback")  # no desk now: ivr/survey.py


def _connect_desk(step: Step) -> None:
    queue, number = step.conf.desk_queue(step.theatre), step.conf.desk_number(step.theatre)
    if queue:
        step.say("connecting")
        desk_queue.enqueue(step, queue)  # position, hold music, callback offer: ivr/queue.py
        step.note(f"queued on {queue}")
    elif number:
        step.say("connecting")
        step.state["dial"] = {"kind": "desk", "next": 1}
        dial = step.response.dial(
            action=step.url("dial_status"), answer_on_bridge=True, timeout=step.conf.dial_timeout
        )
        dial.number(number)
        step.note(f"dialling the desk {number}")
    else:
        survey.offer(step, str(step.state.get("ticket", "")), "callback")


def ticket(step: Step) -> None:
    """Status and due time of a ticket of the caller's own contract only."""
    said = step.answer(speech.digits)
    if said is None and step.spoken:  # not digits, or said with a low confidence
        flow.ask_again(step, "ticket", flow.ask_ticket)
        return
    number = said or ""
    contract = step.contract()
    found = None
    if number and contract is not None:
        try:
            found = get_ticket(step.uow, number)
        except UnknownTicket:
            found = None
    if found is None or contract is None or found.contract_id != contract.id:
        flow.ask_again(step, "ticket", flow.ask_ticket, sorry="ticket_unknown")
        return
    status = step.prompts.text(step.lang, f"status_{found.status}")
    step.say("ticket_status", number=flow.spoken_digits(number, step.lang), status=status)
    if found.status != "closed":
        flow.tell_deadline(step, found)
    step.end("ticket_status", found.status)
    survey.offer(step, found.number or "")


def status(step: Step) -> None:
    """Twilio's status callback: the call's progress on its transcript (no TwiML needed)."""
    call_status = step.form.get("CallStatus", "")[:32] or "unknown"
    step.keep_state = True
    step.note(f"call status: {call_status}", kind="event", reason=call_status)
    if call_status in abandonment.FINAL_STATUSES:  # contained or abandoned, recorded once
        abandonment.call_ended(step)


def fallback(step: Step) -> None:
    """Twilio's fallback URL (the main flow failed): apology and help center, then goodbye."""
    step.keep_state = True
    if not step.state.get("theatre"):
        to = step.form.get("To", "")
        step.state["theatre"] = (
            step.fd.policy.theatre_for_phone(to) or step.fd.policy.default_theatre
        )
    error = step.form.get("ErrorCode", "")[:16]
    step.note(f"fallback after error {error or '?'}", kind="event", reason="fallback")
    step.hang_up("error", url=step.fd.policy.help_center_url)
    step.end("error", "fallback")
