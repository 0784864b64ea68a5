"""The floor of the IVR benchmark: a minimal Flask app answering every path with constant TwiML.

``bench/bench_ivr.py`` starts it under the same gunicorn command as the real app (same workers,
bind, backlog and ``gunicorn.conf.py``; only the app differs: ``bench.ivr_floor_app:create_app()``)
and replays the real run's webhook requests to it, back to back. No signature check, no database,
no session, no metrics: the difference between the two is our work per webhook.
"""

from __future__ import annotations

from flask import Flask, Response

# a small document the simulator's parser accepts: the size of a short prompt
TWIML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b"<Response><Say>Thank you for calling. Goodbye.</Say><Hangup/></Response>"
)


def create_app() -> Flask:
    app = Flask(__name__)

    @app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
    @app.route("/<path:path>", methods=["GET", "POST"])
    def constant(path: str) -> Response:
        return Response(TWIML, mimetype="text/xml")

    return app
