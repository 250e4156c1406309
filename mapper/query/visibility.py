"""What a viewer may see of a report: the one rule for every non-public page and API."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from mapper.auth.permissions import can
from mapper.extensions import db
from mapper.forms.definition import parse_fields
from mapper.models import PUBLIC_STATUSES, REPORT_STATUSES, FormVersion, Photo, Report


@dataclass(frozen=True)
class Visibility:
    report: bool
    exact_location: bool
    contact: bool
    private_answers: bool


def visible_statuses(user) -> tuple[str, ...]:
    """The statuses `user` may see (None: the public). Public outputs filter with this."""
    return REPORT_STATUSES if can(user, "view_pending") else PUBLIC_STATUSES


def visibility_for(user, report: Report) -> Visibility:
    """Public statuses for everyone; other statuses, exact points and contacts by permission."""
    sees_report = report.status in visible_statuses(user)
    return Visibility(
        report=sees_report,
        exact_location=sees_report and can(user, "view_exact_location"),
        contact=sees_report and can(user, "view_contact"),
        private_answers=sees_report and can(user, "view_private_answers"),
    )


def report_view(user, report: Report) -> dict | None:
    """The fields of `report` that `user` may see, or None when the report is hidden."""
    seen = visibility_for(user, report)
    if not seen.report:
        return None
    points = db.session.execute(
        select(
            func.ST_Y(Report.location),
            func.ST_X(Report.location),
            func.ST_Y(Report.public_location),
            func.ST_X(Report.public_location),
        ).where(Report.id == report.id)
    ).one()
    view = {
        "reference": report.reference,
        "title": report.title,
        "description": report.description,
        "occurred_at": report.occurred_at,
        "received_at": report.received_at,
        "status": report.status,
        "status_reason": report.status_reason,
        "source": report.source,
        "language": report.language,
        "place_name": report.place_name,
        "categories": [c.slug for c in report.categories],
        "version": report.version,
        "merged_into": report.merged_into_id,
        "public_location": points[2:] if points[2] is not None else None,
        "exact_location": None,
        "contact": None,
        "custom_answers": None,
    }
    if seen.exact_location and points[0] is not None:
        view["exact_location"] = points[:2]
        view["location_accuracy_m"] = report.location_accuracy_m
    if seen.contact and report.contact is not None:
        view["contact"] = {
            "name": report.contact.name,
            "phone": report.contact.phone,
            "email": report.contact.email,
        }
    if seen.private_answers:
        view["custom_answers"] = report.custom_answers
    # Staff who see the report see its form answers; private ones only with the permission.
    view["answers"] = None
    if report.form_version_id is not None and can(user, "view_pending"):
        view["answers"] = form_answers(report, private=seen.private_answers)
    return view


def form_answers(report: Report, private: bool) -> list[dict]:
    """Each answered field of `report`'s form version, in form order, with its definition."""
    version = db.session.get(FormVersion, report.form_version_id)
    given = (report.custom_answers or {}).get("answers", {})
    photos = dict(
        db.session.execute(
            select(Photo.field, Photo.name).where(Photo.report_id == report.id)
        ).all()
    )
    shown = []
    for field in parse_fields(version.fields):
        if field.name not in given or (field.private and not private):
            continue
        shown.append({"field": field, "value": given[field.name], "photo": photos.get(field.name)})
    return shown
