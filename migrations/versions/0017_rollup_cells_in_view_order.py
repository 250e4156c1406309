"""Map rollups keyed, and stored, in the order a view reads them: period, x, y, then category.

A map view reads, for each period of its window, a range of cells and in each cell the total
and one row per category it lists. Keyed by category before period, each category of each
period was an index search of its own: a view without a category filter made thirteen per
period, each reading its own pages, which cost a few hundred milliseconds where the pages were
not in memory. With the category last, a period is one search, and a cell's rows share a page.
The table is rewritten in the key's order, and the rebuild writes it in that order.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

OLD_KEY = "grp, tier, level, category, period, x, y"
NEW_KEY = "grp, tier, level, period, x, y, category"
# (text before, text after, occurrences) in map_cells_rebuild(): its key, and the order it
# writes each level in.
REBUILD_EDITS = [
    (f"PRIMARY KEY ({OLD_KEY})", f"PRIMARY KEY ({NEW_KEY})", 1),
    ("ORDER BY grp, category, period, x, y", "ORDER BY grp, period, x, y, category", 2),
]


def upgrade():
    _rekey(NEW_KEY, upgrading=True)


def downgrade():
    _rekey(OLD_KEY, upgrading=False)


def _rekey(key: str, upgrading: bool) -> None:
    op.execute("SELECT map_cells_fold()")
    op.execute("ALTER TABLE map_cells DROP CONSTRAINT pk_map_cells")
    op.execute(f"ALTER TABLE map_cells ADD CONSTRAINT pk_map_cells PRIMARY KEY ({key})")
    conn = op.get_bind()
    definition = conn.execute(
        sa.text("SELECT pg_get_functiondef(CAST('map_cells_rebuild()' AS regprocedure))")
    ).scalar_one()
    for before, after, occurrences in REBUILD_EDITS:
        before, after = (before, after) if upgrading else (after, before)
        assert definition.count(before) == occurrences, "map_cells_rebuild is not the one expected"
        definition = definition.replace(before, after)
    op.execute(definition)
    op.execute("CLUSTER map_cells USING pk_map_cells")
    op.execute("ANALYZE map_cells")
