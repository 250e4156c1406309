"""Map rollup rows in less room: bounds in whole 1e-7 degrees, cell columns and rows as smallint.

A view over weeks to years at a mid zoom reads tens of thousands of rollup rows; at millions of
reports the rollups outgrow memory and those rows come from disk. A row took 112 bytes (116 with
its line pointer); it now takes 88 (92), a fifth fewer pages to read and keep in memory:

- the bounds are integers of 1e-7 degree (about a centimetre), rounded outwards, so that they
  still hold every point of the cell: west and south down, east and north up;
- a cell's column and row fit a smallint at the levels kept (2^13 cells a side at level 13;
  `map_levels` now refuses a level past 15);
- the columns are in an order that leaves no padding between them.

Readers see degrees through `map_cells_live`, as before; the change log keeps exact points.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-23
"""

from alembic import op

from mapper.sql_functions import edit_function

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

KEY = "grp, tier, level, period, x, y, category"

COMPACT = """
CREATE TABLE map_cells_new (
    grp smallint NOT NULL,
    tier smallint NOT NULL,
    level smallint NOT NULL,
    x smallint NOT NULL,
    y smallint NOT NULL,
    category integer NOT NULL,
    period integer NOT NULL,
    n integer NOT NULL,
    west integer,
    south integer,
    east integer,
    north integer,
    sx double precision NOT NULL,
    sy double precision NOT NULL,
    sid bigint NOT NULL
) WITH (fillfactor = 90)
"""

WIDE = """
CREATE TABLE map_cells_new (
    grp smallint NOT NULL,
    tier smallint NOT NULL,
    level smallint NOT NULL,
    category integer NOT NULL,
    x integer NOT NULL,
    y integer NOT NULL,
    period integer NOT NULL,
    n integer NOT NULL,
    sx double precision NOT NULL,
    sy double precision NOT NULL,
    west double precision,
    south double precision,
    east double precision,
    north double precision,
    sid bigint NOT NULL
) WITH (fillfactor = 90)
"""

FIXED_POINT = """
CREATE FUNCTION map_e7_down(deg double precision) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT floor(deg * 10000000.0::double precision)::integer
$$;

CREATE FUNCTION map_e7_up(deg double precision) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ceil(deg * 10000000.0::double precision)::integer
$$;

CREATE FUNCTION map_e7_deg(e7 integer) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT e7 / 10000000.0::double precision
$$;
"""

LIVE = """
CREATE VIEW map_cells_live AS
SELECT grp, tier, level, category, x, y, period, n, sx, sy,
       {west} AS west, {south} AS south, {east} AS east, {north} AS north, sid
FROM map_cells
UNION ALL
SELECT c.grp, l.tier, l.level, c.category, (c.mx >> (24 - l.level)){cast},
       (c.my >> (24 - l.level)){cast},
       CASE l.tier WHEN 0 THEN c.month WHEN 1 THEN c.day ELSE floor(c.month / 12.0)::integer END,
       c.sign, c.sign * c.lon, c.sign * c.lat,
       CASE WHEN c.sign > 0 THEN c.lon END, CASE WHEN c.sign > 0 THEN c.lat END,
       CASE WHEN c.sign > 0 THEN c.lon END, CASE WHEN c.sign > 0 THEN c.lat END,
       c.sign * c.report_id
FROM map_cell_changes AS c CROSS JOIN map_levels AS l
"""

# Each branch of the view gives the same types, so that a view's bounds on x and y reach the
# table's key as they are.
LIVE_COMPACT = LIVE.format(
    west="map_e7_deg(west)",
    south="map_e7_deg(south)",
    east="map_e7_deg(east)",
    north="map_e7_deg(north)",
    cast="::smallint",
)
LIVE_WIDE = LIVE.format(west="west", south="south", east="east", north="north", cast="")

# (function, [(text before, text after, occurrences)]): the bounds written as fixed point.
EDITS = [
    (
        "map_cells_fold()",
        [
            (
                "min(g.lon) FILTER (WHERE g.sign > 0), min(g.lat) FILTER (WHERE g.sign > 0),",
                "map_e7_down(min(g.lon) FILTER (WHERE g.sign > 0)),\n"
                "               map_e7_down(min(g.lat) FILTER (WHERE g.sign > 0)),",
                1,
            ),
            (
                "max(g.lon) FILTER (WHERE g.sign > 0), max(g.lat) FILTER (WHERE g.sign > 0),",
                "map_e7_up(max(g.lon) FILTER (WHERE g.sign > 0)),\n"
                "               map_e7_up(max(g.lat) FILTER (WHERE g.sign > 0)),",
                1,
            ),
        ],
    ),
    (
        "map_cells_rebuild()",
        [
            (
                "y, period, n, sx, sy, west, south, east, north, sid\n",
                "y, period, n, sx, sy, map_e7_down(west), map_e7_down(south),\n"
                "                   map_e7_up(east), map_e7_up(north), sid\n",
                2,
            ),
        ],
    ),
]


def upgrade():
    op.execute("SELECT map_cells_fold()")
    op.execute(FIXED_POINT)
    op.execute(
        "ALTER TABLE map_levels ADD CONSTRAINT ck_map_levels_level CHECK (level BETWEEN 0 AND 15)"
    )
    _rewrite(
        COMPACT,
        "grp, tier, level, x, y, category, period, n, map_e7_down(west), map_e7_down(south), "
        "map_e7_up(east), map_e7_up(north), sx, sy, sid",
        LIVE_COMPACT,
        forward=True,
    )


def downgrade():
    op.execute("SELECT map_cells_fold()")
    _rewrite(
        WIDE,
        "grp, tier, level, category, x, y, period, n, sx, sy, map_e7_deg(west), "
        "map_e7_deg(south), map_e7_deg(east), map_e7_deg(north), sid",
        LIVE_WIDE,
        forward=False,
    )
    op.execute("ALTER TABLE map_levels DROP CONSTRAINT ck_map_levels_level")
    op.execute(
        "DROP FUNCTION map_e7_deg(integer); DROP FUNCTION map_e7_up(double precision); "
        "DROP FUNCTION map_e7_down(double precision)"
    )


def _rewrite(table: str, columns: str, live: str, forward: bool) -> None:
    """The rollups copied into `table` in the key's order, under the old name and key, with
    the view and the functions that write them made to match."""
    op.execute(table)
    op.execute(f"INSERT INTO map_cells_new SELECT {columns} FROM map_cells ORDER BY {KEY}")
    op.execute("DROP VIEW map_cells_live")
    op.execute("DROP TABLE map_cells")
    op.execute("ALTER TABLE map_cells_new RENAME TO map_cells")
    op.execute(f"ALTER TABLE map_cells ADD CONSTRAINT pk_map_cells PRIMARY KEY ({KEY})")
    op.execute(live)
    conn = op.get_bind()
    for signature, edits in EDITS:
        edit_function(conn, signature, edits, forward)
    op.execute("ANALYZE map_cells")
