"""Report filters parsed from a query string, each turned into one SQL clause."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Integer, and_, func, literal, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import aliased

from mapper.errors import ValidationFailed
from mapper.extensions import db
from mapper.geo import BBox, GeoValueError, parse_bbox
from mapper.intake.validators import parse_datetime
from mapper.models import REPORT_SOURCES, Category, Report

MAX_TEXT_QUERY = 200


@dataclass(frozen=True)
class ReportFilters:
    """`start` is inclusive and `end` exclusive: a date-only `to` takes in that whole day."""

    bbox: BBox | None = None
    start: datetime | None = None
    end: datetime | None = None
    categories: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    text: str | None = None


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def parse_moment(value: str, field: str, problems: list, until: bool = False):
    """A moment from a date or an RFC 3339 time; with `until`, the first moment after it."""
    try:
        if "T" in value:
            moment = parse_datetime(value)
            return moment + timedelta(microseconds=1) if until else moment
        day = parse_datetime(value + "T00:00:00Z")
        return day + timedelta(days=1) if until else day
    except ValueError:
        problems.append((field, _("Not a valid date and time (use RFC 3339).")))
        return None


def parse_filters(args) -> ReportFilters:
    """Read bbox, from, to, category, source and q from a query string; raise on bad values."""
    problems: list[tuple[str, str]] = []
    bbox = start = end = None
    if args.get("bbox"):
        try:
            bbox = parse_bbox(args["bbox"])
        except GeoValueError:
            problems.append(("bbox", _("Must be west,south,east,north in degrees.")))
    if args.get("from"):
        start = parse_moment(args["from"], "from", problems)
    if args.get("to"):
        end = parse_moment(args["to"], "to", problems, until=True)
    if start and end and start >= end:
        problems.append(("to", _("Must not be before 'from'.")))
    sources = _split(args.get("source"))
    for source in sources:
        if source not in REPORT_SOURCES:
            problems.append(("source", _("Unknown source: %(source)s", source=source[:32])))
    text = (args.get("q") or "").strip() or None
    if text and len(text) > MAX_TEXT_QUERY:
        problems.append(("q", _("Must be at most %(limit)d characters.", limit=MAX_TEXT_QUERY)))
    if problems:
        raise ValidationFailed(problems)
    return ReportFilters(bbox, start, end, _split(args.get("category")), sources, text)


def bbox_clause(geometry, bbox: BBox) -> ColumnElement:
    envelopes = [geometry.intersects(func.ST_MakeEnvelope(*env, 4326)) for env in bbox.envelopes()]
    return or_(*envelopes)


def time_clause(start: datetime | None, end: datetime | None) -> ColumnElement:
    clauses = []
    if start is not None:
        clauses.append(Report.occurred_at >= start)
    if end is not None:
        clauses.append(Report.occurred_at < end)
    return and_(*clauses)


def category_clause(slugs: tuple[str, ...]) -> ColumnElement:
    """Reports in any of `slugs` or in their subcategories, read from the ids each report
    carries (kept from its links by the database). The ids are looked up first and sent as
    values, so that the planner weighs them against its statistics of `category_ids`."""
    parent = aliased(Category)
    family = db.session.scalars(
        select(Category.id)
        .outerjoin(parent, Category.parent_id == parent.id)
        .where(or_(Category.slug.in_(slugs), parent.slug.in_(slugs)))
        .order_by(Category.id)
    ).all()
    return family_clause(literal(family, ARRAY(Integer)))


def family_clause(family: ColumnElement) -> ColumnElement:
    """Reports in any of the categories of `family` (an array of ids)."""
    return Report.category_ids.overlap(family)


def like_pattern(text: str) -> str:
    """A pattern matching `text` anywhere, its own wildcards taken as plain characters."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def text_clause(pattern) -> ColumnElement:
    """Reports whose title or description matches `pattern` (see like_pattern), ignoring case."""
    return or_(Report.title.ilike(pattern), Report.description.ilike(pattern))


def filter_clauses(filters: ReportFilters, geometry) -> list[ColumnElement]:
    """One clause per concern; `geometry` is the location column the viewer may filter on."""
    clauses: list[ColumnElement] = []
    if filters.bbox is not None:
        clauses.append(bbox_clause(geometry, filters.bbox))
    if filters.start is not None or filters.end is not None:
        clauses.append(time_clause(filters.start, filters.end))
    if filters.categories:
        clauses.append(category_clause(filters.categories))
    if filters.sources:
        clauses.append(Report.source.in_(filters.sources))
    if filters.text:
        clauses.append(text_clause(like_pattern(filters.text)))
    return clauses or [literal(True)]
