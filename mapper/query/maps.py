"""What the maps draw: clusters, heat weights, a time histogram and Gi* hotspots, per viewer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import BigInteger, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY

from mapper.auth.permissions import can
from mapper.errors import MapperError, ValidationFailed
from mapper.geo.cells import (
    CLUSTER_LEVEL_OFFSET,
    HEAT_LEVEL_OFFSET,
    MAX_ZOOM,
    CellRange,
    cell_of,
    cells_covering,
    first_split_level,
    level_for_view,
)
from mapper.intake.service import categories_cache
from mapper.models import PUBLIC_STATUSES, REPORT_STATUSES, Report
from mapper.query import grid
from mapper.query.filters import ReportFilters, parse_filters
from mapper.query.grid import EPOCH, Audience
from mapper.query.public import audience_select

REVIEWER_DEFAULT_STATUSES = ("pending", "published", "verified")
BUCKETS = ("day", "week", "month")


@dataclass(frozen=True)
class MapRequest:
    filters: ReportFilters
    audience: Audience
    category_ids: tuple[int, ...]
    zoom: int | None


def bounded_int(args, name: str, low: int, high: int, default: int | None) -> int | None:
    raw = args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise MapperError(
            _("Must be a whole number from %(low)d to %(high)d.", low=low, high=high), name
        )
    return value


def audience_of(args, user) -> Audience:
    """The viewer a request names: `audience=reviewer` (analysts and above; else 401 or 403)
    and the `status` it chose, or the public; 422 naming `status` for one it may not see."""
    wanted = [s.strip() for s in (args.get("status") or "").split(",") if s.strip()]
    reviewer = args.get("audience") == "reviewer"
    if reviewer and not can(user, "view_exact_location"):
        signed_in = getattr(user, "is_authenticated", False)
        raise MapperError(
            _("Sign in with an analyst account to see this."), "audience", 403 if signed_in else 401
        )
    allowed = REPORT_STATUSES if reviewer else PUBLIC_STATUSES
    for status in wanted:
        if status not in allowed:
            raise ValidationFailed(
                [("status", _("Unknown status: %(status)s", status=status[:32]))]
            )
    default = REVIEWER_DEFAULT_STATUSES if reviewer else PUBLIC_STATUSES
    statuses = tuple(s for s in allowed if s in wanted) or default
    return Audience(statuses, exact=reviewer)


def category_ids(slugs: tuple[str, ...]) -> tuple[int, ...]:
    if not slugs:
        return ()
    known = categories_cache.get(list(slugs))
    unknown = [slug for slug in slugs if slug not in known]
    if unknown:
        problem = _("Unknown category: %(slug)s", slug=unknown[0][:64])
        raise ValidationFailed([("category", problem)])
    return tuple(known[slug] for slug in slugs)


def parse_map_request(
    args, user, zoom_required: bool = True, audience: Audience | None = None
) -> MapRequest:
    """Filters, viewer and zoom of a map request; 4xx naming the field on bad input.

    `audience` given (the command line) stands in for the one the request and `user` name.
    """
    filters = parse_filters(args)
    audience = audience or audience_of(args, user)
    zoom = bounded_int(args, "zoom", 0, MAX_ZOOM, 2 if zoom_required else None)
    return MapRequest(filters, audience, category_ids(filters.categories), zoom)


def clusters(req: MapRequest) -> dict:
    """Clusters per 64-pixel cell of the view; a cell holding one report is that report."""
    level = req.zoom + CLUSTER_LEVEL_OFFSET
    cells = cells_covering(req.filters.bbox, level)
    filters = req.filters
    listed = grid.listed_categories(req.category_ids)
    found, by_category = grid.view_counts(filters, req.audience, cells, req.category_ids, listed)
    singles = _single_reports(req, cells, [c for c in found if c.n == 1])
    slugs = {id_: slug for slug, id_ in categories_cache.get(()).items()}
    listed = tuple(c for c in listed if c in slugs)
    features = []
    for cell in found:
        single = singles.get((cell.x, cell.y))
        if single is not None:
            features.append(single)
            continue
        counts = by_category.get((cell.x, cell.y), {})
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(cell.sx / cell.n, 6), round(cell.sy / cell.n, 6)],
                },
                "properties": {
                    "cluster": True,
                    "count": cell.n,
                    "bbox": [round(v, 6) for v in (cell.west, cell.south, cell.east, cell.north)],
                    "expansion_zoom": _expansion_zoom(cell, req.zoom),
                    # In the order of the answer's "categories": a list of numbers keeps a
                    # dense view of a few hundred clusters small.
                    "category_counts": [counts.get(c, 0) for c in listed],
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "categories": [slugs[c] for c in listed],
        "features": features,
        "total": sum(cell.n for cell in found),
        "zoom": req.zoom,
        "bbox": _snapped(cells),
    }


def _snapped(cells: CellRange) -> list[float]:
    """The view's cells as one bbox, at full precision: public points have six decimals, and
    an edge rounded to six could fall on one of a report that lies in the next cell."""
    envelopes = cells.bounds()
    return [envelopes[0][0], envelopes[0][1], envelopes[-1][2], envelopes[0][3]]


def _expansion_zoom(cell: grid.Cell, zoom: int) -> int:
    """The first zoom at which the cell's reports fall into more than one cluster."""
    split = first_split_level(cell.west, cell.south, cell.east, cell.north)
    return min(max(split - CLUSTER_LEVEL_OFFSET, zoom + 1), MAX_ZOOM)


# Many single reports are read as rollup rows are (grid.ROLLUP_READS): through a bitmap of
# their keys, from which the server asks the disk for the table's pages ahead, where an index
# scan reads them one at a time. At 10,000,000 reports from a cold start, views of 22 to 89
# single reports took 9.4 ms instead of 15.3 at most. A few are read by key without the two
# statements the settings cost.
SINGLES_PREFETCHED = 16


def _single_reports(req: MapRequest, cells: CellRange, singles: list[grid.Cell]) -> dict:
    """{(x, y): feature} for cells holding exactly one matching report. A cell's sum of
    report ids is then that report's id: one read by key per cell, whatever the index of
    places would have to search. A report that changed place since is left a cluster."""
    if not singles:
        return {}
    cell_of_report = {c.sid: (c.x, c.y) for c in singles}
    statement = single_reports_statement(req.audience)
    values = {"ids": list(cell_of_report)}
    if len(singles) < SINGLES_PREFETCHED:
        rows = grid.read(statement, values).all()
    else:
        with grid.local_settings(grid.ROLLUP_READS):
            rows = grid.read(statement, values).all()
    found = {}
    for row in rows:
        key = cell_of(row.lon, row.lat, cells.level)
        if key == cell_of_report.get(row.id):
            found[key] = _report_feature(row)
    return found


@lru_cache(maxsize=64)
def single_reports_statement(audience: grid.Audience):
    """The reports of the value `ids` the audience may see, with the location it sees (made
    once per audience)."""
    ids = bindparam("ids", type_=ARRAY(BigInteger))
    return audience_select(audience).where(Report.id == any_(ids))


def _report_feature(row) -> dict:
    return {
        "type": "Feature",
        "id": row.reference,
        "geometry": {"type": "Point", "coordinates": [round(row.lon, 6), round(row.lat, 6)]},
        "properties": {
            "cluster": False,
            "count": 1,
            "reference": row.reference,
            "title": row.title,
            "description": row.description,
            "occurred_at": row.occurred_at.isoformat(),
            "categories": list(row.categories or ()),
            "status": row.status,
            "verified": row.status == "verified",
            "place_name": row.place_name,
        },
    }


def heatmap(req: MapRequest) -> dict:
    """Report counts on a grid of 16-pixel cells: weights for a heat layer, not points.

    Where the rollups stop short of that grid, a view holding more reports than
    `MAPPER_HEAT_EXACT_LIMIT` is answered on the finest grid they keep (32 or 64 pixels):
    a zoom-10 view of a quarter of a million reports took 459 ms counted one by one and
    17 ms from the rollups. A smaller view reads its count from the rollups first, then its
    16-pixel grid from the reports. The answer's `cell_pixels` says which grid, for the
    layer's radius."""
    fine = min(req.zoom + HEAT_LEVEL_OFFSET, MAX_ZOOM + CLUSTER_LEVEL_OFFSET)
    coarse = grid.finest_rolled_level(
        req.filters, req.audience, req.category_ids, req.zoom + CLUSTER_LEVEL_OFFSET, fine
    )
    level = fine
    if coarse is not None and coarse < fine:
        cells = cells_covering(req.filters.bbox, coarse)
        found = grid.cell_counts(req.filters, req.audience, cells, req.category_ids)
        if sum(c.n for c in found) > current_app.config["MAPPER_HEAT_EXACT_LIMIT"]:
            level = coarse
    if level == fine:
        cells = cells_covering(req.filters.bbox, fine)
        found = grid.cell_counts(req.filters, req.audience, cells, req.category_ids)
    points = [[round(c.sy / c.n, 5), round(c.sx / c.n, 5), c.n] for c in found]
    return {
        "points": points,
        "max": max((p[2] for p in points), default=0),
        "total": sum(p[2] for p in points),
        "zoom": req.zoom,
        "cell_pixels": 256 >> (level - req.zoom),
        "bbox": _snapped(cells),
    }


def _view_cells(req: MapRequest) -> CellRange:
    level = (
        req.zoom + CLUSTER_LEVEL_OFFSET
        if req.zoom is not None
        else level_for_view(req.filters.bbox)
    )
    return cells_covering(req.filters.bbox, level)


def histogram(req: MapRequest, bucket: str) -> dict:
    """Matching reports per day, week or month of the event date, over the map's view."""
    if bucket not in BUCKETS:
        raise ValidationFailed([("bucket", _("Must be one of: day, week, month."))])
    cells = _view_cells(req)
    tier = grid.MONTH if bucket == "month" else grid.DAY
    counts = grid.period_counts(req.filters, req.audience, cells, req.category_ids, tier)
    merged: dict[date, int] = {}
    for period, n in counts.items():
        start = _bucket_start(period, bucket)
        merged[start] = merged.get(start, 0) + n
    buckets = []
    if merged:
        first, last = min(merged), max(merged)
        current = first
        while current <= last:
            buckets.append({"start": current.isoformat(), "count": merged.get(current, 0)})
            current = _next_bucket(current, bucket)
    return {
        "bucket": bucket,
        "buckets": buckets,
        "total": sum(merged.values()),
        "bbox": _snapped(cells),
    }


def _bucket_start(period: int, bucket: str) -> date:
    if bucket == "month":
        return date(1970 + period // 12, period % 12 + 1, 1)
    day = EPOCH + timedelta(days=period)
    return day - timedelta(days=day.weekday()) if bucket == "week" else day


def _next_bucket(start: date, bucket: str) -> date:
    if bucket == "month":
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start + timedelta(days=7 if bucket == "week" else 1)
