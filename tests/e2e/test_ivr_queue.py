"""The desk queue over signed webhooks: the position and the expected wait as the queue moves,
in the caller's language; after the configured wait, a callback or a message; the callback
placed by the outbox worker at the next office hour through Twilio's REST API (its HTTP client
replaced by a recorder), bridged to the desk."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

import pytest
from integration.mailbox import Clock as WorkerClock
from integration.mailbox import make_worker

from core.bootstrap import Frontdoor
from core.model import OutboxEvent
from core.notify import Router
from ivr import IvrSettings
from ivr.flow import spoken_digits
from ivr.prompts import load_prompts
from outbound import TwilioCallback
from tests.unit.test_outbound_twilio import FakeTwilioHttp, client

from .conftest import DESK, NUMBERS, Ivr
from .test_ivr_office_hours import stored_tickets
from .twilio_client import Call, Twiml

PROMPTS = load_prompts()
QUEUE = "support-eu"
MUSIC = "https://media.example.com/hold.mp3"
NOTIFY_FROM = "+15005550006"


def queue_ivr(ivr_factory: Any, **settings: Any) -> Ivr:
    conf = IvrSettings(desk_queues={"europe": QUEUE}, desk_numbers={"europe": DESK}, **settings)
    return ivr_factory(conf)


def enqueued(ivr: Ivr, code: str) -> tuple[Call, str, str]:
    """A call of ``code``'s admin that opened a P2 ticket and waits in the queue: the call, the
    wait URL and the action URL of its ``<Enqueue>``."""
    call = ivr.twilio.call(NUMBERS["europe"], ivr.phone_of(code))
    call.start()
    call.press("1")
    answer = call.press("2")
    element = answer.root.find("Enqueue")
    assert element is not None and element.text == QUEUE
    assert element.get("waitUrlMethod") == "POST" and element.get("method") == "POST"
    wait, action = element.get("waitUrl"), element.get("action")
    assert wait and wait.startswith("/ivr/queue/wait") and action
    assert action.startswith("/ivr/queue/left")
    return call, wait, action


def waiting(call: Call, wait: str, position: int, waited: int, average: int = 240) -> Twiml:
    return call.post(
        wait,
        QueuePosition=str(position),
        QueueTime=str(waited),
        AvgQueueTime=str(average),
        CurrentQueueSize=str(position + 1),
        QueueSid="QU" + "0" * 32,
        CallStatus="in-progress",
    )


def events_of(fd: Frontdoor, kind: str) -> list[OutboxEvent]:
    ticket = stored_tickets(fd)[-1]
    with fd.uow() as uow:
        return [e for e in uow.outbox.for_ticket(ticket.id) if e.kind == kind]


@pytest.mark.parametrize(("code", "lang"), [("1013", "en"), ("1012", "it"), ("1010", "de")])
def test_the_position_announcement_changes_as_the_queue_moves(
    ivr_factory: Any, code: str, lang: str
) -> None:
    """3, 2, then "next", with the expected wait, in the caller's language and voice."""
    ivr = queue_ivr(ivr_factory)
    call, wait, _ = enqueued(ivr, code)
    heard = [waiting(call, wait, position, 10 + 20 * position) for position in (3, 2, 1)]
    expected = [
        PROMPTS.text(lang, "queue_position", position=3),
        PROMPTS.text(lang, "queue_position", position=2),
        PROMPTS.text(lang, "queue_next"),
    ]
    assert [answer.said[0] for answer in heard] == expected
    assert all(answer.said[1] == PROMPTS.text(lang, "queue_wait", minutes=4) for answer in heard)
    assert all(answer.gather is None for answer in heard)  # not waited long enough yet
    assert all(answer.root.find("Pause") is not None for answer in heard)  # no music set
    assert len({answer.voices[0] for answer in heard}) == 1


def test_after_the_configured_wait_the_caller_is_offered_a_callback_or_a_message(
    ivr_factory: Any,
) -> None:
    """Before FRONTDOOR_IVR_CALLBACK_OFFER_AFTER no offer; from then on a <Gather> offers it,
    then the configured hold music plays."""
    ivr = queue_ivr(ivr_factory, callback_offer_after=90, hold_music_url=MUSIC)
    call, wait, _ = enqueued(ivr, "1012")
    early = waiting(call, wait, 2, 89, average=50)
    assert early.gather is None
    assert early.said[1] == PROMPTS.text("it", "queue_wait_one")
    later = waiting(call, wait, 2, 90)
    assert later.gather_action and later.gather_action.startswith("/ivr/queue/choice")
    assert later.gather is not None and later.gather.get("numDigits") == "1"
    assert PROMPTS.text("it", "queue_offer") in later.said
    play = later.root.find("Play")
    assert play is not None and play.text == MUSIC


def test_staying_on_the_line_keeps_the_caller_in_the_queue(ivr_factory: Any) -> None:
    """Silence or another key: no <Leave>, back to the music; nothing is written."""
    ivr = queue_ivr(ivr_factory)
    call, wait, _ = enqueued(ivr, "1013")
    waiting(call, wait, 1, 130)
    for answer in (call.silence(), (waiting(call, wait, 1, 160), call.press("7"))[1]):
        assert answer.root.find("Leave") is None
        assert answer.root.find("Pause") is not None
    assert events_of(ivr.fd, "callback") == []


def test_2_leaves_the_queue_for_a_message_on_the_ticket(ivr_factory: Any) -> None:
    """<Leave>, then the <Enqueue> action records a message that goes on the ticket."""
    ivr = queue_ivr(ivr_factory)
    call, wait, action = enqueued(ivr, "1013")
    waiting(call, wait, 2, 150)
    assert call.press("2").root.find("Leave") is not None
    answer = call.post(action, QueueResult="leave", QueueTime="155", CallStatus="in-progress")
    assert answer.said == [PROMPTS.text("en", "record")]
    assert answer.record is not None
    call.records("https://api.twilio.com/rec/RE7")
    assert "RE7" in stored_tickets(ivr.fd)[-1].notes


def test_1_in_office_hours_asks_a_callback_due_now(ivr_factory: Any) -> None:
    """Office open: the callback is due at once, noted on the ticket, confirmed, goodbye."""
    ivr = queue_ivr(ivr_factory)
    call, wait, action = enqueued(ivr, "1013")
    waiting(call, wait, 3, 200)
    assert call.press("1").root.find("Leave") is not None
    [event] = events_of(ivr.fd, "callback")
    assert event.due_at == ivr.clock.at
    assert event.payload["to"] == ivr.phone_of("1013")
    answer = call.post(action, QueueResult="leave", CallStatus="in-progress")
    assert answer.said == [PROMPTS.text("en", "queue_callback_now")]
    assert answer.hangs_up
    assert "callback requested" in stored_tickets(ivr.fd)[-1].notes


def test_a_bridged_call_ends_quietly_and_a_failed_queue_takes_a_message(ivr_factory: Any) -> None:
    """The <Enqueue> action after the desk answered: hang up; after a queue error: a message."""
    ivr = queue_ivr(ivr_factory)
    call, _, action = enqueued(ivr, "1013")
    done = call.post(action, QueueResult="bridged", CallStatus="in-progress")
    assert done.hangs_up and done.said == []
    other, _, action = enqueued(ivr, "1014")
    failed = other.post(action, QueueResult="queue-full", CallStatus="in-progress")
    assert failed.record is not None


def test_a_callback_asked_after_closing_is_placed_once_at_the_next_opening(
    ivr_factory: Any,
) -> None:
    """Queued at 17:50 in Rome, asks at 18:02 (closed): nothing is placed during the night;
    at Tuesday 09:00 exactly one call, from the theatre's number to the caller, whose TwiML
    says the sentence in the caller's language and dials the desk."""
    ivr = queue_ivr(ivr_factory)
    ivr.clock.set("2026-11-23T17:50:00+01:00")
    call, wait, action = enqueued(ivr, "1013")
    ivr.clock.set("2026-11-23T18:02:00+01:00")
    waiting(call, wait, 4, 720)
    call.press("1")
    answer = call.post(action, QueueResult="leave", CallStatus="in-progress")
    opening = datetime.fromisoformat("2026-11-24T09:00:00+01:00")
    before, after = PROMPTS.text("en", "queue_callback_later", when="\0").split("\0")
    [said] = answer.said
    assert said.startswith(before) and said.endswith(after) and "24" in said
    [event] = events_of(ivr.fd, "callback")
    assert event.due_at == opening

    http = FakeTwilioHttp(body={"sid": "CA" + "9" * 32})
    router = Router({"callback": TwilioCallback(client(http), NOTIFY_FROM)})
    clock = WorkerClock(datetime.fromisoformat("2026-11-23T18:05:00+01:00"))
    worker = make_worker(ivr.fd, router, clock)
    for at in (
        "2026-11-23T18:05:00+01:00",
        "2026-11-24T03:00:00+01:00",
        "2026-11-24T08:59:59+01:00",
    ):
        clock.now = datetime.fromisoformat(at)
        worker.run_once()
        assert http.requests == [], at
    for at in (
        "2026-11-24T09:00:00+01:00",
        "2026-11-24T09:00:30+01:00",
        "2026-11-24T11:00:00+01:00",
    ):
        clock.now = datetime.fromisoformat(at)
        worker.run_once()
    [request] = http.requests
    assert request["method"] == "POST" and request["uri"].endswith("/Calls.json")
    data = request["data"]
    assert (data["To"], data["From"]) == (ivr.phone_of("1013"), NUMBERS["europe"])
    twiml = ET.fromstring(data["Twiml"])
    number = spoken_digits(stored_tickets(ivr.fd)[-1].number)  # as the IVR reads it
    assert [s.text for s in twiml.iter("Say")] == [
        PROMPTS.text("en", "callback_bridge", number=number)
    ]
    assert [d.text for d in twiml.iter("Dial")] == [DESK]
    [event] = events_of(ivr.fd, "callback")
    assert event.status == "sent" and event.attempts == 1
    assert "callback placed to " + ivr.phone_of("1013") in stored_tickets(ivr.fd)[-1].notes
