"""OGC API - Features over the public reports: documents as dicts, records through the gate."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from mapper.errors import MapperError, NotFound
from mapper.exports.formats import feature
from mapper.extensions import db
from mapper.geo import GeoValueError, parse_bbox
from mapper.models import PUBLIC_STATUSES, Report
from mapper.query.filters import ReportFilters, parse_moment
from mapper.query.maps import bounded_int
from mapper.query.records import count_records, records_select

COLLECTION = "reports"
DEFAULT_LIMIT = 10
MAX_LIMIT = 10_000
# Past this a limit or offset is not a number of records but a mistake.
LARGEST = 2**31 - 1
ITEM_PARAMETERS = {"bbox", "datetime", "limit", "offset", "f"}
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


def bad_parameter(message: str, field: str) -> MapperError:
    return MapperError(message, field, 400)


def check_parameters(args, allowed: set[str]) -> None:
    unknown = sorted(set(args) - allowed)
    if unknown:
        raise bad_parameter(_("Unknown parameter: %(name)s", name=unknown[0][:40]), unknown[0][:40])


def _bbox(raw: str | None):
    if not raw:
        return None
    parts = raw.split(",")
    if len(parts) == 6:  # a 3-D box: heights do not apply to reports
        parts = [parts[0], parts[1], parts[3], parts[4]]
    try:
        return parse_bbox(",".join(parts))
    except GeoValueError:
        raise bad_parameter(
            _("Must be four numbers: west,south,east,north in degrees (west > east crosses 180°)."),
            "bbox",
        ) from None


def _datetime(raw: str | None) -> tuple[datetime | None, datetime | None]:
    """An instant or a closed or half-open interval ("..") on the event date."""
    if not raw:
        return None, None
    problems: list = []
    pieces = raw.split("/")
    if len(pieces) > 2 or any(p.strip() == "" for p in pieces) or pieces == [".."]:
        raise bad_parameter(
            _("Use an instant, or an interval start/end with '..' for an open end."), "datetime"
        )
    first, last = pieces[0].strip(), pieces[-1].strip()
    start = None if first == ".." else parse_moment(first, "datetime", problems)
    end = None if last == ".." else parse_moment(last, "datetime", problems, until=True)
    if problems:
        raise bad_parameter(_("Not a valid date, time or interval (use RFC 3339)."), "datetime")
    if start and end and start > end:
        raise bad_parameter(_("The interval ends before it starts."), "datetime")
    return start, end


def item_query(args) -> tuple[ReportFilters, int, int]:
    """Filters, limit and offset of an items request; 400 naming the parameter otherwise."""
    check_parameters(args, ITEM_PARAMETERS)
    start, end = _datetime(args.get("datetime"))
    filters = ReportFilters(bbox=_bbox(args.get("bbox")), start=start, end=end)
    limit = min(bounded_int(args, "limit", 1, LARGEST, DEFAULT_LIMIT), MAX_LIMIT)
    return filters, limit, bounded_int(args, "offset", 0, LARGEST, 0)


def items(filters: ReportFilters, limit: int, offset: int) -> dict:
    rows = db.session.execute(records_select(filters).limit(limit).offset(offset)).all()
    return {
        "type": "FeatureCollection",
        "features": [feature(row) for row in rows],
        "numberMatched": count_records(filters),
        "numberReturned": len(rows),
        "timeStamp": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
    }


def item(reference: str) -> dict:
    stmt = records_select(ReportFilters()).where(Report.reference == reference.strip().upper())
    row = db.session.execute(stmt).first()
    if row is None:
        raise NotFound(_("There is no public report with this reference."), "featureId")
    return feature(row)


def extent() -> dict:
    """The public reports' extent: the spatial one whole-world, the temporal one as found."""
    first, last = db.session.execute(
        select(func.min(Report.occurred_at), func.max(Report.occurred_at)).where(
            Report.status.in_(PUBLIC_STATUSES)
        )
    ).one()
    interval = [[first.isoformat() if first else None, last.isoformat() if last else None]]
    return {
        "spatial": {"bbox": [[-180.0, -90.0, 180.0, 90.0]], "crs": CRS84},
        "temporal": {
            "interval": interval,
            "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
        },
    }
