"""POST /api/alerts and the on-call acknowledgement, through the app, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from flask import Flask
from flask.testing import FlaskClient
from twilio.http import HttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from core.bootstrap import Frontdoor
from core.notify import Router
from core.services import ContactSpec, get_ticket
from core.worker import OutboxWorker, Report
from web import create_app
from web.alerts.notifier import caller_from_settings, on_call_voice

from .helpers import add_contract, count, iso

TOKEN = "s3cret-alerts-token"
AUTH_TOKEN = "twilio-auth-token"
BASE_URL = "https://frontdoor.example.com"
SATURDAY_23 = iso("2026-11-21T23:00:00+01:00")
NIGHT_ADMIN = ContactSpec(name="Night Admin", phone="+390584000009", available_24h=True)


class RecordingHttpClient(HttpClient):  # type: ignore[misc]
    """Twilio's HTTP client replaced: records each request, answers like the Calls API."""

    def __init__(self) -> None:
        super().__init__(logging.getLogger("twilio.http_client"), is_async=False)
        self.requests: list[dict[str, Any]] = []

    def request(self, method: str, uri: str, **kwargs: Any) -> TwilioResponse:
        self.requests.append({"method": method, "uri": uri, **kwargs})
        sid = f"CA{len(self.requests):032d}"
        return TwilioResponse(201, json.dumps({"sid": sid, "status": "queued"}))


def app_for(fd: Frontdoor, **config: Any) -> Flask:
    fields: dict[str, Any] = dict(
        alerts_token=TOKEN,
        twilio_account_sid="AC" + "0" * 32,
        twilio_auth_token=AUTH_TOKEN,
        public_base_url=BASE_URL,
        on_call_caller_id="+390584943232",
    )
    fields.update(config.pop("settings", {}))
    on_call = ("+390500000001", "+390500000002")
    ivr = replace(fd.settings.ivr, on_call_numbers=fields.pop("on_call_numbers", on_call))
    settings = replace(fd.settings, ivr=ivr, **fields)
    wired = replace(fd, settings=settings)
    return create_app({"TESTING": True, "FRONTDOOR_CLOCK": lambda: SATURDAY_23, **config}, wired)


def place_calls(app: Flask, recorder: RecordingHttpClient, at: datetime = SATURDAY_23) -> Report:
    """One round of the outbox worker, which places the queued on-call calls through Twilio."""
    fd: Frontdoor = app.extensions["frontdoor"]
    caller = caller_from_settings(fd.settings, on_call_voice(fd.policy), recorder)
    assert caller is not None
    worker = OutboxWorker(
        fd.uow,
        fd.book,
        Router({"oncall": caller}),
        fd.settings.outbox,
        base_url=BASE_URL,
        clock=lambda: at,
    )
    return worker.run_once()


def webhook(*alerts: dict[str, Any], status: str = "firing") -> dict[str, Any]:
    return {
        "version": "4",
        "groupKey": "{}:{}",
        "status": status,
        "receiver": "frontdoor",
        "alerts": list(alerts),
    }


def alert(code: str = "2001", fp: str = "f1", **changes: Any) -> dict[str, Any]:
    labels = {"alertname": "DiskFull", "severity": "high", "contract": code}
    body = {
        "status": "firing",
        "labels": labels,
        "annotations": {"summary": "Disk almost full"},
        "startsAt": "2026-11-21T21:55:00.123456789Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus/graph",
        "fingerprint": fp,
    }
    body.update(changes)
    return body


def post(client: FlaskClient, body: Any, token: str | None = TOKEN, **kw: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post(
        "/api/alerts", data=data, headers=headers, content_type="application/json", **kw
    )


@pytest.fixture
def client(frontdoor: Frontdoor) -> FlaskClient:
    add_contract(frontdoor, "2001")
    return app_for(frontdoor).test_client()


@pytest.mark.parametrize("token", [None, "", "wrong", TOKEN + "x", TOKEN.upper()])
def test_a_missing_or_wrong_token_is_401_and_writes_nothing(
    frontdoor: Frontdoor, client: FlaskClient, token: str | None
) -> None:
    """Without the bearer token nothing is recorded."""
    response = post(client, webhook(alert()), token=token)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert count(frontdoor, "alerts") == count(frontdoor, "tickets") == 0


def test_without_a_configured_token_the_endpoint_is_closed(frontdoor: Frontdoor) -> None:
    """No FRONTDOOR_ALERTS_TOKEN: 503, never open to anyone."""
    client = app_for(frontdoor, settings={"alerts_token": None}).test_client()
    assert post(client, webhook(alert()), token="").status_code == 503


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "malformed JSON"),
        (b"\xff\xfe", "malformed JSON"),
        ([], "JSON object"),
        ({"version": "3", "status": "firing", "alerts": []}, "version"),
        (webhook(alert(status="pending")), "alerts.0.status"),
        (webhook(alert(labels={"contract": 2001})), "alerts.0.labels.contract"),
        (webhook(alert(startsAt="yesterday")), "alerts.0.startsAt"),
        (webhook(alert(fingerprint="")), "alerts.0.fingerprint"),
        (webhook({k: v for k, v in alert().items() if k != "endsAt"}), "alerts.0.endsAt"),
        (webhook({k: v for k, v in alert().items() if k != "annotations"}), "annotations"),
    ],
)
def test_malformed_bodies_get_a_clear_400_and_write_nothing(
    frontdoor: Frontdoor, client: FlaskClient, body: Any, message: str
) -> None:
    """Bad JSON or a body that is not an Alertmanager v4 webhook: 400 naming the problem."""
    response = post(client, body)
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert count(frontdoor, "alerts") == 0


def test_a_body_over_the_limit_is_413(frontdoor: Frontdoor) -> None:
    """The body limit holds before any parsing."""
    client = app_for(frontdoor, settings={"alerts_max_bytes": 2000}).test_client()
    big = webhook(*(alert(fp=f"f{i}") for i in range(20)))
    assert post(client, big).status_code == 413
    assert post(client, webhook(alert())).status_code == 200


def test_the_answer_lists_each_alert_with_what_it_did(
    frontdoor: Frontdoor, client: FlaskClient
) -> None:
    """Accepted and ignored alerts, each with its reason and ticket."""
    body = webhook(alert(fp="a"), alert("9999", fp="b"), alert(fp="a"))
    response = post(client, body)
    assert response.status_code == 200
    shown = response.get_json()
    assert [(a["fingerprint"], a["action"], a["reason"]) for a in shown["alerts"]] == [
        ("a", "opened", "closed"),
        ("b", "ignored", "unknown_contract"),
        ("a", "repeat", "closed"),
    ]
    assert shown["accepted"] == 2
    assert count(frontdoor, "tickets") == 1
    assert count(frontdoor, "alerts") == 2


def test_the_contract_label_name_is_configurable(frontdoor: Frontdoor) -> None:
    """FRONTDOOR_ALERTS_CONTRACT_LABEL names the label carrying the contract code."""
    add_contract(frontdoor, "2001")
    client = app_for(frontdoor, settings={"alerts_contract_label": "customer_id"}).test_client()
    labels = {"alertname": "X", "severity": "high", "customer_id": "2001"}
    shown = post(client, webhook(alert(labels=labels))).get_json()
    assert shown["alerts"][0]["action"] == "opened"


def test_a_failing_alert_answers_500_and_keeps_the_others(
    frontdoor: Frontdoor, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each alert in its own transaction: the one that fails leaves nothing, retry is safe."""
    from core.services import alerts as service

    real = service._open

    def fail_on_b(uow: Any, book: Any, notice: Any, at: datetime, numbers: Any) -> Any:
        if notice.fingerprint == "b":
            uow.alerts.add(service._alert(notice, None, service.Verdict("ignored", "x"), at))
            raise RuntimeError("disk on fire")
        return real(uow, book, notice, at, numbers)

    monkeypatch.setattr(service, "_open", fail_on_b)
    response = post(client, webhook(alert(fp="a"), alert(fp="b"), alert(fp="c")))
    assert response.status_code == 500
    assert [a["accepted"] for a in response.get_json()["alerts"]] == [True, False, True]
    assert count(frontdoor, "alerts") == 2
    assert count(frontdoor, "tickets") == 2


def test_platinum_critical_at_night_calls_on_call_through_twilio(frontdoor: Frontdoor) -> None:
    """calls.create to each on-call number: a POST to Calls.json with To, From and Twiml."""
    add_contract(frontdoor, "2002", plan="platinum", contacts=(NIGHT_ADMIN,))
    recorder = RecordingHttpClient()
    app = app_for(frontdoor)
    client = app.test_client()
    labels = {"alertname": "Down", "severity": "critical", "contract": "2002", "product": "UCX"}
    summary = {"summary": "Call Recording service down"}
    shown = post(client, webhook(alert("2002", labels=labels, annotations=summary))).get_json()
    [result] = shown["alerts"]
    assert result["outcome"] == "on_call"
    assert [c["to"] for c in result["calls"]] == ["+390500000001", "+390500000002"]
    assert recorder.requests == []  # queued in the outbox with the ticket, not called inline
    assert len(place_calls(app, recorder).sent) == 2
    first = recorder.requests[0]
    assert first["method"] == "POST"
    assert first["uri"].endswith(f"/Accounts/{'AC' + '0' * 32}/Calls.json")
    assert (first["data"]["To"], first["data"]["From"]) == ("+390500000001", "+390584943232")
    said = " ".join(e.text or "" for e in ET.fromstring(first["data"]["Twiml"]).iter("Say"))
    assert "Customer: Customer 2002" in said and "Product: UCX" in said
    assert "Call Recording service down" in said and "Press 1 to acknowledge" in said
    gather = ET.fromstring(first["data"]["Twiml"]).find("Gather")
    assert gather is not None
    assert gather.get("action") == f"{BASE_URL}/api/alerts/oncall/ack?ticket={result['ticket']}"
    ticket = get_ticket(frontdoor.uow(), result["ticket"])
    assert ticket.notes.count("on-call engineer called") == 2
    assert (
        post(client, webhook(alert("2002", labels=labels))).get_json()["alerts"][0]["action"]
        == "repeat"
    )
    assert place_calls(app, recorder).claimed == 0
    assert len(recorder.requests) == 2


def test_gold_critical_at_night_makes_no_call(frontdoor: Frontdoor) -> None:
    """Gold waits for business hours: a ticket, Twilio never asked."""
    add_contract(frontdoor, "2003", plan="gold", contacts=(NIGHT_ADMIN,))
    recorder = RecordingHttpClient()
    app = app_for(frontdoor)
    client = app.test_client()
    labels = {"alertname": "Down", "severity": "critical", "contract": "2003"}
    [result] = post(client, webhook(alert("2003", labels=labels))).get_json()["alerts"]
    assert (result["action"], result["outcome"], result["calls"]) == ("opened", "ticket", [])
    place_calls(app, recorder)
    assert recorder.requests == []


def signed(url: str, form: Any, token: str = AUTH_TOKEN) -> dict[str, str]:
    return {"X-Twilio-Signature": RequestValidator(token).compute_signature(url, form)}


def paged(frontdoor: Frontdoor, app: Flask, recorder: RecordingHttpClient) -> Any:
    """A Platinum critical alert at night: the ticket and the Gather action of the call."""
    add_contract(frontdoor, "2002", plan="platinum", contacts=(NIGHT_ADMIN,))
    labels = {"alertname": "Down", "severity": "critical", "contract": "2002"}
    [result] = post(app.test_client(), webhook(alert("2002", labels=labels))).get_json()["alerts"]
    place_calls(app, recorder)
    twiml = ET.fromstring(recorder.requests[0]["data"]["Twiml"])
    action = twiml.find("Gather").get("action")  # type: ignore[union-attr]
    return result, action, urlparse(action).path + "?" + urlparse(action).query


def test_pressing_1_acknowledges_with_a_valid_signature_only(frontdoor: Frontdoor) -> None:
    """The Gather action is signature-checked; a forged request changes nothing."""
    recorder = RecordingHttpClient()
    app = app_for(frontdoor)
    client = app.test_client()
    result, action, path = paged(frontdoor, app, recorder)
    form = {"CallSid": "CA1", "Digits": "1", "To": "+390500000001"}
    forged = client.post(path, data=form, headers=signed(action, form, token="not-the-token"))
    assert forged.status_code == 403
    assert get_ticket(frontdoor.uow(), result["ticket"]).taken_at is None
    other = client.post(
        path, data={**form, "Digits": "2"}, headers=signed(action, {**form, "Digits": "2"})
    )
    assert ET.fromstring(other.data).find("Gather") is not None
    ok = client.post(path, data=form, headers=signed(action, form))
    assert ok.status_code == 200
    assert "Acknowledged" in ok.get_data(as_text=True)
    ticket = get_ticket(frontdoor.uow(), result["ticket"])
    assert (ticket.status, ticket.taken_by) == ("taken", "on-call +390500000001")
    assert parse_qs(urlparse(action).query)["ticket"] == [ticket.number]


def test_a_repeated_form_field_is_signed_with_all_of_its_values(frontdoor: Frontdoor) -> None:
    """Twilio signs every value of a repeated field: the acknowledgement signed with all of
    them is recorded; signed with the first one only, 403 and nothing changes."""
    recorder = RecordingHttpClient()
    app = app_for(frontdoor)
    client = app.test_client()
    result, action, path = paged(frontdoor, app, recorder)
    form = MultiDict([("CallSid", "CA1"), ("Digits", "1"), ("To", "+390500000001")])
    form.add("Digits", "2")
    first_only = client.post(path, data=form, headers=signed(action, form.to_dict()))
    assert first_only.status_code == 403
    assert get_ticket(frontdoor.uow(), result["ticket"]).taken_at is None
    ok = client.post(path, data=form, headers=signed(action, form))
    assert ok.status_code == 200
    assert "Acknowledged" in ok.get_data(as_text=True)


def test_staff_see_what_each_alert_did_in_its_transcript(
    frontdoor: Frontdoor, client: FlaskClient
) -> None:
    """Every alert has a proactive transcript whose turns say what happened and why."""
    post(client, webhook(alert(fp="a"), alert("9999", fp="b")))
    with frontdoor.uow() as uow:
        started = "2026-11-21T21:55:00.123456+00:00"
        opened = uow.transcripts.get("proactive", f"a@{started}")
        ignored = uow.transcripts.get("proactive", f"b@{started}")
        assert opened is not None and ignored is not None
        assert [t.kind for t in opened.turns] == ["event", "decision", "ticket"]
        assert (ignored.outcome, ignored.reason) == ("ignored", "unknown_contract")
