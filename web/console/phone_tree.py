"""Console page of the phone tree's endings (issue #15): per theatre, the calls the tree
contained and those abandoned at each question, over the last 7 and 30 days."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import render_template

from core import views as queries
from web.console.auth import frontdoor, login_required, now
from web.console.blueprint import bp

PERIODS = (7, 30)  # days


@bp.get("/phone-tree")
@login_required
def phone_tree() -> Any:
    at = now()
    with queries.reading(frontdoor().engine) as session:
        periods = [
            (days, queries.phone_tree_endings(session, at - timedelta(days=days)))
            for days in PERIODS
        ]
    return render_template("console/phone_tree.html", periods=periods, at=at)
