"""Long windows over views finer than the rollups are read from the column indexes alone."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from mapper.extensions import db
from mapper.geo.cells import cells_covering
from mapper.geo.points import BBox
from mapper.models import PUBLIC_STATUSES, Report
from mapper.query.filters import ReportFilters
from mapper.query.grid import Audience, raw_clauses

VIEW = BBox(102.5, 13.6, 102.7, 13.9)  # zoom 12-14 in a town


@pytest.fixture
def stored(db_session):
    """Enough reports for the planner to weigh its indexes as it would in service."""
    from mapper.seed import seed_reports

    seed_reports(1000, random_seed=5)
    db.session.execute(text("ANALYZE reports"))


def _plan(filters: ReportFilters, audience: Audience, level: int, view: BBox = VIEW) -> str:
    statement = select(Report.id).where(
        *raw_clauses(filters, audience, cells_covering(view, level))
    )
    compiled = statement.compile(db.engine, compile_kwargs={"render_postcompile": True})
    cursor = db.session.connection().connection.driver_connection.cursor()
    cursor.execute("SET LOCAL enable_seqscan = off")  # a test database is small
    cursor.execute("EXPLAIN " + str(compiled), compiled.params)
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


def test_a_short_window_keeps_the_space_time_index(stored):
    weeks = ReportFilters(
        start=datetime(2024, 1, 1, tzinfo=UTC), end=datetime(2024, 1, 20, tzinfo=UTC)
    )
    plan = _plan(weeks, Audience(PUBLIC_STATUSES, exact=False), 14)
    assert "ix_reports_public_xyt" in plan
    assert "_cells" not in plan


def test_a_wide_view_keeps_the_spatial_index(stored):
    """Hundreds of columns would cost more descents than the spatial index's candidates."""
    years = ReportFilters(
        start=datetime(2022, 1, 1, tzinfo=UTC), end=datetime(2025, 1, 1, tzinfo=UTC)
    )
    plan = _plan(years, Audience(PUBLIC_STATUSES, exact=False), 8, BBox(95, 5, 115, 20))
    assert "_cells" not in plan
