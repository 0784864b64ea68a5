"""The caller simulator plays calls as Twilio does, against a toy IVR built here.

The toy IVR checks every X-Twilio-Signature with twilio's RequestValidator (403 when wrong), so
every test that completes a call also proves the signatures; it does not use the real IVR.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask, Response, abort, request
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse
from werkzeug.serving import make_server

from cli.main import cli
from core.bootstrap import Frontdoor
from phonesim import (
    APPLICATION_ERROR,
    SIMULATED_AT_HEADER,
    CallResult,
    CallSimulator,
    FlaskTransport,
    HttpTransport,
    SimulatorError,
    scripted,
)

TOKEN = "toy-auth-token"
THEATRE = "+390584943232"
CALLER = "+390212345678"


def toy_ivr(public_base_url: str | None = None) -> Flask:
    """A small IVR: menu (1 dial, 2 message, 3 code, 9 queue), retries, signature check."""
    app = Flask(__name__)
    app.config["SEEN"] = []

    @app.before_request
    def check_signature() -> None:
        url = (public_base_url + request.full_path.rstrip("?")) if public_base_url else request.url
        params = request.form if request.method == "POST" else {}
        signature = request.headers.get("X-Twilio-Signature", "")
        if not RequestValidator(TOKEN).validate(url, params, signature):
            abort(403)
        app.config["SEEN"].append((request.path, dict(request.values), dict(request.headers)))

    def twiml(response: VoiceResponse) -> Response:
        return Response(str(response), mimetype="text/xml")

    @app.post("/ivr/voice")
    def voice() -> Response:
        response = VoiceResponse()
        retry = request.args.get("retry") == "1"
        gather = Gather(num_digits=1, action="menu", action_on_empty_result=not retry)
        gather.say("Press 1 for support, 2 for a message, 3 for a code.", language="en-GB")
        response.append(gather)
        response.say("Goodbye.")
        response.hangup()
        return twiml(response)

    @app.post("/ivr/menu")
    def menu() -> Response:
        response = VoiceResponse()
        digits = request.form.get("Digits")
        if digits is None:
            response.say("Sorry, I did not hear you.")
            response.redirect("voice?retry=1")
        elif digits == "1":
            dial = Dial(action="/ivr/dial-result", timeout=20, answer_on_bridge=True)
            dial.number("+390511111111")
            dial.number("+390522222222")
            response.append(dial)
        elif digits == "2":
            response.say("Leave a message after the beep.")
            response.record(action="/ivr/message", max_length=30, finish_on_key="#")
            response.say("No message recorded.")
            response.hangup()
        elif digits == "3":
            gather = Gather(action="/ivr/code", method="GET", finish_on_key="#")
            gather.say("Enter your code, then hash.")
            response.append(gather)
            response.say("We did not get your code.")
            response.hangup()
        else:
            response.say("Please hold.")
            response.enqueue("support-europe")
        return twiml(response)

    @app.post("/ivr/dial-result")
    def dial_result() -> Response:
        response = VoiceResponse()
        if request.form["DialCallStatus"] in ("completed", "answered"):
            response.say("Thank you for calling.")
        else:
            response.say("Nobody answered.")
        response.hangup()
        response.say("unreachable after hangup")
        return twiml(response)

    @app.post("/ivr/message")
    def message() -> Response:
        response = VoiceResponse()
        response.say(f"Thanks, {request.form['RecordingDuration']} seconds recorded.")
        return twiml(response)

    @app.get("/ivr/code")
    def code() -> Response:
        response = VoiceResponse()
        response.say(f"Code {request.args['Digits']}.")
        return twiml(response)

    @app.post("/ivr/boom")
    def boom() -> Response:
        abort(500)

    @app.post("/ivr/fallback")
    def fallback() -> Response:
        response = VoiceResponse()
        response.say(f"Sorry, error {request.form['ErrorCode']}.")
        return twiml(response)

    @app.post("/ivr/status")
    def status() -> Response:
        return Response(status=204)

    return app


def play(answers: list[str], app: Flask | None = None, **kwargs: Any) -> CallResult:
    """One call through the test client, the caller answering from ``answers``."""
    token = kwargs.pop("token", TOKEN)
    base = kwargs.pop("public_base_url", "http://localhost")
    simulator = CallSimulator(
        FlaskTransport(app or toy_ivr()),
        auth_token=token,
        public_base_url=base,
        caller=scripted(answers),
        output=None,
    )
    return simulator.call(THEATRE, CALLER, **kwargs)


def params(result: CallResult, path: str) -> dict[str, str]:
    [found] = [dict(r.params) for r in result.requests if r.url.split("?")[0].endswith(path)]
    return found


@pytest.fixture
def running_ivr() -> Iterator[str]:
    """The toy IVR served over HTTP on a free local port; yields its base URL."""
    server = make_server("127.0.0.1", 0, toy_ivr(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def test_a_key_press_posts_digits_to_the_gather_action_resolved_against_the_current_url() -> None:
    """Digits go to the relative action 'menu' as /ivr/menu, and the dial action follows."""
    result = play(["1", "completed"])
    assert result.paths == ["/ivr/voice", "/ivr/menu", "/ivr/dial-result"]
    assert params(result, "/ivr/menu")["Digits"] == "1"
    assert all(r.status == 200 for r in result.requests)


def test_requests_carry_twilio_call_fields() -> None:
    """Every request has CallSid CA+32 hex, AccountSid, From, To, Direction and CallStatus."""
    result = play(["1", "completed"])
    first, second = (dict(r.params) for r in result.requests[:2])
    assert re.fullmatch(r"CA[0-9a-f]{32}", first["CallSid"])
    assert re.fullmatch(r"AC[0-9a-f]{32}", first["AccountSid"])
    assert first["From"] == CALLER and first["To"] == THEATRE
    assert first["Direction"] == "inbound"
    assert (first["CallStatus"], second["CallStatus"]) == ("ringing", "in-progress")
    assert second["CallSid"] == first["CallSid"]


def test_a_wrong_token_gets_403_and_the_caller_hears_twilios_application_error() -> None:
    """Signed with another token, the toy IVR refuses; the call ends as Twilio ends it."""
    result = play([], token="not-the-token")
    assert result.requests[0].status == 403
    assert result.ended == "application-error"
    assert result.said == [APPLICATION_ERROR]
    assert result.error is not None and result.error.startswith("11200")


def test_say_is_heard_with_its_language() -> None:
    """Prompts nested in Gather are heard before the caller is asked, with their language."""
    result = play(["1", "completed"])
    say = next(e for e in result.events if e.kind == "say")
    assert say.text.startswith("Press 1 for support")
    assert say.detail["language"] == "en-GB"


def test_silence_with_action_on_empty_result_requests_the_action_without_digits() -> None:
    """actionOnEmptyResult=true: silence still posts to the action, with no Digits field."""
    result = play(["", ""])
    assert "Digits" not in params(result, "/ivr/menu")
    assert "Sorry, I did not hear you." in result.said


def test_redirect_is_followed_with_its_relative_url_and_query() -> None:
    """<Redirect>voice?retry=1</Redirect> from /ivr/menu requests /ivr/voice?retry=1."""
    result = play(["", ""])
    assert result.paths == ["/ivr/voice", "/ivr/menu", "/ivr/voice"]
    assert result.requests[2].url == "http://localhost/ivr/voice?retry=1"


def test_silence_without_action_on_empty_result_falls_through_to_the_next_verb() -> None:
    """Without actionOnEmptyResult, no request is made and the verbs after Gather run."""
    result = play(["", ""])
    assert result.said[-1] == "Goodbye."
    assert result.ended == "hangup"
    assert len(result.requests) == 3


def test_the_finish_key_ends_the_digits_and_is_not_sent() -> None:
    """'4711#' submits Digits=4711 (a GET action, signed over its full URL)."""
    result = play(["3", "4711#"])
    assert params(result, "/ivr/code")["Digits"] == "4711"
    assert result.requests[-1].method == "GET"
    assert result.said[-1] == "Code 4711."


def test_the_finish_key_alone_is_no_input() -> None:
    """Only '#': Twilio treats it as no input and goes on after the Gather."""
    result = play(["3", "#"])
    assert "/ivr/code" not in result.paths
    assert result.said[-1] == "We did not get your code."


def test_num_digits_stops_collecting_keys() -> None:
    """With numDigits=1, '12' submits only Digits=1."""
    result = play(["12", "completed"])
    assert params(result, "/ivr/menu")["Digits"] == "1"


def test_the_dial_outcome_is_posted_to_the_dial_action() -> None:
    """The tester's 'no-answer' reaches the Dial action as DialCallStatus."""
    result = play(["1", "no-answer"])
    assert params(result, "/ivr/dial-result")["DialCallStatus"] == "no-answer"
    assert "Nobody answered." in result.said
    dial = next(e for e in result.events if e.kind == "dial")
    assert dial.text == "number +390511111111, number +390522222222"


def test_hangup_ends_the_call_and_later_verbs_are_not_played() -> None:
    """Verbs after <Hangup> are never heard."""
    result = play(["1", "completed"])
    assert result.ended == "hangup"
    assert "unreachable after hangup" not in result.said


def test_a_message_posts_the_recording_fields_to_the_record_action() -> None:
    """'20 #' posts RecordingUrl, RecordingDuration=20 and Digits=#."""
    result = play(["2", "20 #"])
    fields = params(result, "/ivr/message")
    assert fields["RecordingDuration"] == "20"
    assert fields["RecordingUrl"].startswith("https://api.twilio.com/2010-04-01/Accounts/AC")
    assert fields["Digits"] == "#"
    assert result.said[-1] == "Thanks, 20 seconds recorded."
    assert result.ended == "end-of-document"


def test_a_message_longer_than_max_length_is_cut() -> None:
    """maxLength=30 caps a 90-second message."""
    result = play(["2", "90"])
    assert params(result, "/ivr/message")["RecordingDuration"] == "30"


def test_an_empty_recording_skips_the_action_and_plays_the_next_verb() -> None:
    """No message: no request to the Record action, the verbs after Record run."""
    result = play(["2", ""])
    assert "/ivr/message" not in result.paths
    assert result.said[-1] == "No message recorded."


def test_hanging_up_after_a_message_posts_it_and_ends_the_call() -> None:
    """'10 hangup' posts the recording with Digits=hangup; its answer is not played."""
    result = play(["2", "10 hangup"])
    assert params(result, "/ivr/message")["Digits"] == "hangup"
    assert result.ended == "caller-hangup"
    assert not any(s.startswith("Thanks") for s in result.said)


def test_the_caller_can_hang_up_at_a_key_prompt() -> None:
    """The script answer 'hangup' ends the call at once."""
    result = play(["hangup"])
    assert result.ended == "caller-hangup"
    assert result.paths == ["/ivr/voice"]


def test_enqueue_puts_the_caller_in_the_queue_and_ends_the_simulation() -> None:
    """<Enqueue> names the queue and ends the call."""
    result = play(["9"])
    assert result.ended == "enqueue"
    assert result.events[-2].text == "support-europe"


def test_the_simulated_instant_is_sent_as_a_header_on_every_request() -> None:
    """at= travels as X-Frontdoor-Simulated-At on each webhook request."""
    app = toy_ivr()
    play(["1", "completed"], app=app, at="2026-11-21T23:00:00+01:00")
    seen = app.config["SEEN"]
    assert len(seen) == 3
    assert {headers[SIMULATED_AT_HEADER] for _, _, headers in seen} == {"2026-11-21T23:00:00+01:00"}


def test_the_status_callback_gets_completed_when_the_call_ends() -> None:
    """A configured status callback receives CallStatus=completed after the last step."""
    result = play(["1", "completed"], status_callback="/ivr/status")
    assert result.paths[-1] == "/ivr/status"
    assert params(result, "/ivr/status")["CallStatus"] == "completed"
    assert result.requests[-1].status == 204


def test_a_failing_webhook_goes_to_the_fallback_url_with_the_error_code() -> None:
    """A 500 makes Twilio request the fallback URL with ErrorCode and ErrorUrl."""
    result = play([], voice_url="/ivr/boom", fallback_url="/ivr/fallback")
    fields = params(result, "/ivr/fallback")
    assert fields["ErrorCode"] == "11200"
    assert fields["ErrorUrl"] == "http://localhost/ivr/boom"
    assert result.said == ["Sorry, error 11200."]


def test_signatures_use_the_public_url_behind_a_proxy() -> None:
    """An app validating against its PUBLIC_BASE_URL accepts calls signed for that URL."""
    app = toy_ivr(public_base_url="https://ivr.example.org")
    result = play(["1", "completed"], app=app, public_base_url="https://ivr.example.org")
    assert result.ended == "hangup"
    assert result.requests[0].url == "https://ivr.example.org/ivr/voice"


def test_a_script_that_runs_out_of_answers_says_at_which_prompt() -> None:
    """A scripted caller with no answer left raises SimulatorError naming the prompt."""
    with pytest.raises(SimulatorError, match="no answer left"):
        play([])


def test_http_transport_plays_a_call_against_a_running_app(running_ivr: str) -> None:
    """Over real HTTP with urllib, the same call completes with valid signatures."""
    simulator = CallSimulator(
        HttpTransport(running_ivr),
        auth_token=TOKEN,
        public_base_url=running_ivr,
        caller=scripted(["2", "15 #"]),
        output=None,
    )
    result = simulator.call(THEATRE, CALLER)
    assert result.paths == ["/ivr/voice", "/ivr/menu", "/ivr/message"]
    assert result.said[-1] == "Thanks, 15 seconds recorded."


def test_http_transport_reports_an_unreachable_app_as_an_application_error() -> None:
    """Nobody listening: Twilio error 11200, the apology, no exception."""
    simulator = CallSimulator(
        HttpTransport("http://127.0.0.1:9"),
        auth_token=TOKEN,
        public_base_url="http://127.0.0.1:9",
        caller=scripted([]),
        output=None,
    )
    result = simulator.call(THEATRE, CALLER)
    assert result.ended == "application-error"


def test_the_call_command_plays_a_call_from_terminal_input(running_ivr: str) -> None:
    """`frontdoor call --url` prints what the caller hears and reads keys from stdin."""
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["call", "--to", THEATRE, "--url", running_ivr, "--token", TOKEN],
        input="1\nbusy\n",
        env={"PUBLIC_BASE_URL": "", "TWILIO_AUTH_TOKEN": ""},
    )
    assert result.exit_code == 0, result.output
    assert "[en-GB] Press 1 for support" in result.output
    assert "Nobody answered." in result.output
    assert "call ended: hangup" in result.output


def test_the_call_command_runs_in_process_against_the_real_app(frontdoor: Frontdoor) -> None:
    """Without --url the call runs in the web app in-process and ends without a traceback."""
    result = CliRunner().invoke(
        cli,
        ["call", "--to", THEATRE, "--token", TOKEN, "--status-callback", ""],
        input="",
        obj={"frontdoor": frontdoor},
        env={"PUBLIC_BASE_URL": ""},
    )
    assert "call ended:" in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
