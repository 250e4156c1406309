"""Map reads finer than the rollups use the index made for them: narrow views and long windows
the column indexes, short windows over wider views the space-time index, single-report cells
the reports' key."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from mapper.extensions import db
from mapper.geo.cells import cells_covering
from mapper.geo.points import BBox
from mapper.models import PUBLIC_STATUSES, Category, Report
from mapper.query.filters import ReportFilters
from mapper.query.grid import (
    Audience,
    listed_categories,
    raw_clauses,
    raw_counts,
    shaped_clauses,
)
from mapper.query.maps import single_reports_statement

VIEW = BBox(102.5, 13.6, 102.7, 13.9)  # zoom 12-14 in a town
WEEKS = ReportFilters(start=datetime(2024, 1, 1, tzinfo=UTC), end=datetime(2024, 1, 20, tzinfo=UTC))


@pytest.fixture
def stored(db_session):
    """Enough reports for the planner to weigh its indexes as it would in service."""
    from mapper.seed import seed_reports

    seed_reports(1000, random_seed=5)
    db.session.execute(text("ANALYZE reports"))


def _plan(filters: ReportFilters, audience: Audience, level: int, view: BBox = VIEW) -> str:
    shape, values = raw_clauses(filters, audience, cells_covering(view, level))
    return _explain(select(Report.id).where(*shaped_clauses(shape)), values)


def _explain(statement, values: dict | None = None) -> str:
    expanded = statement.compile(db.engine).construct_expanded_state(values or {})
    cursor = db.session.connection().connection.driver_connection.cursor()
    cursor.execute("SET LOCAL enable_seqscan = off")  # a test database is small
    cursor.execute("EXPLAIN " + expanded.statement, expanded.parameters)
    return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("audience", "index"),
    [
        (Audience(PUBLIC_STATUSES, exact=False), "ix_reports_public_cells"),
        (Audience(("pending", "verified"), exact=True), "ix_reports_exact_cells"),
    ],
)
@pytest.mark.parametrize("level", [14, 16, 18])
def test_a_long_window_reads_the_views_columns_without_the_heap(stored, audience, index, level):
    years = ReportFilters(
        start=datetime(2022, 1, 1, tzinfo=UTC), end=datetime(2025, 1, 1, tzinfo=UTC)
    )
    assert f"Index Only Scan using {index}" in _plan(years, audience, level)


@pytest.mark.parametrize(
    ("audience", "index"),
    [
        (Audience(PUBLIC_STATUSES, exact=False), "ix_reports_public_cells"),
        (Audience(("pending", "verified"), exact=True), "ix_reports_exact_cells"),
    ],
)
def test_a_category_filter_and_breakdown_read_the_column_index_alone(stored, audience, index):
    """The reports' category ids ride in the index: no link is looked up per report."""
    years = ReportFilters(
        start=datetime(2022, 1, 1, tzinfo=UTC),
        end=datetime(2025, 1, 1, tzinfo=UTC),
        categories=("forced-labour",),
    )
    parent = db.session.scalar(select(Category.id).where(Category.slug == "forced-labour"))
    children = tuple(c for c in listed_categories((parent,)) if c != parent)
    assert children, "forced-labour lists no subcategories: the breakdown would be empty"
    statement, values = raw_counts(years, audience, cells_covering(VIEW, 16), parent, children)
    plan = _explain(statement, values)
    assert f"Index Only Scan using {index}" in plan
    assert "report_categories" not in plan
    reads = [line for line in plan.splitlines() if " on reports" in line]
    assert reads and all("Index Only Scan" in line for line in reads), plan


def test_a_short_window_over_a_narrow_view_is_narrowed_by_its_columns(stored):
    """Asked of the statement rather than its plan: in a test database's thousand reports a
    few weeks are found fastest by their dates, where in service they are not."""
    cells = cells_covering(VIEW, 14)
    shape, _values = raw_clauses(WEEKS, Audience(PUBLIC_STATUSES, exact=False), cells)
    sql = str(select(Report.id).where(*shaped_clauses(shape)).compile(db.engine))
    assert "(map_mx(ST_X(reports.public_location)) >> 8) = ANY" in sql
    assert "map_xyt" not in sql


def test_a_short_window_over_a_wider_view_keeps_the_space_time_index(stored):
    """A zoom-10 view spans some 270 columns: the space-time index passes over fewer dates."""
    plan = _plan(WEEKS, Audience(PUBLIC_STATUSES, exact=False), 12, BBox(102, 13, 103.5, 14))
    assert "ix_reports_public_xyt" in plan
    assert "_cells" not in plan


def test_a_wide_view_keeps_the_spatial_index(stored):
    """Hundreds of columns would cost more descents than the spatial index's candidates."""
    years = ReportFilters(
        start=datetime(2022, 1, 1, tzinfo=UTC), end=datetime(2025, 1, 1, tzinfo=UTC)
    )
    plan = _plan(years, Audience(PUBLIC_STATUSES, exact=False), 8, BBox(95, 5, 115, 20))
    assert "idx_reports_public_location" in plan
    assert "_cells" not in plan


@pytest.mark.parametrize(
    "audience",
    [Audience(PUBLIC_STATUSES, exact=False), Audience(("pending", "verified"), exact=True)],
)
def test_single_report_cells_are_read_by_key(stored, audience):
    """A cell of one report names it by its id: its row is read by key, with no search of
    the location indexes."""
    plan = _explain(single_reports_statement(audience), {"ids": [3, 141, 592]})
    assert "pk_reports" in plan
    assert "location" not in plan
    assert "xyt" not in plan
