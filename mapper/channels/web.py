"""The public report form at /report: anonymous, CSRF-protected, errors beside each field."""

from __future__ import annotations

import uuid

from flask import Blueprint, render_template, request
from flask_babel import get_locale

from mapper.api.categories import category_tree
from mapper.errors import ValidationFailed
from mapper.extensions import db
from mapper.intake import ContactInput, Submission, submit
from mapper.intake.validators import event_time

bp = Blueprint("report_form", __name__)

# Intake field names → the form control each error is shown next to.
ERROR_TARGETS = {
    "location.lat": "location",
    "location.lon": "location",
    "location.accuracy": "location",
    "contact.name": "contact_name",
    "contact.phone": "contact_phone",
    "contact.email": "contact_email",
}


def submission_from_form(form) -> Submission:
    return Submission(
        source="web",
        title=form.get("title"),
        description=form.get("description"),
        occurred_at=event_time(form),
        latitude=form.get("latitude") or None,
        longitude=form.get("longitude") or None,
        location_accuracy=form.get("accuracy") or None,
        place_name=form.get("place_name") or None,
        towns_only=True,
        categories=form.getlist("categories"),
        contact=ContactInput(
            form.get("contact_name"), form.get("contact_phone"), form.get("contact_email")
        ),
        language=str(get_locale()),
        idempotency_key=form.get("submission_id") or None,
    )


def _render_form(errors: dict[str, list[str]] | None = None, status: int = 200):
    return (
        render_template(
            "web/report.html",
            categories=category_tree(),
            form=request.form,
            selected=set(request.form.getlist("categories")),
            errors=errors or {},
            submission_id=request.form.get("submission_id") or uuid.uuid4().hex,
        ),
        status,
    )


@bp.get("/report")
def report_form():
    """Show the anonymous report form."""
    return _render_form()


@bp.post("/report")
def submit_report():
    """Store the report as pending and show its reference code."""
    try:
        result = submit(submission_from_form(request.form))
    except ValidationFailed as failure:
        db.session.rollback()
        errors: dict[str, list[str]] = {}
        for field, messages in failure.by_field().items():
            errors.setdefault(ERROR_TARGETS.get(field, field), []).extend(messages)
        return _render_form(errors, 422)
    db.session.commit()
    # Rendered, not redirected: the reference stays out of URLs and browser history.
    return render_template("web/report_done.html", reference=result.reference)


__all__ = ["bp"]
