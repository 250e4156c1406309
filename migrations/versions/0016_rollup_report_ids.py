"""Map rollups carry the sum of their reports' ids.

Kept like the count: each change adds or takes away its report's id. Where a view's cell
counts one report, the sum is that report's id, so the map fetches it by its key; before, it
searched the cell's envelope for it through the location indexes, one probe per cell. The
rollups are counted again from the reports.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# (function, [(text before, text after, occurrences)]): upgrading writes each text after in
# place of the one before, downgrading the reverse.
EDITS = [
    (
        "map_change_of(reports, integer, integer)",
        [("r.occurred_at, category, sign)::", "r.occurred_at, category, sign, r.id)::", 1)],
    ),
    (
        "map_cells_apply(map_change[])",
        [
            ("lon, lat, sign)\n", "lon, lat, sign, report_id)\n", 1),
            ("g.lon, g.lat, c.sign\n", "g.lon, g.lat, c.sign, c.report_id\n", 1),
        ],
    ),
    (
        "map_cells_fold()",
        [
            ("east, north)\n", "east, north, sid)\n", 1),
            (
                "max(g.lat) FILTER (WHERE g.sign > 0)\n",
                "max(g.lat) FILTER (WHERE g.sign > 0),\n"
                "               sum(g.sign * g.report_id)\n",
                1,
            ),
            ("excluded.north)\n", "excluded.north),\n            sid = m.sid + excluded.sid\n", 1),
        ],
    ),
    (
        "map_cells_rebuild()",
        [
            ("AS day, c.category\n", "AS day, c.category, r.id AS report_id\n", 1),
            (
                "max(p.lat) AS north\n",
                "max(p.lat) AS north,\n               sum(p.report_id)::bigint AS sid\n",
                1,
            ),
            (
                "max(north) AS north\n",
                "max(north) AS north,\n                   sum(sid)::bigint AS sid\n",
                1,
            ),
            ("east, north)\n", "east, north, sid)\n", 2),
            ("west, south, east, north\n", "west, south, east, north, sid\n", 2),
        ],
    ),
]

LIVE_COLUMNS = """
SELECT grp, tier, level, category, x, y, period, n, sx, sy, west, south, east, north{own}
FROM map_cells
UNION ALL
SELECT c.grp, l.tier, l.level, c.category, c.mx >> (24 - l.level), c.my >> (24 - l.level),
       CASE l.tier WHEN 0 THEN c.month WHEN 1 THEN c.day ELSE floor(c.month / 12.0)::integer END,
       c.sign, c.sign * c.lon, c.sign * c.lat,
       CASE WHEN c.sign > 0 THEN c.lon END, CASE WHEN c.sign > 0 THEN c.lat END,
       CASE WHEN c.sign > 0 THEN c.lon END, CASE WHEN c.sign > 0 THEN c.lat END{logged}
FROM map_cell_changes AS c CROSS JOIN map_levels AS l
"""


def upgrade():
    op.execute("SELECT map_cells_fold()")
    op.execute("ALTER TABLE map_cells ADD COLUMN sid bigint NOT NULL DEFAULT 0")
    op.execute("ALTER TABLE map_cells ALTER COLUMN sid DROP DEFAULT")
    op.execute("ALTER TABLE map_cell_changes ADD COLUMN report_id bigint NOT NULL")
    op.execute("ALTER TYPE map_change ADD ATTRIBUTE report_id bigint")
    _edit_functions(upgrading=True)
    op.execute(
        "CREATE OR REPLACE VIEW map_cells_live AS"
        + LIVE_COLUMNS.format(own=", sid", logged=", c.sign * c.report_id")
    )
    op.execute("SELECT map_cells_rebuild()")


def downgrade():
    op.execute("SELECT map_cells_fold()")
    op.execute("DROP VIEW map_cells_live")
    op.execute("CREATE VIEW map_cells_live AS" + LIVE_COLUMNS.format(own="", logged=""))
    # The type first: the function that builds it is checked against it.
    op.execute("ALTER TYPE map_change DROP ATTRIBUTE report_id")
    _edit_functions(upgrading=False)
    op.execute("ALTER TABLE map_cell_changes DROP COLUMN report_id")
    op.execute("ALTER TABLE map_cells DROP COLUMN sid")


def _edit_functions(upgrading: bool) -> None:
    conn = op.get_bind()
    for function, edits in EDITS:
        definition = conn.execute(
            sa.text("SELECT pg_get_functiondef(CAST(:f AS regprocedure))"), {"f": function}
        ).scalar_one()
        for before, after, occurrences in edits:
            old, new = (before, after) if upgrading else (after, before)
            assert definition.count(old) == occurrences, f"{function} is not the one expected"
            definition = definition.replace(old, new)
        op.execute(definition)
