"""Space-time indexes: reports as (lon, lat, event day) points in an N-D GiST index, one over
public points of published and verified reports, one over exact points, so that a map view
and a short time window narrow the reports together. Daily map rollups two levels deeper.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

UPGRADE = """
CREATE FUNCTION map_xyt(g geometry, t timestamptz) RETURNS geometry
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ST_MakePoint(ST_X(g), ST_Y(g), map_day(t))
$$;

CREATE INDEX ix_reports_public_xyt ON reports
    USING gist (map_xyt(public_location, occurred_at) gist_geometry_ops_nd)
    WHERE status IN ('published', 'verified');

CREATE INDEX ix_reports_exact_xyt ON reports
    USING gist (map_xyt(location, occurred_at) gist_geometry_ops_nd);

ANALYZE reports;
"""

# Daily rollups for zooms 7 and 8 too: the days around whole months come from them there.
DAY_LEVELS = (9, 10)

DOWNGRADE = """
DROP INDEX ix_reports_exact_xyt;
DROP INDEX ix_reports_public_xyt;
DROP FUNCTION map_xyt(geometry, timestamptz);
"""


def upgrade():
    op.execute(UPGRADE)
    _day_levels("INSERT INTO map_levels (tier, level) SELECT 1, unnest(CAST(:levels AS int[]))")


def downgrade():
    _day_levels("DELETE FROM map_levels WHERE tier = 1 AND level = ANY(CAST(:levels AS int[]))")
    op.execute(DOWNGRADE)


def _day_levels(statement: str) -> None:
    op.get_bind().execute(sa.text(statement), {"levels": list(DAY_LEVELS)})
    op.execute("SELECT map_cells_rebuild()")
