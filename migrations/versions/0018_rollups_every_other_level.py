"""Map rollups kept at every other level below the finest: 2, 3, 5, 7, 9, 11 and 13.

A level's cells nest four to one in the level above, so a view at a level left out is read
from the next finer one and its cells summed two columns and two rows at a time: a little more
to read for that view (a quarter more rows at level 12, two fifths more at level 8, as the
reports of a cell spread over fewer cells than four), and close to half the rollups to store,
keep in memory and fold each change into. The rebuild steps down through every level from the
finest and writes only those kept.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

LEFT_OUT = [4, 6, 8, 10, 12]
TIERS = [0, 1, 2]  # month, day, year
KEY = "grp, tier, level, period, x, y, category"
# (text before, text after, occurrences) in map_cells_rebuild(): the coarser levels' loop
# steps through every level, and writes the kept ones.
REBUILD_EDITS = [
    (
        "FOR lv IN SELECT level FROM map_levels WHERE tier = t AND level < finest\n"
        "                  ORDER BY level DESC LOOP",
        "FOR lv IN SELECT generate_series(finest - 1,\n"
        "                     (SELECT min(level) FROM map_levels WHERE tier = t), -1) LOOP",
        1,
    ),
    (
        "SELECT grp, t, lv, category, x, y, period, n, sx, sy, west, south, east, north, sid\n"
        "            FROM map_level_cells\n",
        "SELECT grp, t, lv, category, x, y, period, n, sx, sy, west, south, east, north, sid\n"
        "            FROM map_level_cells\n"
        "            WHERE EXISTS (SELECT FROM map_levels WHERE tier = t AND level = lv)\n",
        1,
    ),
]


def upgrade():
    op.execute("SELECT map_cells_fold()")
    _edit_rebuild(upgrading=True)
    levels = {"levels": LEFT_OUT}
    conn = op.get_bind()
    conn.execute(sa.text("DELETE FROM map_levels WHERE level = ANY(:levels)"), levels)
    # The rows kept are written again in the key's order, and the table takes their room only:
    # rows deleted in this transaction would still be copied by CLUSTER.
    conn.execute(
        sa.text(
            "CREATE TEMP TABLE map_cells_kept ON COMMIT DROP AS "
            "SELECT * FROM map_cells WHERE level <> ALL(:levels)"
        ),
        levels,
    )
    op.execute("TRUNCATE map_cells")
    op.execute("ALTER TABLE map_cells DROP CONSTRAINT pk_map_cells")
    op.execute(f"INSERT INTO map_cells SELECT * FROM map_cells_kept ORDER BY {KEY}")
    op.execute(f"ALTER TABLE map_cells ADD CONSTRAINT pk_map_cells PRIMARY KEY ({KEY})")
    op.execute("DROP TABLE map_cells_kept")
    op.execute("ANALYZE map_cells")


def downgrade():
    _edit_rebuild(upgrading=False)
    op.get_bind().execute(
        sa.text(
            "INSERT INTO map_levels (tier, level) "
            "SELECT t, l FROM unnest(CAST(:tiers AS int[])) AS t, "
            "unnest(CAST(:levels AS int[])) AS l"
        ),
        {"tiers": TIERS, "levels": LEFT_OUT},
    )
    op.execute("SELECT map_cells_rebuild()")


def _edit_rebuild(upgrading: bool) -> None:
    conn = op.get_bind()
    definition = conn.execute(
        sa.text("SELECT pg_get_functiondef(CAST('map_cells_rebuild()' AS regprocedure))")
    ).scalar_one()
    for before, after, occurrences in REBUILD_EDITS:
        before, after = (before, after) if upgrading else (after, before)
        assert definition.count(before) == occurrences, "map_cells_rebuild is not the one expected"
        definition = definition.replace(before, after)
    op.execute(definition)
