"""The desk queue: what a caller hears while waiting, and the callback or message they may ask for.

``<Enqueue>`` (:func:`enqueue`) names three webhooks: Twilio posts ``/ivr/queue/wait`` again and
again while the caller waits (with ``QueuePosition``, ``QueueTime``, ``AvgQueueTime``,
``CurrentQueueSize``), and :func:`wait` answers the position and the expected wait in the
call's language, then hold music (``FRONTDOOR_IVR_HOLD_MUSIC_URL``, else a pause). After
``FRONTDOOR_IVR_CALLBACK_OFFER_AFTER`` seconds in the queue the answer also offers "1: call me
back, 2: leave a message, or stay on the line" in a ``<Gather>`` whose action is
``/ivr/queue/choice`` (:func:`choice`): 1 writes the callback's outbox row in the step's
transaction (:func:`core.services.callbacks.request_callback`), 1 and 2 leave the queue
(``<Leave>``). Twilio then posts the ``<Enqueue>`` action, ``/ivr/queue/left``
(:func:`left`): the callback confirmed, or the voicemail recording on the ticket.
"""

from __future__ import annotations

from datetime import datetime

from core.phone import is_e164
from core.services import get_ticket
from core.services.callbacks import Callback, request_callback
from ivr import after_hours, flow
from ivr.step import Step

HOLD_PAUSE = 20  # seconds of silence between announcements when no hold music is configured
ROUTES = (
    ("/queue/wait", "queue_wait"),
    ("/queue/choice", "queue_choice"),
    ("/queue/left", "queue_left"),
)


def enqueue(step: Step, queue: str) -> None:
    """Put the caller in the desk's queue, with the wait and leave webhooks."""
    step.state["queue"] = {"name": queue}
    step.response.enqueue(
        queue,
        wait_url=step.url("queue_wait"),
        wait_url_method="POST",
        action=step.url("queue_left"),
        method="POST",
    )


def _number(step: Step, name: str) -> int | None:
    value = step.form.get(name, "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 7 else None


def queue_wait(step: Step) -> None:
    """One round of waiting: the position and expected wait, the offer once due, the music."""
    queue = dict(step.state.get("queue") or {})
    position = _number(step, "QueuePosition")
    average, waited = _number(step, "AvgQueueTime"), _number(step, "QueueTime") or 0
    if position is not None:
        step.say("queue_next" if position <= 1 else "queue_position", position=position)
    if average:
        minutes = max(1, round(average / 60))
        step.say("queue_wait_one" if minutes == 1 else "queue_wait", minutes=minutes)
    offer = waited >= step.conf.callback_offer_after
    if offer:
        step.say("queue_offer", into=step.gather("queue_choice"))
    _hold(step)
    changed = position != queue.get("position") or (offer and not queue.get("offered"))
    if changed:  # the transcript keeps what changed, not every round
        step.note(f"in the desk queue: position {position if position is not None else '?'}")
    else:
        step.lines.clear()
    queue.update(position=position, offered=bool(queue.get("offered") or offer))
    step.state["queue"] = queue


def _hold(step: Step) -> None:
    url = step.conf.hold_music_url
    if url:
        step.response.play(url)
    else:
        step.response.pause(length=HOLD_PAUSE)


def queue_choice(step: Step) -> None:
    """1: a callback at the next office hour; 2: a message; anything else: keep waiting."""
    keys = step.digits or ""
    step.heard(keys)
    if keys == "1" and _can_call_back(step):
        due = _request_callback(step)
        step.state["queue_choice"] = {"kind": "callback", "due": due.isoformat()}
        step.response.leave()
    elif keys == "2" and step.state.get("ticket"):
        step.state["queue_choice"] = {"kind": "message"}
        step.note("leaves the desk queue to record a message")
        step.response.leave()
    else:  # silence or another key: back to the music, the wait webhook comes again
        _hold(step)


def _can_call_back(step: Step) -> bool:
    """A ticket and a contract, a number to call back, and a desk to bridge to."""
    desk = step.conf.desk_number(step.theatre) or step.conf.desk_queue(step.theatre)
    ready = bool(step.state.get("ticket")) and step.contract() is not None
    return ready and bool(desk) and is_e164(step.caller)


def _request_callback(step: Step) -> datetime:
    """The callback's outbox row, in this step's transaction; when it is due."""
    contract = step.contract()
    assert contract is not None
    ticket = get_ticket(step.uow, str(step.state["ticket"]))
    theatre = step.fd.policy.theatres[contract.theatre]
    number = flow.spoken_digits(ticket.number or "")
    callback = Callback(
        to=step.caller,
        language=step.lang,
        text=step.prompts.text(step.lang, "callback_bridge", number=number),
        desk=step.conf.desk_number(contract.theatre),
        queue=step.conf.desk_queue(contract.theatre),
        caller_id=theatre.phone,
    )
    due = request_callback(step.uow, step.fd.book, ticket, contract, callback, step.now)
    step.note(f"callback requested to {step.caller}, due {due.isoformat()}", kind="ticket")
    return due


def queue_left(step: Step) -> None:
    """The ``<Enqueue>`` action: after a choice, the callback confirmed or the recording;
    after a bridged call or a hang-up, nothing more; a queue that failed, a message."""
    result = step.form.get("QueueResult", "")[:32]
    chosen = dict(step.state.pop("queue_choice", None) or {})
    step.note(f"left the desk queue: {result or '?'}")
    if result == "leave" and chosen.get("kind") == "callback":
        due = datetime.fromisoformat(str(chosen["due"]))
        if due <= step.now:
            step.say("queue_callback_now")
        else:
            step.say("queue_callback_later", when=flow.local_when(step, due))
        step.response.hangup()
    elif result == "leave" and chosen.get("kind") == "message":
        step.say("record")
        after_hours.record(step)
    elif result in ("queue-full", "error", "system-error"):
        after_hours.leave_message(step)
    else:
        step.response.hangup()
