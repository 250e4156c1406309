"""Column indexes: reports by (column, row) of the level-16 map grid and event date, carrying
their id, point and status, one over public points of published and verified reports, one
over exact points.

Views finer than the rollups (zooms 12 and up) with windows too long for the space-time index
counted their reports from the heap, one random page per report: tens of thousands of pages
for a dense town at 10,000,000 reports. Listing the view's grid columns reads each column's
rows in order from the index alone.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-23
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE INDEX ix_reports_public_cells ON reports
    ((map_mx(ST_X(public_location)) >> 8), (map_my(ST_Y(public_location)) >> 8), occurred_at)
    INCLUDE (id, public_location, status)
    WHERE status IN ('published', 'verified') AND public_location IS NOT NULL;

CREATE INDEX ix_reports_exact_cells ON reports
    ((map_mx(ST_X(location)) >> 8), (map_my(ST_Y(location)) >> 8), occurred_at)
    INCLUDE (id, location, status)
    WHERE location IS NOT NULL;

ANALYZE reports;
"""


def upgrade():
    op.execute(UPGRADE)


def downgrade():
    op.execute("DROP INDEX ix_reports_exact_cells; DROP INDEX ix_reports_public_cells;")
