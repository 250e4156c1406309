"""Report filters parsed from a query string, each turned into one SQL clause."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    String,
    any_,
    bindparam,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import aliased
from sqlalchemy.types import TypeEngine

from mapper.errors import ValidationFailed
from mapper.extensions import db
from mapper.geo import BBox, GeoValueError, parse_bbox
from mapper.intake.validators import EARLIEST_EVENT, FUTURE_TOLERANCE, parse_datetime
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
    """A moment from a date or an RFC 3339 time; with `until`, the first moment after it.

    Held to the days events can have (intake takes none before 1950 nor in the future), which
    selects the same reports: `to=9999-12-31` means no end, not a date past the calendar's
    last, and a window's days stay few whatever its ends."""
    try:
        moment = parse_datetime(value if "T" in value else value + "T00:00:00Z")
    except ValueError:
        problems.append((field, _("Not a valid date and time (use RFC 3339).")))
        return None
    last = latest_moment()
    if moment < EARLIEST_EVENT:
        return EARLIEST_EVENT
    if moment >= last:
        return last
    step = (timedelta(microseconds=1) if "T" in value else timedelta(days=1)) if until else None
    return min(moment + step, last) if step else moment


def latest_moment() -> datetime:
    """Midnight (UTC) after the latest moment an event can have now: a filter bound no later
    than it is exact, and a midnight keeps the window's whole days for the map rollups."""
    day = (datetime.now(UTC) + FUTURE_TOLERANCE).date() + timedelta(days=1)
    return datetime.combine(day, time(0), tzinfo=UTC)


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
    if start and end and start > end:
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


def family_from_database(slugs: tuple[str, ...]) -> list[int]:
    """The ids of the categories `slugs` names and of their subcategories, as stored now."""
    parent = aliased(Category)
    return db.session.scalars(
        select(Category.id)
        .outerjoin(parent, Category.parent_id == parent.id)
        .where(or_(Category.slug.in_(slugs), parent.slug.in_(slugs)))
        .order_by(Category.id)
    ).all()


def family_clause(family: ColumnElement) -> ColumnElement:
    """Reports in any of the categories of `family` (an array of ids), read from the ids each
    report carries (kept from its links by the database)."""
    return Report.category_ids.overlap(family)


def like_pattern(text: str) -> str:
    """A pattern matching `text` anywhere, its own wildcards taken as plain characters."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def text_clause(pattern) -> ColumnElement:
    """Reports whose title or description matches `pattern` (see like_pattern), ignoring case."""
    return or_(Report.title.ilike(pattern), Report.description.ilike(pattern))


# What each filter but the place means, as a clause of its value: the one definition for every
# read of reports (lists, exports, moderation, maps), whether the value is written into the
# statement or sent with a statement made once per shape (FilterTerm.bound).
@dataclass(frozen=True)
class FilterTerm:
    type_: TypeEngine
    clause: Callable[[ColumnElement], ColumnElement]

    def bound(self, name: str) -> ColumnElement:
        """The clause of the value `name` to come."""
        return self.clause(bindparam(name, type_=self.type_))


FILTER_TERMS = {
    "start": FilterTerm(DateTime(timezone=True), lambda start: Report.occurred_at >= start),
    "end": FilterTerm(DateTime(timezone=True), lambda end: Report.occurred_at < end),
    "family": FilterTerm(ARRAY(Integer), family_clause),
    "sources": FilterTerm(ARRAY(String), lambda sources: Report.source == any_(sources)),
    "pattern": FilterTerm(String(), text_clause),
}


def filter_values(
    filters: ReportFilters,
    family_of: Callable[[tuple[str, ...]], list[int]] = family_from_database,
) -> dict[str, object]:
    """The values of the filters set but the place, by their names in FILTER_TERMS.
    Categories are looked up as ids first (by `family_of`) and sent as values, so that the
    planner weighs them against its statistics of `category_ids`."""
    values: dict[str, object] = {}
    if filters.start is not None:
        values["start"] = filters.start
    if filters.end is not None:
        values["end"] = filters.end
    if filters.categories:
        values["family"] = family_of(filters.categories)
    if filters.sources:
        values["sources"] = list(filters.sources)
    if filters.text:
        values["pattern"] = like_pattern(filters.text)
    return values


def filter_clauses(filters: ReportFilters, geometry) -> list[ColumnElement]:
    """One clause per concern; `geometry` is the location column the viewer may filter on."""
    clauses: list[ColumnElement] = []
    if filters.bbox is not None:
        clauses.append(bbox_clause(geometry, filters.bbox))
    for name, value in filter_values(filters).items():
        term = FILTER_TERMS[name]
        clauses.append(term.clause(literal(value, term.type_)))
    return clauses or [literal(True)]
