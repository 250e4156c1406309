"""Report counts per map cell for a view: from the rollups where they answer, else from reports.

A view is the set of cells at one level that the requested bbox touches; counts are exact
for those cells. Whole years come from the yearly rollup, the months around them from the
monthly one, and the days around those from the rollups of eight-day blocks and of days;
what no rollup answers (text or source filters, several categories, times inside a day,
levels finer than the rollups keep) is counted from the reports themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache, partial

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    Integer,
    and_,
    any_,
    bindparam,
    cast,
    func,
    literal_column,
    null,
    or_,
    select,
    text,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, array
from sqlalchemy.engine import Engine, Result

from mapper.extensions import db
from mapper.geo.cells import PIXEL_LEVEL, CellRange
from mapper.intake.service import categories_cache
from mapper.models import PUBLIC_STATUSES, Category, Report
from mapper.query.filters import FILTER_TERMS, ReportFilters, filter_values

EPOCH = date(1970, 1, 1)
MONTH, DAY, YEAR, BLOCK = 0, 1, 2, 3
# A month's blocks: its days 1-8, 9-16, 17-24, and 25 to its end (migration 0021).
BLOCK_DAYS = 8
# Windows up to this many days are short: over a wide view they are narrowed by the
# space-time index, longer ones by space.
SHORT_WINDOW_DAYS = 62
# Views over at most this many columns of the level-16 grid are read from the column indexes
# (migration 0014: pixel coordinates shifted by 8, then the event date): for any window where
# the view is narrow (a 1280-pixel map at zoom 12 and closer), for long windows up to
# MAX_COLUMNS. Over a narrow view a column's reports of every date cost less to pass over
# than the space-time index, whose pages and rows are each read on their own: at 10,000,000
# reports, 70 short windows at zooms 12-16 took 6.2 ms at p50 instead of 9.0 in memory and
# half the time from a cold start. Over wider views (zooms 10-11) neither led.
COLUMN_LEVEL = 16
SHORT_WINDOW_COLUMNS = 128
MAX_COLUMNS = 512
STATUS_GROUPS = {"pending": 1, "published": 2, "verified": 3, "rejected": 4, "archived": 5}


@dataclass(frozen=True)
class Audience:
    """Who looks: the public (masked points, public statuses) or a reviewer (exact points)."""

    statuses: tuple[str, ...]
    exact: bool

    @property
    def groups(self) -> tuple[int, ...]:
        return tuple(STATUS_GROUPS[s] for s in self.statuses) if self.exact else (0,)

    @property
    def geometry(self):
        return geometry_for(self.exact)


def geometry_for(exact: bool):
    """The location column a viewer sees: the exact point for reviewers, else the masked one."""
    return Report.location if exact else Report.public_location


@dataclass(frozen=True)
class Cell:
    x: int
    y: int
    n: int
    sx: float
    sy: float
    west: float
    south: float
    east: float
    north: float
    # The sum of the cell's report ids: with one report (n == 1), its id.
    sid: int


def kept_levels() -> dict[int, frozenset[int]]:
    """{tier: levels} the rollups keep (read once per process)."""
    return _kept_levels(db.engine)


@lru_cache(maxsize=4)
def _kept_levels(_engine) -> dict[int, frozenset[int]]:
    rows = db.session.execute(text("SELECT tier, level FROM map_levels")).all()
    tiers = (MONTH, DAY, YEAR, BLOCK)
    return {tier: frozenset(level for t, level in rows if t == tier) for tier in tiers}


def source_level(tier: int, level: int) -> int | None:
    """The level whose rollup rows answer `level` in `tier`: the level itself where the
    rollups keep it, else the next finer one, whose cells nest four to one in the level's
    (migration 0018); None when neither is kept."""
    kept = kept_levels()[tier]
    return next((source for source in (level, level + 1) if source in kept), None)


def _day_number(moment: datetime) -> int:
    return (moment.astimezone(UTC).date() - EPOCH).days


def _month_number(day: int) -> int:
    d = EPOCH + timedelta(days=day)
    return (d.year - 1970) * 12 + d.month - 1


def _month_start_day(month: int) -> int:
    return (date(1970 + month // 12, month % 12 + 1, 1) - EPOCH).days


def _is_midnight(moment: datetime | None) -> bool:
    return moment is None or moment.astimezone(UTC).time() == datetime.min.time()


Bounds = tuple[int | None, int | None]  # [first, stop) of periods; None is open


@dataclass(frozen=True)
class Plan:
    """Which periods come from which tier.

    `months` spans every whole month of the window; of it, `years` come from the yearly
    tier and `month_parts` (the months around them) from the monthly one."""

    months: Bounds | None
    days: tuple[Bounds, ...]
    years: Bounds | None = None
    month_parts: tuple[Bounds, ...] = ()

    @property
    def monthly(self) -> tuple[Bounds, ...]:
        """The month ranges read from the monthly tier."""
        if self.years is None:
            return () if self.months is None else (self.months,)
        return self.month_parts


def plan(
    filters: ReportFilters, audience: Audience, level: int, category_ids: tuple[int, ...]
) -> Plan | None:
    """Split the time window over the rollups, or None when only reports can answer."""
    if (
        # The public rollup holds published and verified together: one alone reads reports.
        (not audience.exact and set(audience.statuses) != set(PUBLIC_STATUSES))
        or filters.text
        or filters.sources
        or len(category_ids) > 1
        or source_level(MONTH, level) is None
        or not (_is_midnight(filters.start) and _is_midnight(filters.end))
    ):
        return None
    first = _day_number(filters.start) if filters.start else None
    stop = _day_number(filters.end) if filters.end else None
    # Whole months inside [first, stop): from the first month starting on or after `first`.
    m0 = None if first is None else _month_number(first) + (0 if _is_month_start(first) else 1)
    m1 = None if stop is None else _month_number(stop)
    if m0 is not None and m1 is not None and m0 >= m1:
        edges = ((first, stop),)
        months = None
    else:
        edges = (
            ((first, _month_start_day(m0)),) if m0 is not None and first is not None else ()
        ) + (((_month_start_day(m1), stop),) if m1 is not None else ())
        edges = tuple(e for e in edges if e[0] is None or e[1] is None or e[0] < e[1])
        months = (m0, m1)
    yearly = source_level(YEAR, level) is not None
    years, month_parts = _split_years(months) if yearly else (None, ())
    if edges and source_level(DAY, level) is None:
        return None  # the days around whole months are kept at the daily levels only
    return Plan(months, edges, years, month_parts)


def finest_rolled_level(
    filters: ReportFilters,
    audience: Audience,
    category_ids: tuple[int, ...],
    low: int,
    high: int,
) -> int | None:
    """The finest level from `low` to `high` whose counts for these filters come from the
    rollups alone, None when none does."""
    for level in range(high, low - 1, -1):
        if plan(filters, audience, level, category_ids) is not None:
            return level
    return None


def _split_years(months: Bounds | None) -> tuple[Bounds | None, tuple[Bounds, ...]]:
    """Whole years inside a range of months, and the months before and after them; (None, ())
    when no whole year fits."""
    if months is None:
        return None, ()
    m0, m1 = months
    y0 = None if m0 is None else -(-m0 // 12)  # the first year starting at or after m0
    y1 = None if m1 is None else m1 // 12
    if y0 is not None and y1 is not None and y0 >= y1:
        return None, ()
    parts = []
    if y0 is not None and m0 < y0 * 12:
        parts.append((m0, y0 * 12))
    if y1 is not None and y1 * 12 < m1:
        parts.append((y1 * 12, m1))
    return (y0, y1), tuple(parts)


def _is_month_start(day: int) -> bool:
    return (EPOCH + timedelta(days=day)).day == 1


def _periods(tier: int, bounds: Bounds) -> list[int]:
    """The periods of `tier` in [first, stop); an open end stops at the events' first or last
    (none without reports)."""
    first, stop = bounds
    if first is None or stop is None:
        extent = _event_periods(tier)
        if extent is None:
            return []
        first = extent[0] if first is None else first
        stop = extent[1] + 1 if stop is None else stop
    return list(range(first, stop))


def _event_periods(tier: int) -> tuple[int, int] | None:
    """The periods of `tier` holding the earliest and the latest event, None without reports.
    A rollup row of another period holds no report any more (its count sums to zero)."""
    sql = text("SELECT min(occurred_at), max(occurred_at) FROM reports")
    earliest, latest = db.session.execute(sql).one()
    if earliest is None:
        return None
    days = _day_number(earliest), _day_number(latest)
    if tier == DAY:
        return days
    months = _month_number(days[0]), _month_number(days[1])
    return months if tier == MONTH else (months[0] // 12, months[1] // 12)


# How rollup rows are read. An index scan fetches the table's pages one at a time, in the
# order the key's index gives; from a bitmap of the index's matches the server asks the disk
# for the pages ahead. And the rows are summed per cell in a hash table: the planner, expecting
# tens of rows where a wide view brings tens of thousands, would sort them first (a zoom-10 view
# of 43,000 rows: 56 ms with the sort, 39 ms without). At 10,000,000 reports the clusters p95
# went from 110 to 85-94 ms from a cold start, and from 44 to 38 ms in memory. The functions
# that read a view's rollup rows (migration 0020) are made with these settings.
ROLLUP_READS = {"enable_indexscan": "off", "enable_sort": "off", "effective_io_concurrency": "256"}


Signed = dict[int, dict[int, int]]  # {tier: {period: +1 to add its rows, -1 to take them}}
Reads = list[tuple[int, int, int]]  # (tier, period, sign)


def signed_periods(plan_: Plan, yearly: bool, blocks: bool) -> Signed | None:
    """The plan's periods, each run read in the fewest periods: a run of months as they are or
    as their year (where the level keeps years) less the other months, and likewise a run of
    days as days or as their month less the other days, whose days are in turn read as whole
    blocks (where the level keeps them) and the days left over, as they are or as their block
    less its other days. A window from the 3rd to the 28th reads one month and five days, not
    26 days; one from the 3rd to the 20th two blocks and six days, not the month less 10 to
    13 days. Counts, sums and id sums add and take away exactly; a cell's bounds come from the
    rows added, which hold every point of the rows taken away, so they still hold every point
    of the cell. None for a window open at one end."""
    ranges = [*plan_.days, *plan_.monthly, *([plan_.years] if plan_.years is not None else [])]
    if any(first is None or stop is None for first, stop in ranges):
        return None
    reads: Reads = [(YEAR, year, 1) for year in range(*plan_.years or (0, 0))]
    for first, stop in plan_.monthly:
        for year in range(first // 12, (stop - 1) // 12 + 1):
            start = year * 12
            piece = max(first, start), min(stop, start + 12)
            reads += _either(YEAR if yearly else None, year, start, start + 12, *piece, _months)
    for first, stop in plan_.days:
        for month in range(_month_number(first), _month_number(stop - 1) + 1):
            start, end = _month_start_day(month), _month_start_day(month + 1)
            days = partial(_days_of_month, month, blocks=blocks)
            reads += _either(MONTH, month, start, end, max(first, start), min(stop, end), days)
    signed: Signed = {YEAR: {}, MONTH: {}, DAY: {}, BLOCK: {}}
    for tier, period, sign in reads:
        signed[tier][period] = signed[tier].get(period, 0) + sign
    return {tier: {p: c for p, c in periods.items() if c} for tier, periods in signed.items()}


def _either(tier: int | None, period: int, start: int, stop: int, first: int, last: int, inner):
    """Reads of [first, last) inside `period` of `tier`, which spans [start, stop): `inner`'s
    reads of it, or the period less `inner`'s reads of the rest, whichever are fewer."""
    direct = inner(first, last)
    if tier is None:
        return direct
    rest = [(t, p, -sign) for t, p, sign in inner(start, first) + inner(last, stop)]
    return [(tier, period, 1), *rest] if 1 + len(rest) < len(direct) else direct


def _months(first: int, last: int) -> Reads:
    return [(MONTH, month, 1) for month in range(first, last)]


def _days(first: int, last: int) -> Reads:
    return [(DAY, day, 1) for day in range(first, last)]


def _days_of_month(month: int, first: int, last: int, blocks: bool) -> Reads:
    """Reads of days [first, last) of `month`: by block where the level keeps blocks."""
    if not blocks:
        return _days(first, last)
    start, stop = _month_start_day(month), _month_start_day(month + 1)
    edges = [start + BLOCK_DAYS * k for k in range(4)] + [stop]
    reads: Reads = []
    for k in range(4):
        piece = max(first, edges[k]), min(last, edges[k + 1])
        if piece[0] < piece[1]:
            reads += _either(BLOCK, month * 4 + k, edges[k], edges[k + 1], *piece, _days)
    return reads


# The view's rollup rows come from `map_view_rows` (migrations 0020 and 0021), and its counts
# per period from `map_view_periods` (migration 0020): statements of one shape whatever the
# window, planned once per connection, with the settings above applied to them alone. Per-tier
# values are listed in this order.
FUNCTION_TIERS = (MONTH, DAY, YEAR, BLOCK)
PERIOD_NAMES = ((YEAR, "year"), (MONTH, "month"), (DAY, "day"), (BLOCK, "block"))
VIEW_ROWS = text(
    "SELECT * FROM map_view_rows(CAST(:groups AS smallint[]), CAST(:cats AS integer[]), "
    "CAST(:levels AS integer[]), CAST(:shifts AS integer[]), CAST(:x0s AS integer[]), "
    "CAST(:x1s AS integer[]), CAST(:y0s AS integer[]), CAST(:y1s AS integer[]), "
    + ", ".join(
        f"CAST(:{name}_add AS integer[]), CAST(:{name}_take AS integer[])"
        for _, name in PERIOD_NAMES
    )
    + ")"
)
VIEW_PERIODS = text(
    "SELECT * FROM map_view_periods(CAST(:groups AS smallint[]), CAST(:category AS integer), "
    "CAST(:levels AS integer[]), CAST(:x0s AS integer[]), CAST(:x1s AS integer[]), "
    "CAST(:y0s AS integer[]), CAST(:y1s AS integer[]), CAST(:month_periods AS integer[]), "
    "CAST(:day_periods AS integer[]))"
)


def closed_plan(plan_: Plan) -> Plan | None:
    """The plan with the open ends of its months and years at the earliest and latest event's
    (no rollup row lies beyond them), None when there are no reports. Days are always bounded:
    a plan reads days only around whole months."""
    if all(b is None or None not in b for b in (plan_.months, plan_.years)):
        return plan_
    extent = _event_periods(MONTH)
    if extent is None:
        return None
    first, last = extent

    def close(bounds: Bounds | None, low: int, stop: int) -> Bounds | None:
        if bounds is None:
            return None
        return (low if bounds[0] is None else bounds[0], stop if bounds[1] is None else bounds[1])

    return replace(
        plan_,
        months=close(plan_.months, first, last + 1),
        years=close(plan_.years, first // 12, last // 12 + 1),
    )


def _disjoint(cells: CellRange) -> CellRange:
    """The view with its column ranges merged where they overlap (a view crossing the
    antimeridian whose two edges fall in one cell), so that no cell is read twice."""
    merged: list[tuple[int, int]] = []
    for x0, x1 in sorted(cells.xs):
        if merged and x0 <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], x1))
        else:
            merged.append((x0, x1))
    return replace(cells, xs=tuple(merged))


def _view_values(cells: CellRange, audience: Audience, tiers: tuple[int, ...], i: int) -> dict:
    """The values that place the functions' reads in the view's i-th column range: for each
    tier, the level its rows are read at (a level the rollups skip is read from the next finer
    one, its cells halved into the view's) and the range of cells there."""
    # A tier the level does not keep (years, at some levels) has no periods: any level will do.
    sources = [cells.at_level(source_level(t, cells.level) or cells.level) for t in tiers]
    return {
        "groups": list(audience.groups),
        "levels": [s.level for s in sources],
        "shifts": [s.level - cells.level for s in sources],
        "x0s": [s.xs[i][0] for s in sources],
        "x1s": [s.xs[i][1] for s in sources],
        "y0s": [s.y0 for s in sources],
        "y1s": [s.y1 for s in sources],
    }


def rollup_rows(cells: CellRange, audience: Audience, plan_: Plan, categories: list[int]) -> list:
    """Rollup rows of the view's cells per category, summed over the plan's periods: rows of
    (x, y, category, n, sx, sy, west, south, east, north, sid)."""
    closed = closed_plan(plan_)
    if closed is None:
        return []
    signed = signed_periods(
        closed,
        source_level(YEAR, cells.level) is not None,
        source_level(BLOCK, cells.level) is not None,
    )
    cells = _disjoint(cells)
    # A period is added or taken away once (its sign) but for odd windows: layer by layer.
    depth = max((abs(c) for periods in signed.values() for c in periods.values()), default=0)
    rows: list = []
    for i in range(len(cells.xs)):
        values = {**_view_values(cells, audience, FUNCTION_TIERS, i), "cats": categories}
        for layer in range(1, depth + 1):
            for tier, name in PERIOD_NAMES:
                periods = signed[tier].items()
                values[f"{name}_add"] = sorted(p for p, c in periods if c >= layer)
                values[f"{name}_take"] = sorted(p for p, c in periods if c <= -layer)
            rows += read(VIEW_ROWS, values).all()
    return rows


def listed_categories(category_ids: tuple[int, ...]) -> tuple[int, ...]:
    """Categories whose counts a cluster lists, in id order: the top-level ones, or the one
    filtered on and its children (a dozen at most, so that a view of a few hundred clusters
    stays small)."""
    category = category_ids[0] if len(category_ids) == 1 else 0
    parents = categories_cache.parents()
    if not category:
        return tuple(sorted(c for c, parent in parents.items() if parent is None))
    return tuple(sorted(c for c, parent in parents.items() if category in (c, parent)))


def category_family(slugs: tuple[str, ...]) -> list[int]:
    """The ids of the categories `slugs` names and of their subcategories, from the categories
    kept in memory, as the map's other reads take them (no statement of its own)."""
    known = categories_cache.get(list(slugs))
    named = {known[slug] for slug in slugs if slug in known}
    parents = categories_cache.parents()
    return sorted(c for c, parent in parents.items() if c in named or parent in named)


def _cell_expressions(geometry, level: int | None):
    """A point's cell (x, y) at `level`, and its lon and lat. With a level, the shift is
    written into the SQL, so that the expression is the one an index was made on; without
    one it is the value `shift`."""
    by = (
        bindparam("shift", type_=Integer)
        if level is None
        else literal_column(str(PIXEL_LEVEL - level))
    )
    lon, lat = func.ST_X(geometry), func.ST_Y(geometry)
    return func.map_mx(lon).op(">>")(by), func.map_my(lat).op(">>")(by), lon, lat


@dataclass(frozen=True)
class RawShape:
    """What the statement counting a view from reports is made of, apart from its values:
    statements are made once per shape and sent with the request's values (making one costs
    more than a small view's count)."""

    exact: bool
    # The filters set, by their names in FILTER_TERMS.
    terms: tuple[str, ...]
    # How the view narrows the reports (see _space_time_box): "columns", "space-time" or
    # "envelopes", over `boxes` envelopes; and the view's column ranges.
    box: str
    boxes: int
    ranges: int


def raw_clauses(
    filters: ReportFilters, audience: Audience, cells: CellRange
) -> tuple[RawShape, dict]:
    """The shape of the filters over reports for the view's cells (`shaped_clauses` makes
    them), and the values they take."""
    box, boxes, values = _space_time_box(cells, filters.start, filters.end)
    terms = filter_values(filters, family_of=category_family)
    shape = RawShape(audience.exact, tuple(terms), box, boxes, len(cells.xs))
    values.update(terms)
    values.update(
        statuses=list(audience.statuses), shift=PIXEL_LEVEL - cells.level, y0=cells.y0, y1=cells.y1
    )
    for i, (x0, x1) in enumerate(cells.xs):
        values[f"x0_{i}"], values[f"x1_{i}"] = x0, x1
    return shape, values


@lru_cache(maxsize=256)
def shaped_clauses(shape: RawShape) -> tuple[ColumnElement, ...]:
    """The filters over reports of a shape of request, with its values to come."""
    geometry = geometry_for(shape.exact)
    x, y, _lon, _lat = _cell_expressions(geometry, None)
    clauses = [
        Report.status.in_(bindparam("statuses", expanding=True)),
        geometry.is_not(None),
        *(FILTER_TERMS[name].bound(name) for name in shape.terms),
    ]
    clauses.append(_box_clause(shape, geometry))
    clauses.append(y.between(bindparam("y0"), bindparam("y1")))
    clauses.append(
        or_(*(x.between(bindparam(f"x0_{i}"), bindparam(f"x1_{i}")) for i in range(shape.ranges)))
    )
    return tuple(clauses)


def _space_time_box(cells: CellRange, start, end) -> tuple[str, int, dict]:
    """How the view narrows the reports, as the clause an index answers best: for a narrow
    view, or a long window over one of up to MAX_COLUMNS columns, the view's columns of the
    level-16 grid from the column index, read without the heap ("columns"); for a short
    window over a wider view, (lon, lat, event day) inside a box of the space-time index
    ("space-time"); else the point inside the envelope of the spatial index ("envelopes": a
    space-time box that is narrow in space but long in time visits much of its index). It
    only narrows; cells and times decide. Returns the kind, the number of boxes and their
    values."""
    first = _day_number(start) if start is not None else None
    last = _day_number(end) if end is not None else None
    short = first is not None and last is not None and last - first <= SHORT_WINDOW_DAYS
    grid = cells.at_level(COLUMN_LEVEL)
    columns = grid.columns()
    if len(columns) <= (SHORT_WINDOW_COLUMNS if short else MAX_COLUMNS):
        return "columns", 0, {"columns": columns, "grid_y0": grid.y0, "grid_y1": grid.y1}
    pad = 1e-9
    values: dict = {}
    envelopes = cells.bounds()
    for i, (w, s, e, n) in enumerate(envelopes):
        values.update({f"w_{i}": w - pad, f"s_{i}": s - pad, f"e_{i}": e + pad, f"n_{i}": n + pad})
    if short:
        values.update(first=first, last=last)
    return ("space-time" if short else "envelopes"), len(envelopes), values


def _box_clause(shape: RawShape, geometry) -> ColumnElement:
    if shape.box == "columns":
        column_of, row_of, _lon, _lat = _cell_expressions(geometry, COLUMN_LEVEL)
        listed = bindparam("columns", type_=ARRAY(Integer))
        return and_(
            column_of == any_(listed), row_of.between(bindparam("grid_y0"), bindparam("grid_y1"))
        )
    point = func.map_xyt(geometry, Report.occurred_at)

    def box(i: int) -> ColumnElement:
        w, s, e, n = (bindparam(f"{side}_{i}", type_=Float) for side in "wsen")
        if shape.box == "envelopes":
            return geometry.op("&&")(func.ST_MakeEnvelope(w, s, e, n, 4326))
        low = func.ST_MakePoint(w, s, bindparam("first", type_=Float))
        high = func.ST_MakePoint(e, n, bindparam("last", type_=Float))
        return point.op("&&&")(func.ST_3DMakeBox(low, high))

    return or_(*(box(i) for i in range(shape.boxes)))


def read(statement, values: dict | None = None) -> Result:
    """A map read run on the session's connection and transaction, without the ORM: its rows
    are numbers and columns, which the ORM's handling of statements and results (made for
    objects) only slows. At 1,000,000 reports, requests alternating in one process: clusters
    2.62 ms at p50 where they took 2.72 through the ORM."""
    return db.session.connection().execute(statement, values)


def begin_reads() -> None:
    """The request's statements run each on its own, outside a transaction, where the request
    has not begun one: a map answer only reads, and the transaction's BEGIN and ROLLBACK
    were two of the four round trips of a typical view (at 1,000,000 reports, in the app:
    clusters 2.09 ms at p50 instead of 2.33). Each statement sees the reports as they were
    when it began; the reads of one answer agree whatever changed between them: a single
    report is read again by key, and one that has since moved or left the audience's
    statuses is left a cluster of one.

    A session already in a transaction, or joined to one (tests), keeps it."""
    session = db.session()
    if session.in_transaction() or not isinstance(session.get_bind(), Engine):
        return
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def _outside_transaction() -> bool:
    return bool(db.session.connection().connection.driver_connection.autocommit)


@contextmanager
def local_settings(values: dict[str, str]) -> Iterator[None]:
    """Planner settings changed for the statements run inside; the earlier values return
    after, also when the block raises. One statement each way. Within a transaction they are
    the transaction's own; outside one (`begin_reads`), the connection's until restored."""
    names, wanted = list(values), list(values.values())
    local = "false" if _outside_transaction() else "true"
    # Each name's value is read before it is changed: rows of a materialized CTE are made
    # before the outer query evaluates its select list for them.
    change = text(
        "WITH s AS MATERIALIZED (SELECT n, v, current_setting(n) AS was "
        "FROM unnest(CAST(:names AS text[]), CAST(:wanted AS text[])) AS u (n, v)) "
        f"SELECT was, set_config(n, v, {local}) FROM s"
    )
    before = [row[0] for row in read(change, {"names": names, "wanted": wanted})]
    try:
        yield
    finally:
        restore = text(
            f"SELECT set_config(n, v, {local}) "
            "FROM unnest(CAST(:names AS text[]), CAST(:before AS text[])) AS u (n, v)"
        )
        read(restore, {"names": names, "before": before}).all()


@contextmanager
def custom_plans() -> Iterator[None]:
    """Statements run inside are planned for their own values, each time: never kept as
    prepared statements, whose plan the server may come to keep for any values.

    For statements that read reports themselves. Such reads differ per view and window: a
    plan kept for one view can be ruinous for the next (a single-cell probe turned into a
    scan). Statements the driver would prepare are kept unprepared instead, which costs no
    round trip; the rollup functions keep their own plans. (The connections' other settings
    for map reads, work_mem and jit, are in config.py.)"""
    driver = db.session.connection().connection.driver_connection
    kept = driver.prepare_threshold
    driver.prepare_threshold = None
    try:
        yield
    finally:
        driver.prepare_threshold = kept


def raw_counts(filters, audience, cells, total: int, breakdown: tuple[int, ...]):
    """The same rows as the rollups, counted from reports: per cell, one row under `total`
    with sums and bounds, and one per category of `breakdown` (a report once under each of its
    categories and their parents). Returns the statement and its values."""
    shape, values = raw_clauses(filters, audience, cells)
    values.update(total=total, breakdown=list(breakdown))
    return _raw_counts_statement(shape, bool(breakdown)), values


@lru_cache(maxsize=256)
def _raw_counts_statement(shape: RawShape, breakdown: bool):
    geometry = geometry_for(shape.exact)
    x, y, lon, lat = _cell_expressions(geometry, None)
    matched = (
        select(
            Report.id.label("id"),
            x.label("x"),
            y.label("y"),
            lon.label("lon"),
            lat.label("lat"),
            Report.category_ids.label("category_ids"),
        )
        .where(*shaped_clauses(shape))
        .cte("matched")
    )
    totals = select(
        matched.c.x,
        matched.c.y,
        bindparam("total", type_=Integer).label("category"),
        func.count().label("n"),
        func.sum(matched.c.lon).label("sx"),
        func.sum(matched.c.lat).label("sy"),
        func.min(matched.c.lon).label("west"),
        func.min(matched.c.lat).label("south"),
        func.max(matched.c.lon).label("east"),
        func.max(matched.c.lat).label("north"),
        cast(func.sum(matched.c.id), BigInteger).label("sid"),
    ).group_by(matched.c.x, matched.c.y)
    if not breakdown:
        return totals
    # Each category under itself and its parent, among those listed: a small table made once
    # per statement, joined to the category ids each matched report carries.
    tags = (
        func.unnest(array([Category.id, Category.parent_id]))
        .table_valued("c")
        .render_derived()
        .lateral()
    )
    closure = (
        select(Category.id.label("category_id"), tags.c.c)
        .join(tags, true())
        .where(tags.c.c.in_(bindparam("breakdown", expanding=True)))
        .cte("closure")
        .prefix_with("MATERIALIZED")
    )
    links = (
        func.unnest(matched.c.category_ids).table_valued("category_id").render_derived().lateral()
    )
    nothing = null().cast(Float)
    per_category = (
        select(
            matched.c.x,
            matched.c.y,
            closure.c.c,
            func.count(matched.c.id.distinct()),
            *(nothing for _ in range(6)),
            null().cast(BigInteger),
        )
        .select_from(matched)
        .join(links, true())
        .join(closure, closure.c.category_id == links.c.category_id)
        .group_by(matched.c.x, matched.c.y, closure.c.c)
    )
    return union_all(totals, per_category)


def view_counts(
    filters: ReportFilters,
    audience: Audience,
    cells: CellRange,
    category_ids: tuple[int, ...],
    listed: tuple[int, ...] | None,
) -> tuple[list[Cell], dict[tuple[int, int], dict[int, int]]]:
    """The view's cells holding matching reports (count, sums, bounds) and, unless `listed` is
    None, {(x, y): {category id: count}} for the categories `listed_categories` gives."""
    total = category_ids[0] if len(category_ids) == 1 else 0
    by_category = listed is not None
    breakdown = tuple(c for c in listed or () if c != total)
    plan_ = plan(filters, audience, cells.level, category_ids)
    # Rows are (x, y, category, n, sx, sy, west, south, east, north, sid), fetched all at once
    # and read by position: a view can bring thousands of them.
    rows: list = []
    if plan_ is None:
        statement, values = raw_counts(filters, audience, cells, total, breakdown)
        with custom_plans():
            rows += read(statement, values).all()
    else:
        rows += rollup_rows(cells, audience, plan_, [total, *breakdown])
    found = list(_merge(row for row in rows if row[2] == total))
    per_cell: dict[tuple[int, int], dict[int, int]] = {}
    if by_category:
        for x, y, category, n, *_sums in rows:
            if n and (category != total or total):
                counts = per_cell.setdefault((x, y), {})
                counts[category] = counts.get(category, 0) + n
    return found, per_cell


def cell_counts(
    filters: ReportFilters, audience: Audience, cells: CellRange, category_ids: tuple[int, ...]
) -> list[Cell]:
    """The cells of the view holding matching reports, with count, sums and bounds."""
    return view_counts(filters, audience, cells, category_ids, None)[0]


def _merge(rows) -> Iterator[Cell]:
    """Cells from rows of (x, y, category, n, sx, sy, west, south, east, north, sid), adding
    up the rows of one cell (from rollups of several tiers, and from reports)."""
    merged: dict[tuple[int, int], list] = {}
    for x, y, _category, n, sx, sy, west, south, east, north, sid in rows:
        if n == 0:
            continue
        m = merged.get((x, y))
        if m is None:
            merged[(x, y)] = [n, sx, sy, west, south, east, north, sid]
            continue
        m[0] += n
        m[1] += sx
        m[2] += sy
        m[3], m[4] = _least(m[3], west), _least(m[4], south)
        m[5], m[6] = _greatest(m[5], east), _greatest(m[6], north)
        m[7] += sid
    for (x, y), m in merged.items():
        if m[0] > 0:
            yield Cell(x, y, *m)


def _least(a, b):
    return b if a is None else a if b is None else min(a, b)


def _greatest(a, b):
    return b if a is None else a if b is None else max(a, b)


def period_counts(
    filters: ReportFilters,
    audience: Audience,
    cells: CellRange,
    category_ids: tuple[int, ...],
    tier: int,
) -> dict[int, int]:
    """{month or day number: matching reports in the view's cells}."""
    plan_ = plan(filters, audience, cells.level, category_ids)
    counts: dict[int, int] = {}
    if plan_ is None or (tier == DAY and source_level(DAY, cells.level) is None):
        _add_raw_periods(counts, filters, audience, cells, tier)
        return counts
    windows = [(MONTH, plan_.months)] if tier == MONTH and plan_.months is not None else []
    if tier == DAY:
        first = _day_number(filters.start) if filters.start else None
        windows.append((DAY, (first, _day_number(filters.end) if filters.end else None)))
    else:
        windows += [(DAY, days) for days in plan_.days]
    periods: dict[int, list[int]] = {MONTH: [], DAY: []}
    for source, bounds in windows:
        periods[source] += _periods(source, bounds)
    cells = _disjoint(cells)
    for i in range(len(cells.xs)):
        values = {
            **_view_values(cells, audience, (MONTH, DAY), i),
            "category": category_ids[0] if category_ids else 0,
            "month_periods": periods[MONTH],
            "day_periods": periods[DAY],
        }
        for source, value, n in read(VIEW_PERIODS, values):
            key = _month_number(value) if source == DAY and tier == MONTH else value
            counts[key] = counts.get(key, 0) + n
    return counts


def _add_raw_periods(counts, filters, audience, cells, tier) -> None:
    shape, values = raw_clauses(filters, audience, cells)
    with custom_plans():
        rows = read(_raw_periods_statement(shape, tier), values).all()
    for value, n in rows:
        counts[value] = counts.get(value, 0) + n


@lru_cache(maxsize=256)
def _raw_periods_statement(shape: RawShape, tier: int):
    period = (func.map_month if tier == MONTH else func.map_day)(Report.occurred_at)
    return select(period, func.count()).where(*shaped_clauses(shape)).group_by(period)
