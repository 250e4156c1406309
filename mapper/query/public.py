"""The privacy gate: the only way public code reads reports.

Published and verified reports only, the masked public location only, and only the
fields listed in PUBLIC_FIELDS; contact data and exact locations never leave here.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime

import geojson
from flask_babel import gettext as _
from sqlalchemy import Select, any_, func, select, tuple_
from sqlalchemy.dialects.postgresql import aggregate_order_by

from mapper import jsontext
from mapper.errors import MapperError
from mapper.extensions import db
from mapper.models import Category, Report
from mapper.query.filters import ReportFilters, filter_clauses
from mapper.query.visibility import visible_statuses

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100

# Each report's category slugs in display order, from the ids the report row carries (kept
# by the database from its links): the few dozen categories are in memory, where each
# report's links would be looked up in their own table, a page read per report when cold.
CATEGORY_SLUGS = (
    select(func.array_agg(aggregate_order_by(Category.slug, Category.position)))
    .where(Category.id == any_(Report.category_ids))
    .scalar_subquery()
)


def report_columns(point) -> tuple:
    """A report's shared fields, with `point` (the public or the exact location) as lon/lat."""
    return (
        Report.id,
        Report.reference,
        Report.title,
        Report.description,
        Report.occurred_at,
        Report.source,
        Report.status,
        Report.place_name,
        Report.language,
        func.ST_X(point).label("lon"),
        func.ST_Y(point).label("lat"),
        CATEGORY_SLUGS.label("categories"),
    )


PUBLIC_COLUMNS = report_columns(Report.public_location)


def public_select() -> Select:
    """Every public read starts here: what an anonymous visitor may see, public fields only."""
    return select(*PUBLIC_COLUMNS).where(Report.status.in_(visible_statuses(None)))


def audience_select(audience) -> Select:
    """What a map audience sees of reports: the gate's public select, or for reviewers
    (analysts and above, checked by the caller) the chosen statuses at their exact points.
    Neither carries contact data or form answers."""
    stmt = select(*report_columns(Report.location)) if audience.exact else public_select()
    return stmt.where(Report.status.in_(audience.statuses))


def to_feature(row) -> geojson.Feature:
    geometry = geojson.Point((row.lon, row.lat)) if row.lon is not None else None
    return geojson.Feature(
        id=row.reference,
        geometry=geometry,
        properties={
            "reference": row.reference,
            "title": row.title,
            "description": row.description,
            "occurred_at": row.occurred_at.isoformat(),
            "categories": list(row.categories or ()),
            "source": row.source,
            "status": row.status,
            "verified": row.status == "verified",
            "place_name": row.place_name,
            "language": row.language,
        },
    )


@dataclass(frozen=True)
class Page:
    features: list[geojson.Feature]
    next_cursor: str | None


def encode_cursor(occurred_at: datetime, report_id: int) -> str:
    raw = json.dumps([occurred_at.isoformat(), report_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The event time and id a page ends at; 400 naming `cursor` for anything but what
    encode_cursor makes (a time with its offset, an id a report can have)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        moment, report_id = jsontext.loads(raw)
        moment = datetime.fromisoformat(moment)
    except (ValueError, TypeError):
        moment = report_id = None
    if moment is None or moment.tzinfo is None or type(report_id) is not int:
        raise MapperError(_("Not a valid cursor."), "cursor")
    if not 0 < report_id < 2**63:
        raise MapperError(_("Not a valid cursor."), "cursor")
    return moment, report_id


def find_reports(filters: ReportFilters, audience, limit: int, cursor: str | None) -> Page:
    """A page of the reports `audience` sees, newest event first, keyset-paginated."""
    point = Report.location if audience.exact else Report.public_location
    stmt = audience_select(audience).where(*filter_clauses(filters, point))
    if cursor:
        moment, report_id = decode_cursor(cursor)
        stmt = stmt.where(tuple_(Report.occurred_at, Report.id) < tuple_(moment, report_id))
    stmt = stmt.order_by(Report.occurred_at.desc(), Report.id.desc()).limit(limit + 1)
    rows = db.session.execute(stmt).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(rows[-1].occurred_at, rows[-1].id) if more else None
    return Page([to_feature(r) for r in rows], next_cursor)


def get_public_report(reference: str) -> geojson.Feature | None:
    row = db.session.execute(
        public_select().where(Report.reference == reference.strip().upper())
    ).first()
    return to_feature(row) if row else None
