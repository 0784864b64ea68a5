"""Admin-only pages: staff accounts and the contract CSV import (same validation and report
as ``frontdoor contracts import``)."""

from __future__ import annotations

import io
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from core import outbox_views
from core.model import STAFF_ROLES
from core.services import (
    ContractImportError,
    ServiceError,
    add_staff,
    cancel_notification,
    import_contracts,
    list_staff,
    parse_contracts_csv,
    retry_notification,
    set_active,
)
from web.console.auth import admin_required, current_staff, frontdoor, now
from web.console.blueprint import bp
from web.console.pages import reading

MAX_CSV_BYTES = 5 * 1024 * 1024


@bp.get("/admin/staff")
@admin_required
def staff_accounts() -> Any:
    accounts = list_staff(frontdoor().uow())
    return render_template("console/staff.html", accounts=accounts, roles=STAFF_ROLES)


@bp.post("/admin/staff")
@admin_required
def staff_create() -> Any:
    form = request.form
    try:
        account = add_staff(
            frontdoor().uow(),
            email=form.get("email", "")[:254],
            role=form.get("role", ""),
            password=form.get("password", "")[:1024],
            at=now(),
            hasher=current_app.config.get("FRONTDOOR_PASSWORD_HASHER"),
        )
    except ServiceError as exc:
        flash(str(exc), "error")
    else:
        flash(f"Account {account.email} ({account.role}) created.", "info")
    return redirect(url_for("console.staff_accounts"))


@bp.post("/admin/staff/<int:account_id>/<action>")
@admin_required
def staff_toggle(account_id: int, action: str) -> Any:
    if action not in ("disable", "enable"):
        abort(404)
    me = current_staff()
    if me is not None and me.id == account_id and action == "disable":
        flash("You cannot disable your own account.", "error")
        return redirect(url_for("console.staff_accounts"))
    try:
        account = set_active(frontdoor().uow(), account_id, active=action == "enable")
    except ServiceError:
        abort(404)
    flash(f"Account {account.email} {action}d.", "info")
    return redirect(url_for("console.staff_accounts"))


@bp.get("/admin/contracts")
@admin_required
def contracts_import_page() -> Any:
    return render_template("console/contracts_import.html")


@bp.post("/admin/contracts")
@admin_required
def contracts_import() -> Any:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template("console/contracts_import.html", error="Choose a CSV file."), 400
    data = upload.stream.read(MAX_CSV_BYTES + 1)
    if len(data) > MAX_CSV_BYTES:
        return render_template("console/contracts_import.html", error="File over 5 MiB."), 413
    fd = frontdoor()
    try:
        text = data.decode("utf-8-sig")
        specs = parse_contracts_csv(fd.policy, io.StringIO(text, newline=""))
    except UnicodeDecodeError:
        error = f"{upload.filename}: not UTF-8 text"
        return render_template("console/contracts_import.html", error=error), 400
    except ContractImportError as exc:
        error = f"{upload.filename}: {exc} (nothing was imported)"
        return render_template("console/contracts_import.html", error=error), 400
    with fd.uow() as uow:
        known = {s.code for s in specs if uow.contracts.get(s.code) is not None}
    report = import_contracts(fd.uow(), specs)
    created = [s.code for s in specs if s.code not in known]
    return render_template(
        "console/contracts_import.html",
        report=report,
        filename=upload.filename,
        created=created,
        existing=sorted(known),
    )


@bp.get("/admin/outbox")
@admin_required
def outbox() -> Any:
    """Notifications: dead and failed first, with their last error; retry or cancel."""
    status = request.args.get("status", "")[:16]
    with reading() as session:
        rows = outbox_views.outbox_page(session, status)
    return render_template("console/outbox.html", rows=rows, status=status)


@bp.post("/admin/outbox/<int:event_id>/<action>")
@admin_required
def outbox_action(event_id: int, action: str) -> Any:
    act = {"retry": retry_notification, "cancel": cancel_notification}.get(action)
    if act is None:
        abort(404)
    try:
        act(frontdoor().uow(), event_id, at=now())
    except ServiceError as exc:
        flash(str(exc), "error")
    else:
        flash(f"Notification {event_id}: {'due again now' if action == 'retry' else 'cancelled'}.")
    return redirect(url_for("console.outbox"))
