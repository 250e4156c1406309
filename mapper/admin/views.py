"""Moderation views: load, check access, act through mapper.moderation, commit once."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import case, func, select

from mapper.admin.paging import page_number
from mapper.api.categories import category_tree
from mapper.auth.permissions import can
from mapper.errors import Conflict, ValidationFailed
from mapper.extensions import db
from mapper.intake.validators import event_time
from mapper.models import REPORT_STATUSES, AuditEvent, Report
from mapper.moderation import ACTIONS, apply_action, edit_report
from mapper.names import source_names
from mapper.query.duplicates import duplicate_suggestions, has_duplicates
from mapper.query.filters import filter_clauses, parse_filters
from mapper.query.visibility import report_view

PER_PAGE = 50
PERMISSION_FOR = {action: action for action in ACTIONS} | {"merge": "merge", "edit": "edit_report"}
BULK_ACTIONS = ("publish", "reject", "archive")


def _report_or_404(reference: str) -> Report:
    report = db.session.scalar(select(Report).where(Report.reference == reference.upper()))
    if report is None:
        abort(404)
    return report


def queue():
    filters = parse_filters(request.args)
    statuses = [s for s in request.args.getlist("status") if s in REPORT_STATUSES]
    page = page_number(request.args)
    stmt = select(Report).where(*filter_clauses(filters, Report.location))
    if statuses:
        stmt = stmt.where(Report.status.in_(statuses))
    if request.args.get("duplicates"):
        stmt = stmt.where(has_duplicates())
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    stmt = (
        stmt.order_by(
            case((Report.status == "pending", 0), else_=1),
            Report.urgent.desc(),
            Report.received_at.asc(),
        )
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    reports = db.session.scalars(stmt).all()
    return render_template(
        "admin/queue.html",
        reports=reports,
        total=total,
        page=page,
        per_page=PER_PAGE,
        statuses=REPORT_STATUSES,
        chosen=set(statuses),
        categories=category_tree(),
        sources=list(source_names().items()),
        bulk_actions=[a for a in BULK_ACTIONS if can(current_user, PERMISSION_FOR[a])],
        now=datetime.now(UTC),
    )


def report_page(reference: str, errors: dict | None = None, status: int = 200):
    report = _report_or_404(reference)
    view = report_view(current_user, report)
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.report_id == report.id).order_by(AuditEvent.id)
    ).all()
    allowed = [a for a in (*ACTIONS, "merge", "edit") if can(current_user, PERMISSION_FOR[a])]
    tree = category_tree()
    return render_template(
        "admin/report.html",
        report=report,
        view=view,
        occurred_utc=report.occurred_at.astimezone(UTC),
        utc_zone=UTC,
        events=events,
        actions=allowed,
        transitions=ACTIONS,
        duplicates=duplicate_suggestions(report),
        errors=errors or {},
        categories=tree,
        category_names={c["slug"]: c["name"] for p in tree for c in (p, *p["children"])},
    ), status


def _edited_event_time(form, report: Report) -> datetime | str | None:
    """The event time the edit form asks for: its date-time input holds the moderator's local
    time to the minute (see the page's script), so a time in the report's minute is the
    report's own, seconds and all, and not an edit."""
    moment = event_time(form)
    if isinstance(moment, datetime):
        minute = moment.astimezone(UTC).replace(second=0, microsecond=0)
        if minute == report.occurred_at.astimezone(UTC).replace(second=0, microsecond=0):
            return report.occurred_at
    return moment


def act(reference: str, action: str):
    if action not in PERMISSION_FOR:
        abort(404)
    if not can(current_user, PERMISSION_FOR[action]):
        abort(403)
    report = _report_or_404(reference)
    version = request.form.get("version", type=int)
    if version is None:
        raise ValidationFailed([("version", _("The form is missing the report version."))])
    try:
        if action == "edit":
            form = {
                **request.form,
                "categories": request.form.getlist("categories"),
                "occurred_at": _edited_event_time(request.form, report),
            }
            edit_report(report, current_user, version, form)
        else:
            into = None
            if action == "merge":
                into = db.session.scalar(
                    select(Report).where(
                        Report.reference == request.form.get("into", "").strip().upper()
                    )
                )
            apply_action(
                report, action, current_user, version, reason=request.form.get("reason"), into=into
            )
    except ValidationFailed as failure:
        db.session.rollback()
        return report_page(reference, failure.by_field(), 422)
    except Conflict as conflict:
        db.session.rollback()
        return report_page(reference, {"version": [conflict.message]}, 409)
    db.session.commit()
    flash(_("Saved."))
    return redirect(url_for("admin.report", reference=report.reference))


def bulk():
    action = request.form.get("action")
    if action not in BULK_ACTIONS:
        abort(400)
    if not can(current_user, PERMISSION_FOR[action]):
        abort(403)
    references = request.form.getlist("reports")
    found = {
        r.reference: r
        for r in db.session.scalars(select(Report).where(Report.reference.in_(references)))
    }
    done, skipped = 0, 0
    for reference in references:
        report = found.get(reference)
        version = request.form.get(f"version-{reference}", type=int)
        if report is None or version is None:
            skipped += 1
            continue
        try:
            with db.session.begin_nested():
                apply_action(
                    report, action, current_user, version, reason=request.form.get("reason")
                )
            done += 1
        except (Conflict, ValidationFailed):
            skipped += 1
    db.session.commit()
    flash(_("%(done)d reports updated, %(skipped)d skipped.", done=done, skipped=skipped))
    return redirect(url_for("admin.queue", **request.args))
