"""The only code besides intake that changes reports; every change writes one audit event.

Each action names the report version it was decided on: if someone else changed the
report meanwhile, the action is refused with a conflict instead of overwriting.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from mapper.errors import Conflict, MapperError, ValidationFailed
from mapper.extensions import db
from mapper.geo.hexes import hex_of
from mapper.intake.service import categories_cache, public_point
from mapper.intake.submission import Submission
from mapper.intake.validators import (
    DESCRIPTION_MAX,
    PLACE_MAX,
    TITLE_MAX,
    Problems,
    clean_categories,
    clean_location,
    clean_occurred_at,
    clean_text,
    day_only,
)
from mapper.models import AuditEvent, Category, Report, User
from mapper.partners import webhooks

# action: (statuses it may start from, status it leaves the report in)
ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "publish": (frozenset({"pending"}), "published"),
    "verify": (frozenset({"pending", "published"}), "verified"),
    "reject": (frozenset({"pending", "published", "verified"}), "rejected"),
    "archive": (frozenset({"pending", "published", "verified", "rejected"}), "archived"),
    "restore": (frozenset({"rejected", "archived"}), "pending"),
}


def _json(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def record_event(
    report_id: int, action: str, actor: User | None, changes: dict, reason: str | None = None
) -> None:
    db.session.add(
        AuditEvent(
            report_id=report_id,
            actor_id=actor.id if actor else None,
            action=action,
            changes={
                field: [_json(before), _json(after)] for field, (before, after) in changes.items()
            },
            reason=reason,
        )
    )


def _write(report: Report, expected_version: int, values: dict) -> None:
    """Update `report` only if it is still at `expected_version`; bump the version."""
    if report.version != expected_version:
        raise Conflict(
            _("Someone else changed this report meanwhile. Reload it and try again."), "version"
        )
    result = db.session.execute(
        update(Report)
        .where(Report.id == report.id, Report.version == expected_version)
        .values(version=Report.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(
            _("Someone else changed this report meanwhile. Reload it and try again."), "version"
        )
    db.session.expire(report)


def apply_action(
    report: Report,
    action: str,
    actor: User | None,
    expected_version: int,
    reason: str | None = None,
    into: Report | None = None,
) -> None:
    """Change the status of `report` (or merge it into `into`), with one audit event."""
    if action == "merge":
        return _merge(report, into, actor, expected_version, reason)
    if action not in ACTIONS:
        raise MapperError(_("Unknown action."), "action", 404)
    allowed_from, new_status = ACTIONS[action]
    if report.status not in allowed_from:
        raise Conflict(
            _("This action is not possible for a %(status)s report.", status=report.status),
            "status",
        )
    reason = (reason or "").strip() or None
    if action == "reject" and not reason:
        raise ValidationFailed([("reason", _("Give a reason for rejecting."))])
    old_status = report.status
    changes = {"status": (old_status, new_status)}
    values = {"status": new_status, "status_reason": reason}
    if action == "restore" and report.merged_into_id is not None:
        changes["merged_into_id"] = (report.merged_into_id, None)
        values["merged_into_id"] = None
    _write(report, expected_version, values)
    record_event(report.id, action, actor, changes, reason)
    webhooks.enqueue(report, old_status, new_status)


def _merge(
    report: Report,
    into: Report | None,
    actor: User | None,
    expected_version: int,
    reason: str | None,
) -> None:
    if into is None or into.id == report.id:
        raise ValidationFailed([("into", _("Name another report to merge into."))])
    if into.merged_into_id is not None:
        raise ValidationFailed([("into", _("That report was itself merged; use its survivor."))])
    if report.status == "archived" and report.merged_into_id is not None:
        raise Conflict(_("This report is already merged."), "status")
    old_status = report.status
    changes = {"status": (old_status, "archived"), "merged_into_id": (None, into.id)}
    _write(
        report,
        expected_version,
        {"status": "archived", "merged_into_id": into.id, "status_reason": reason},
    )
    record_event(report.id, "merge", actor, changes, reason)
    webhooks.enqueue(report, old_status, "archived")


def edit_report(report: Report, actor: User | None, expected_version: int, form: dict) -> bool:
    """Apply the edited fields that differ; return False when nothing changed."""
    problems = Problems()
    title = clean_text(form.get("title"), "title", problems, limit=TITLE_MAX, required=True)
    description = (
        clean_text(form.get("description"), "description", problems, limit=DESCRIPTION_MAX) or ""
    )
    occurred_at = clean_occurred_at(
        form.get("occurred_at") or report.occurred_at,
        datetime.now(report.occurred_at.tzinfo),
        problems,
    )
    slugs = form.get("categories", [])
    category_ids = clean_categories(slugs, categories_cache.get(slugs), problems)
    # The place name is shown with the published report: moderators may correct or clear
    # it. Forms without it (placing a message from the inbox) leave it as it is.
    place_name = report.place_name
    if "place_name" in form:
        place_name = clean_text(form.get("place_name"), "place_name", problems, limit=PLACE_MAX)
    lat, lon, _accuracy = clean_location(
        Submission(source="web", latitude=form.get("latitude"), longitude=form.get("longitude")),
        problems,
    )
    problems.raise_if_any()
    if report.time_hidden and occurred_at is not None:
        occurred_at = day_only(occurred_at)  # the form keeps the hour off public outputs
    changes: dict = {}
    values: dict = {}
    for field, new in (
        ("title", title),
        ("description", description),
        ("occurred_at", occurred_at),
        ("place_name", place_name),
    ):
        if getattr(report, field) != new:
            changes[field] = (getattr(report, field), new)
            values[field] = new
    old_slugs = sorted(c.slug for c in report.categories)
    new_categories = list(db.session.scalars(select(Category).where(Category.id.in_(category_ids))))
    new_slugs = sorted(c.slug for c in new_categories)
    old_point = _coordinates(report)
    new_point = (lat, lon) if lat is not None and lon is not None else None
    if new_point != old_point and new_point is not None:
        changes["location"] = (list(old_point) if old_point else None, list(new_point))
        values["location"] = f"SRID=4326;POINT({lon!r} {lat!r})"
        values["h3_exact"] = hex_of(lat, lon)
        if not report.location_hidden:
            public = public_point(lat, lon, report.mask_seed)
            values["public_location"] = f"SRID=4326;POINT({public[1]!r} {public[0]!r})"
            values["h3_public"] = hex_of(*public)
    if old_slugs != new_slugs:
        changes["categories"] = (old_slugs, new_slugs)
    if not changes:
        return False
    _write(report, expected_version, values)
    if "categories" in changes:
        report.categories = new_categories
    record_event(report.id, "edit", actor, changes)
    return True


def _coordinates(report: Report) -> tuple[float, float] | None:
    row = db.session.execute(
        select(func.ST_Y(Report.location), func.ST_X(Report.location)).where(Report.id == report.id)
    ).one()
    return (row[0], row[1]) if row[0] is not None else None
