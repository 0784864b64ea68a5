"""Console page of the survey after a ticket (docs/phone.md "Survey"): per channel, theatre
and language, the answers, the share who said "understood" and the mean score, over the last
30 days and since the start. Every signed-in staff member may read it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import render_template

from core.services.surveys import survey_tallies
from web.console.auth import frontdoor, login_required, now
from web.console.blueprint import bp

PERIODS = (("Last 30 days", 30), ("Since the start", None))


@bp.get("/surveys")
@login_required
def surveys() -> Any:
    at, fd = now(), frontdoor()
    periods = [
        (title, survey_tallies(fd.uow(), at - timedelta(days=days) if days else None))
        for title, days in PERIODS
    ]
    return render_template("console/surveys.html", periods=periods, at=at)
