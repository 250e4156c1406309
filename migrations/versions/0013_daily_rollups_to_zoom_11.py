"""Daily map rollups for zooms 9 to 11 too.

Up to zoom 11 the monthly and yearly tiers answer whole months and years, but the days around
them (the edges of most windows) were counted from the reports at zooms 9 to 11, which for a
dense town meant tens of thousands of rows per view. With daily cells at levels 11 to 13 every
window at zooms 0 to 11 is answered from the rollups alone.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

DAY_LEVELS = (11, 12, 13)


def upgrade():
    _day_levels("INSERT INTO map_levels (tier, level) SELECT 1, unnest(CAST(:levels AS int[]))")
    op.execute("SELECT map_cells_rebuild()")


def downgrade():
    op.execute("SELECT map_cells_fold()")
    _day_levels("DELETE FROM map_cells WHERE tier = 1 AND level = ANY(CAST(:levels AS int[]))")
    _day_levels("DELETE FROM map_levels WHERE tier = 1 AND level = ANY(CAST(:levels AS int[]))")


def _day_levels(statement: str) -> None:
    op.get_bind().execute(sa.text(statement), {"levels": list(DAY_LEVELS)})
