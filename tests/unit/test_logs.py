"""Structured logs: one format per process, correlation ids, secrets never written."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from core import logs
from core.calendar import CalendarBook
from core.logs import configure_logging, get_logger, mask_phones, secret_key
from core.model import Contract
from core.services import Case, submit_case
from core.settings import OutboxSettings
from core.settings.logs import OpsSettings
from core.testing import FakeNotifier, FakeUnitOfWork
from core.worker import OutboxWorker
from tests.log_lines import json_logs

FRIDAY_17 = datetime.fromisoformat("2026-11-20T17:00:00+01:00")


@pytest.fixture(autouse=True)
def _fresh_context() -> None:
    logs.clear()


def test_an_event_is_one_json_object_with_timestamp_level_event_logger_first() -> None:
    """timestamp (ISO, UTC), level, event and logger lead; the fields follow."""
    with json_logs() as out:
        get_logger("frontdoor.test").info("ivr.step", step="menu", seq=3)
    (line,) = out.getvalue().splitlines()
    event = json.loads(line)
    assert list(event)[:4] == ["timestamp", "level", "event", "logger"]
    assert event["timestamp"].endswith("Z") and "T" in event["timestamp"]
    assert (event["level"], event["event"], event["step"], event["seq"]) == (
        "info",
        "ivr.step",
        "menu",
        3,
    )


def test_a_standard_library_record_is_written_in_the_same_format() -> None:
    """gunicorn's, Sanic's and our older modules' records are JSON lines too, message as event."""
    with json_logs() as out:
        logging.getLogger("gunicorn.error").warning("worker %s booted", 7)
    (event,) = out.events()
    assert (event["event"], event["level"], event["logger"]) == (
        "worker 7 booted",
        "warning",
        "gunicorn.error",
    )


def test_bound_correlation_ids_are_on_every_line_until_cleared() -> None:
    """CallSid and ticket on both kinds of lines; cleared, they are gone."""
    with json_logs() as out:
        logs.bind(call_sid="CA42")
        logs.tag_ticket("1000018")
        get_logger("frontdoor.ivr").info("ivr.step")
        logging.getLogger("frontdoor.ivr").info("plain line")
        logs.clear()
        get_logger("frontdoor.ivr").info("next request")
    first, second, third = out.events()
    assert first["call_sid"] == second["call_sid"] == "CA42"
    assert first["ticket"] == second["ticket"] == "1000018"
    assert "call_sid" not in third and "ticket" not in third


def test_a_case_without_a_ticket_unbinds_the_previous_cases_ticket() -> None:
    """An alert batch: the second alert's refusal does not carry the first one's number."""
    logs.tag_ticket("1000018")
    logs.tag_ticket(None)
    with json_logs() as out:
        get_logger("frontdoor.alerts").info("intake.decided")
    assert "ticket" not in out.events()[0]


@pytest.mark.parametrize(
    "key",
    [
        "pin",
        "PIN",
        "digits",
        "Digits",
        "password",
        "auth_token",
        "TWILIO_AUTH_TOKEN",
        "Authorization",
        "X-Twilio-Signature",
        "client_secret",
        "customer_code",
        "code",
        "cookie",
    ],
)
def test_a_value_under_a_secret_key_is_never_written(key: str) -> None:
    """Whatever a caller passes under these keys, top level or nested, is replaced."""
    with json_logs() as out:
        get_logger("t").info("event", **{key: "4321-s3cr3t"}, headers={key: "4321-s3cr3t"})
    assert "4321" not in out.getvalue() and "s3cr3t" not in out.getvalue()
    (event,) = out.events()
    assert event[key] == event["headers"][key] == logs.REDACTED


@pytest.mark.parametrize("key", ["step", "status_code", "ticket", "outcome", "pin_verified"])
def test_keys_that_only_look_alike_or_hold_flags_are_kept(key: str) -> None:
    """status_code is not a code; a boolean under pin_verified says nothing secret."""
    value = True if key == "pin_verified" else "kept"
    assert not secret_key(key) or key == "pin_verified"
    with json_logs() as out:
        get_logger("t").info("event", **{key: value})
    assert out.events()[0][key] == value


def test_phone_numbers_are_masked_in_every_text_like_the_transcripts_mask_digits() -> None:
    """E.164 or spaced, in an event, a field or a standard library message."""
    assert mask_phones("from +447700900113 to +39 0584 943232") == (
        "from +•••••••••••• to +•• •••• ••••••"
    )
    with json_logs() as out:
        get_logger("t").info("call from +447700900113", caller="+447700900113")
        logging.getLogger("x").info("dialling %s", "+390511111111")
    assert "7700900113" not in out.getvalue() and "0511111111" not in out.getvalue()


def test_bearer_credentials_in_a_message_are_removed() -> None:
    """A header pasted into an error message keeps its scheme, loses the credential."""
    with json_logs() as out:
        logging.getLogger("x").warning("refused Authorization: Bearer abc.DEF-123")
    assert out.events()[0]["event"] == "refused Authorization: Bearer [redacted]"


def test_an_exception_is_one_line_of_json_with_its_traceback_as_a_field() -> None:
    with json_logs() as out:
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            logging.getLogger("x").exception("step failed")
    (event,) = out.events()
    assert "RuntimeError: boom" in event["exception"]


def test_records_below_the_level_are_not_written() -> None:
    with json_logs(level="WARNING") as out:
        get_logger("t").info("quiet")
        logging.getLogger("t").info("quiet too")
        get_logger("t").warning("loud")
    assert [e["event"] for e in out.events()] == ["loud"]


def test_text_format_writes_aligned_lines_with_the_same_redaction() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    before = list(root.handlers), root.level
    configure_logging(OpsSettings(log_format="text"), stream)
    try:
        get_logger("frontdoor.ivr").info("ivr.step", step="pin", digits="4321")
    finally:
        for handler in [h for h in root.handlers if h not in before[0]]:
            root.removeHandler(handler)
        root.setLevel(before[1])
    line = stream.getvalue()
    assert "ivr.step" in line and "step=pin" in line and "4321" not in line
    assert not line.startswith("{")


def test_configuring_twice_keeps_one_handler_of_ours_and_the_others() -> None:
    """A second call (a gunicorn worker after its master) replaces only its own handler."""
    root = logging.getLogger()
    theirs = len(root.handlers)
    with json_logs() as first:
        configure_logging(OpsSettings(log_format="json"), second := io.StringIO())
        get_logger("t").info("once")
        assert len(root.handlers) == theirs + 1
    assert first.getvalue() == "" and second.getvalue().count("once") == 1


def _outbox(
    book: CalendarBook, contract: Contract, notifier: FakeNotifier
) -> tuple[FakeUnitOfWork, OutboxWorker]:
    uow = FakeUnitOfWork()
    uow.contracts.add(contract)
    case = Case("phone", "CA1", FRIDAY_17, contract, "P2", "en", idempotency_key="k")
    submit_case(uow, book, case)
    worker = OutboxWorker(
        lambda: uow,
        book,
        notifier,
        OutboxSettings(digest_min=0),
        base_url="https://fd.example.com",
        clock=lambda: FRIDAY_17,
    )
    return uow, worker


def test_each_delivery_is_one_outbox_event_with_kind_channel_delivery_id_and_attempt(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """Sent: outbox.delivered per row; failing: outbox.failed with the reason, attempt 1."""
    for failing, name in ((None, "outbox.delivered"), ("421 try later", "outbox.failed")):
        notifier = FakeNotifier()
        notifier.failing = failing
        uow, worker = _outbox(book, contract(), notifier)
        with json_logs() as out:
            worker.run_once()
        found = out.events(name)
        rows = {e.delivery_id: e for e in uow.outbox.items}
        assert found and {e["delivery_id"] for e in found} <= set(rows)
        for event in found:
            row = rows[event["delivery_id"]]
            assert (event["kind"], event["attempt"], event["error"]) == (row.kind, 1, failing)
            assert event["channel"] == "email" and event["ticket"] == uow.tickets.items[0].number
        assert "@" not in out.getvalue()  # never the recipient's address


def test_an_intake_decision_is_one_event_with_the_ticket_and_no_customer_text(
    book: CalendarBook, contract: Callable[..., Contract]
) -> None:
    """intake.decided: channel, outcome, reason, priority, theatre, ticket; not the summary."""
    uow = FakeUnitOfWork()
    uow.contracts.add(acme := contract())
    case = Case(
        "chat",
        "conv-1",
        FRIDAY_17,
        acme,
        "P2",
        "en",
        summary="server down, my PIN is 9876",
        idempotency_key="chat:conv-1:1",
    )
    with json_logs() as out:
        intake = submit_case(uow, book, case)
    (event,) = out.events("intake.decided")
    assert intake.ticket is not None
    expected: dict[str, Any] = {
        "channel": "chat",
        "outcome": intake.decision.outcome,
        "reason": intake.decision.reason,
        "priority": "P2",
        "theatre": intake.decision.theatre,
        "ticket": intake.ticket.number,
    }
    assert {key: event[key] for key in expected} == expected
    assert "9876" not in out.getvalue() and "server down" not in out.getvalue()
    assert acme.code not in json.dumps({k: v for k, v in event.items() if k != "timestamp"})


def test_a_process_nobody_configured_still_never_records_a_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A script or a short command: the record itself is redacted before any handler sees it."""
    with caplog.at_level(logging.INFO):
        get_logger("frontdoor.ivr").warning("ivr.step", digits="4321", caller="+447700900113")
    assert "4321" not in caplog.text and "7700900113" not in caplog.text
    assert "ivr.step" in caplog.text


def test_a_basic_credential_goes_but_the_basic_plan_stays() -> None:
    """``Basic`` followed by base64 is a credential; "basic plan" is the support plan."""
    with json_logs() as out:
        logging.getLogger("x").warning("Authorization: Basic dXNlcjpwYXNzd29yZA== on a basic plan")
    assert out.events()[0]["event"] == "Authorization: Basic [redacted] on a basic plan"
