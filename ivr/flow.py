"""The phone tree: what to ask next, and what each answer leads to.

Every rule comes from the core: a case goes through the intake service
(:func:`core.services.intake.submit_case`), which decides, opens the ticket or records the
refusal, and writes the step's transcript lines so far. This module only maps outcomes and
reason codes to spoken messages and to the next question. The routing (after identification)
assesses the most urgent case, P1, so that the on-call service shows when it applies; the case
is then submitted with the priority the caller chose.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from zoneinfo import ZoneInfo

from core.decision import Decision
from core.hours import office_hours as core_office_hours
from core.hours import weekday_number
from core.model import Ticket
from core.services import Case, Intake, assess_case, submit_case
from ivr import speakable, speech
from ivr.step import Step

ASKS = 2  # a silent or invalid answer is asked again twice, then the call ends politely
PRIORITIES = {"1": "P1", "2": "P2", "3": "P3", "4": "P4"}
_REFUSALS = {
    "unknown_contract",
    "payment_overdue",
    "contract_not_started",
    "contract_expired",
    "end_of_support",
    "end_user_not_covered",
}


def spoken_digits(number: str, lang: str = "en") -> str:
    """A ticket number grouped for listening in ``lang`` ("0000127" -> "0 0 0, 0 1 2 7")."""
    return speakable.ticket_number(number, lang)


# questions ------------------------------------------------------------------------------------
# Every question but the PIN takes speech as well as keys (ivr/speech.py, docs/phone.md "Speech").
def ask_language(step: Step) -> None:
    languages = step.fd.policy.theatres[step.theatre].menu_languages
    names = ", ".join(step.fd.policy.languages[code].name for code in languages)
    gather = step.gather("language", hints=names, lang=languages[0])
    for key, code in enumerate(languages, start=1):
        step.say("language_option_speech", lang=code, into=gather, digit=key)


def ask_identify(step: Step) -> None:
    gather = step.gather("identify", until_hash=True, timeout=10, hints=speech.hints("digits", ""))
    step.say("identify", into=gather)
    step.say("speech_digits", into=gather)


def confirm_code(step: Step, code: str) -> None:
    """Read a spoken customer code back (masked on the transcript): 1 or yes, 2 or no."""
    gather = step.gather("identify", hints=speech.hints("yes_no", step.lang))
    step.say("identify_confirm", into=gather, secret=("code",), code=speech.spaced(code))


def ask_role(step: Step) -> None:
    gather = step.gather("role", hints=speech.hints("role", step.lang))
    step.say("role", into=gather)
    step.say("speech_role", into=gather)


def ask_menu(step: Step) -> None:
    gather = step.gather("menu", hints=speech.hints("menu", step.lang))
    step.say("menu", into=gather)
    step.say("speech_menu", into=gather)


def ask_priority(step: Step, endpoint: str = "priority") -> None:
    gather = step.gather(endpoint, hints=speech.hints("priority", step.lang))
    step.say("priority", into=gather)
    step.say("speech_priority", into=gather)


def ask_ticket(step: Step) -> None:
    gather = step.gather("ticket", until_hash=True, timeout=10, hints=speech.hints("digits", ""))
    step.say("ticket_prompt", into=gather)
    step.say("speech_digits", into=gather)


def ask_pin(step: Step, again: bool = False) -> None:
    gather = step.gather("pin", until_hash=True, timeout=10)
    step.say("pin_try_again" if again else "pin_prompt", lang=step.on_call_lang, into=gather)


def ask_again(step: Step, name: str, ask: Callable[[Step], None], sorry: str = "") -> None:
    """Ask ``name`` again after a silent or invalid answer, at most :data:`ASKS` times."""
    tries = dict(step.state.get("tries", {}))
    tries[name] = tries.get(name, 0) + 1
    step.state["tries"] = tries
    if tries[name] > ASKS:
        step.hang_up("no_input", url=step.fd.policy.help_center_url)
        step.end("no_input", name)
        return
    step.say(sorry or "not_understood")
    ask(step)


# flow -----------------------------------------------------------------------------------------
def proceed(step: Step) -> None:
    """Ask for what is still unknown (language, contract, role), then route by the decision."""
    languages = step.fd.policy.theatres[step.theatre].menu_languages
    if not step.state.get("lang"):
        if len(languages) > 1:
            ask_language(step)
            return
        step.state["lang"] = languages[0]
    if not step.state.get("contract"):
        ask_identify(step)
    elif not step.state.get("role"):
        ask_role(step)
    else:
        route(step)


def case(step: Step, priority: str, *, pin_verified: bool = False) -> Case:
    """The caller's request as the core reads it (one ticket per call)."""
    role = str(step.state.get("role") or "admin")
    return Case(
        channel="phone",
        conversation_id=step.sid,
        at=step.now,
        contract=step.contract(),
        priority=priority,
        language=step.lang,
        requester=role,
        summary=f"Phone call from {step.caller} ({role}): {priority}",
        pin_verified=pin_verified,
        idempotency_key=f"phone:{step.sid}",
    )


def decision(step: Step, priority: str) -> Decision:
    """Where a request of ``priority`` would go (routing: nothing is opened)."""
    made = assess_case(step.fd.book, case(step, priority))
    step.note(f"decision for {priority}: {made.outcome}", kind="decision", reason=made.reason)
    return made


def submit(step: Step, priority: str, *, pin_verified: bool = False) -> Intake:
    """Submit the caller's case: the core decides and opens the ticket (or records why not),
    with the step's transcript lines so far."""
    intake = submit_case(
        step.uow, step.fd.book, case(step, priority, pin_verified=pin_verified), lines=step.lines
    )
    step.lines.clear()  # written with the case
    if intake.ticket is not None:
        step.state["ticket"] = intake.ticket.number
    return intake


def route(step: Step) -> None:
    made = decision(step, "P1")
    if made.outcome == "refuse" and made.reason == "on_call_pin_required":
        tell_on_call_language(step)
        ask_pin(step)
    elif made.outcome in ("refuse", "redirect"):
        refuse(step, made)
    elif made.open_now:
        ask_menu(step)
    else:
        closed(step, made)


def refuse(step: Step, made: Decision) -> None:
    reason = made.reason if made.reason in _REFUSALS else "other"
    step.say(f"refuse_{reason}")
    if reason != "end_user_not_covered":  # that message already says goodbye
        step.say("help_center", url=step.fd.policy.help_center_url)
        step.say("goodbye")
    step.response.hangup()
    step.end(made.outcome, made.reason)


def closed(step: Step, made: Decision) -> None:
    """Office closed: hours, next opening, help center, then the voicemail's priority."""
    step.say("closed", hours=office_hours(step))
    if made.next_opening is not None:
        step.say("next_opening", when=local_when(step, made.next_opening))
    step.say("help_center", url=step.fd.policy.help_center_url)
    step.say("voicemail")
    ask_priority(step, "voicemail")


def office_hours(step: Step) -> str:
    """The contract's office hours in words, with the reduced-hours days when it has them."""
    contract = step.contract()
    assert contract is not None
    facts = core_office_hours(step.fd.book, contract, step.now)
    lang, prompts = step.lang, step.prompts
    days = prompts.text(
        lang,
        "hours_days",
        first=prompts.weekday(lang, weekday_number(facts.working_days[0])),
        last=prompts.weekday(lang, weekday_number(facts.working_days[-1])),
    )
    hours, city = facts.hours, prompts.city(lang, facts.zone)

    def clock(value: time) -> str:
        return speakable.clock(prompts, lang, value)

    text = prompts.text(
        lang, "hours", days=days, open=clock(hours.open), close=clock(hours.close), city=city
    )
    if facts.reduced_days:
        reduced = ", ".join(prompts.weekday(lang, weekday_number(d)) for d in facts.reduced_days)
        text += " " + prompts.text(
            lang,
            "hours_extended",
            days=reduced,
            open=clock(facts.reduced_hours.open),
            close=clock(facts.reduced_hours.close),
        )
    return text


def local_when(step: Step, instant: datetime, lang: str | None = None) -> str:
    """An instant in words, in the local time of the contract's theatre."""
    contract = step.contract()
    theatre = contract.theatre if contract else step.theatre
    zone = step.fd.policy.theatres[theatre].timezone
    local = instant.astimezone(ZoneInfo(zone))
    return speakable.when(step.prompts, lang or step.lang, local, zone)


def tell_on_call_language(step: Step) -> None:
    """Before the on-call service's first (English) prompt, say in the caller's language that
    the service speaks English only (policy-notes "Theatres")."""
    if step.lang != step.on_call_lang:
        step.say("on_call_english_only")


def tell_deadline(step: Step, ticket: Ticket, lang: str | None = None) -> None:
    if ticket.guaranteed and ticket.due_at is not None:
        step.say("due", lang=lang, when=local_when(step, ticket.due_at, lang))
    else:
        step.say("no_guarantee", lang=lang)
