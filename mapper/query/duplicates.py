"""Likely duplicates: reports near in space and time sharing a category, or from the same
contact, ranked by text similarity (pg_trgm). One condition serves the report page's
suggestions and the review queue's filter."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from mapper.extensions import db
from mapper.models import Report, ReporterContact, report_categories

LIMIT = 10
METRES_PER_DEGREE = 111_320.0


def _settings() -> tuple[float, timedelta]:
    config = current_app.config
    return (
        float(config["MAPPER_DUPLICATE_DISTANCE_M"]),
        timedelta(hours=float(config["MAPPER_DUPLICATE_WINDOW_HOURS"])),
    )


def is_duplicate(this, other) -> ColumnElement:
    """Whether `other` is a likely duplicate of `this` (both Report entities or aliases)."""
    distance_m, window = _settings()
    mine_rc, theirs_rc = aliased(report_categories), aliased(report_categories)
    shares_category = exists().where(
        mine_rc.c.report_id == this.id,
        theirs_rc.c.report_id == other.id,
        mine_rc.c.category_id == theirs_rc.c.category_id,
    )
    # The box (in degrees, generous for high latitudes) lets the spatial index prefilter.
    box = func.ST_Expand(this.location, 3 * distance_m / METRES_PER_DEGREE)
    near = and_(
        other.location.op("&&")(box),
        func.ST_DWithin(func.Geography(other.location), func.Geography(this.location), distance_m),
        other.occurred_at.between(this.occurred_at - window, this.occurred_at + window),
        shares_category,
    )
    mine_c, theirs_c = aliased(ReporterContact), aliased(ReporterContact)
    same_contact = exists().where(
        mine_c.report_id == this.id,
        theirs_c.report_id == other.id,
        or_(
            and_(mine_c.phone.is_not(None), mine_c.phone == theirs_c.phone),
            and_(mine_c.email.is_not(None), mine_c.email == theirs_c.email),
        ),
    )
    return and_(other.id != this.id, other.merged_into_id.is_(None), or_(near, same_contact))


def has_duplicates() -> ColumnElement:
    """Queue filter: the report (the outer Report) has at least one likely duplicate."""
    other = aliased(Report)
    return exists(select(other.id).where(is_duplicate(Report, other)))


def duplicate_suggestions(report: Report) -> list:
    this, other = aliased(Report), aliased(Report)
    score = func.similarity(
        other.title + " " + other.description, this.title + " " + this.description
    )
    stmt = (
        select(other.reference, other.title, other.status, other.occurred_at, score.label("score"))
        .select_from(this)
        .join(other, is_duplicate(this, other))
        .where(this.id == report.id)
        .order_by(score.desc())
        .limit(LIMIT)
    )
    return db.session.execute(stmt).all()
