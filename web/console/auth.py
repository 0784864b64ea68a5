"""Sign-in, sign-out and the access checks of every console page.

The session cookie holds only the account id; the account is read again on every request, so
that a disabled account is signed out at once. Throttling of failed sign-ins lives in the
database (core.services.staff), so that every worker applies it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import abort, current_app, g, redirect, render_template, request, session, url_for

from core.bootstrap import Frontdoor
from core.model import StaffAccount
from core.services import get_staff, sign_in
from web.console.blueprint import bp

View = TypeVar("View", bound=Callable[..., Any])


def frontdoor() -> Frontdoor:
    return cast(Frontdoor, current_app.extensions["frontdoor"])


def now() -> datetime:
    """The request's instant, from the injectable clock (app.config["FRONTDOOR_CLOCK"])."""
    clock = current_app.config["FRONTDOOR_CLOCK"]
    return cast(datetime, clock())


def current_staff() -> StaffAccount | None:
    if "staff" not in g:
        account_id = session.get("staff_id")
        account = get_staff(frontdoor().uow(), account_id) if isinstance(account_id, int) else None
        g.staff = account if account is not None and account.active else None
    return cast("StaffAccount | None", g.staff)


def login_required[View: Callable[..., Any]](view: View) -> View:
    """Signed-out browsers are sent to sign-in, and come back afterwards."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_staff() is None:
            session.pop("staff_id", None)
            return redirect(url_for("console.sign_in_page", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return cast(View, wrapped)


def admin_required[View: Callable[..., Any]](view: View) -> View:
    """Admin pages: signed-out browsers go to sign-in, agents get 403."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        staff = current_staff()
        if staff is None or staff.role != "admin":
            abort(403)
        return view(*args, **kwargs)

    return cast(View, wrapped)


@bp.app_context_processor
def _staff_in_templates() -> dict[str, Any]:
    return {"staff": g.get("staff")}


@bp.get("/sign-in")
def sign_in_page() -> Any:
    return render_template("console/sign_in.html", next=_safe_next(request.args.get("next")))


@bp.post("/sign-in")
def sign_in_submit() -> Any:
    email = request.form.get("email", "")[:254]
    password = request.form.get("password", "")[:1024]
    result = sign_in(
        frontdoor().uow(),
        email,
        password,
        at=now(),
        rules=current_app.config.get("FRONTDOOR_SIGN_IN_RULES"),
        hasher=current_app.config.get("FRONTDOOR_PASSWORD_HASHER"),
    )
    if result.status == "ok" and result.account is not None:
        session.clear()  # no state carried over from before sign-in
        session["staff_id"] = result.account.id
        session.permanent = True
        return redirect(_safe_next(request.form.get("next")) or url_for("console.conversations"))
    if result.status == "wait" and result.retry_at is not None:
        seconds = max(1, int((result.retry_at - now()).total_seconds()) + 1)
        message = f"Too many failed sign-ins: try again in {seconds} seconds."
        status = 429
    else:
        message, status = "Wrong e-mail or password.", 401
    page = render_template(
        "console/sign_in.html", error=message, email=email, next=request.form.get("next")
    )
    return page, status


@bp.post("/sign-out")
def sign_out() -> Any:
    session.clear()
    return redirect(url_for("console.sign_in_page"))


def _safe_next(target: str | None) -> str | None:
    """Only a path inside the console: never another site (open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/console/") or "\\" in target:
        return None
    return target
