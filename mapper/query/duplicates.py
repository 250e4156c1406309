"""Likely duplicates of a report: nearby in space and time with a shared category, or
from the same contact, ranked by text similarity (pg_trgm)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, exists, func, literal, or_, select
from sqlalchemy.orm import aliased

from mapper.extensions import db
from mapper.models import Report, ReporterContact, report_categories

DISTANCE_M = 1000.0
WINDOW = timedelta(hours=48)
LIMIT = 10


def duplicate_suggestions(
    report: Report, distance_m: float = DISTANCE_M, window: timedelta = WINDOW
) -> list:
    other = aliased(Report)
    mine_rc, theirs_rc = aliased(report_categories), aliased(report_categories)
    text = literal(f"{report.title} {report.description}")
    shares_category = exists().where(
        mine_rc.c.report_id == report.id,
        theirs_rc.c.report_id == other.id,
        mine_rc.c.category_id == theirs_rc.c.category_id,
    )
    near = and_(
        report.location is not None,
        func.ST_DWithin(
            func.Geography(other.location),
            func.Geography(select(Report.location).where(Report.id == report.id).scalar_subquery()),
            distance_m,
        ),
        other.occurred_at.between(report.occurred_at - window, report.occurred_at + window),
        shares_category,
    )
    mine_c, theirs_c = aliased(ReporterContact), aliased(ReporterContact)
    same_contact = exists().where(
        mine_c.report_id == report.id,
        theirs_c.report_id == other.id,
        or_(
            and_(mine_c.phone.is_not(None), mine_c.phone == theirs_c.phone),
            and_(mine_c.email.is_not(None), mine_c.email == theirs_c.email),
        ),
    )
    score = func.similarity(other.title + " " + other.description, text)
    stmt = (
        select(other.reference, other.title, other.status, other.occurred_at, score.label("score"))
        .where(other.id != report.id, other.merged_into_id.is_(None), or_(near, same_contact))
        .order_by(score.desc())
        .limit(LIMIT)
    )
    return db.session.execute(stmt).all()
