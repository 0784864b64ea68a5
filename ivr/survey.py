"""The two-question survey after the ticket is read (docs/phone.md "Survey"): "did we
understand your request" (1 or yes, 2 or no), then a score 1 to 5, keys or speech, in the
call's language.

It is offered only where the call ends without a desk connection (the voicemail is recorded,
the office is closed or no desk is configured, a ticket's status was read), so that nobody is
kept from the desk, and only when the theatre of the ticket's contract opted in (policy
``survey: true``) and the ticket has no phone answer yet. Silence skips it politely; a
reply that is not understood is asked once more. The answer is stored by
:func:`core.services.surveys.record_survey` (once per ticket and channel).
"""

from __future__ import annotations

from core.services.surveys import record_survey, survey_due
from ivr import speech
from ivr.step import Step

ROUTES = (
    ("/survey/understood", "survey_understood"),
    ("/survey/score", "survey_score"),
)
SCORES = ("1", "2", "3", "4", "5")


def offer(step: Step, number: str, closing: str = "goodbye") -> None:
    """After ticket ``number`` was read: ``closing`` then the end of the call, or, when the
    survey is due, ``closing`` (unless it is the goodbye), the survey, then the goodbye."""
    if not number or survey_due(step.uow, step.fd.policy, "phone", number) is None:
        step.hang_up(closing)
        return
    if closing != "goodbye":
        step.say(closing)
    step.state["survey"] = {"ticket": number}
    ask_understood(step)


def ask_understood(step: Step) -> None:
    gather = step.gather("survey_understood", hints=speech.hints("yes_no", step.lang))
    step.say("survey_understood", into=gather)


def ask_score(step: Step) -> None:
    gather = step.gather("survey_score", hints=", ".join(SCORES))
    step.say("survey_score", into=gather)


def _score(said: str) -> str | None:
    """A score said aloud ("four", "quattro", "4"), else None."""
    found = speech.digits(said)
    return found if found in SCORES else None


def _again(step: Step, survey: dict[str, object], name: str) -> bool:
    """Whether question ``name`` may be asked once more after an answer not understood."""
    if survey.get(f"again_{name}"):
        return False
    survey[f"again_{name}"] = True
    step.state["survey"] = survey
    step.say("not_understood")
    return True


def _close(step: Step) -> None:
    step.state.pop("survey", None)
    step.hang_up()


def survey_understood(step: Step) -> None:
    survey = dict(step.state.get("survey") or {})
    keys = step.choice("yes_no")
    if not survey or keys == "":  # no survey in this call, or silence: no more questions
        step.note("survey skipped", reason="survey_skipped")
        _close(step)
        return
    if keys not in ("1", "2"):
        if _again(step, survey, "understood"):
            ask_understood(step)
        else:
            _close(step)
        return
    survey["understood"] = keys == "1"
    step.state["survey"] = survey
    ask_score(step)


def survey_score(step: Step) -> None:
    survey = dict(step.state.get("survey") or {})
    if "understood" not in survey:
        _close(step)
        return
    keys = step.answer(_score)
    if keys not in SCORES and keys != "" and _again(step, survey, "score"):
        ask_score(step)
        return
    score = int(keys) if keys and keys in SCORES else None  # silence: the first answer alone
    stored = record_survey(
        step.uow,
        step.fd.policy,
        channel="phone",
        ticket_number=str(survey["ticket"]),
        language=step.lang,
        understood=bool(survey["understood"]),
        score=score,
        at=step.now,
    )
    understood = "yes" if survey["understood"] else "no"
    step.note(f"survey: understood {understood}, score {score or '-'}", reason="survey_answered")
    if stored:
        step.say("survey_thanks")
    _close(step)
