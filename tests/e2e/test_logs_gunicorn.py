"""The web app under gunicorn with FRONTDOOR_LOG_FORMAT=json: every line the process writes,
gunicorn's own included, is one JSON object; a call's steps carry its CallSid."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from core.adapters.db import upgrade
from core.bootstrap import bootstrap
from core.demo import load_demo
from core.settings import load_settings
from phonesim import CallSimulator, HttpTransport, scripted
from phonesim.demo_calls import demo_calls

from .conftest import DEMO_TODAY, DESK, ON_CALL
from .gunicorn_server import Gunicorn
from .twilio_client import PUBLIC_BASE_URL, TOKEN

pytestmark = pytest.mark.slow


def test_every_line_of_a_json_process_parses_and_a_call_is_followed_by_its_sid(
    tmp_path: Path,
) -> None:
    """A night call with the on-call PIN, /readyz and a refused webhook, then SIGTERM."""
    url = f"sqlite:///{tmp_path / 'fd.sqlite3'}"
    upgrade(url)
    fd = bootstrap(load_settings({"DATABASE_URL": url}))
    load_demo(fd.uow(), DEMO_TODAY)
    fd.dispose()
    env = {
        "DATABASE_URL": url,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "SECRET_KEY": "gunicorn-test-secret",
        "FRONTDOOR_ENV": "development",
        "FRONTDOOR_IVR_SIMULATED_TIME": "1",
        "FRONTDOOR_IVR_DESK_NUMBER": DESK,
        "FRONTDOOR_ONCALL_NUMBERS": ",".join(ON_CALL),
        "FRONTDOOR_LOG_FORMAT": "json",
        "FRONTDOOR_RASA_URL": "http://127.0.0.1:9",  # no Rasa: readiness says degraded
    }
    server = Gunicorn(env, tmp_path / "gunicorn.log", workers=1)
    try:
        server.wait_ready()
        call = next(c for c in demo_calls(DEMO_TODAY) if "pin" in c.paths)
        simulator = CallSimulator(
            HttpTransport(server.url),
            auth_token=TOKEN,
            public_base_url=PUBLIC_BASE_URL,
            caller=scripted(call.answers),
            output=None,
        )
        result = simulator.call(call.to, call.from_, at=call.at)
        with urllib.request.urlopen(server.url + "/readyz", timeout=5) as answer:
            assert json.load(answer)["status"] == "degraded"
    finally:
        server.stop()
    lines = server.log.read_text(encoding="utf-8").splitlines()
    events = [json.loads(line) for line in lines]  # any other line fails here
    assert {"gunicorn.error", "frontdoor.ivr", "frontdoor.intake"} <= {e["logger"] for e in events}
    sids = {e.get("call_sid") for e in events if e["event"] == "ivr.step"}
    assert sids == {result.call_sid}
    assert call.from_ not in "\n".join(lines) and TOKEN not in "\n".join(lines)
