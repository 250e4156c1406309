"""Yearly map rollups, keyed by period before place and stored in key order.

A window of several years summed twelve monthly rows per cell and category; a yearly tier
(tier 2, period = years since 1970) answers its whole years with one. The key puts the period
before the cell: a view's few days are found directly, where with the cell first every
period of every cell in the view's columns was read to find them. The rebuild writes each
level in key order, so that a view's rows lie on few pages rather than one page each, and
runs about twice as fast as the one it replaces: each report's points are listed once, each
coarser level is summed from a temporary table of the level below, and the key is built once
at the end. Downgrading removes the yearly rows and restores the earlier key; the functions
keep reading a third tier that is then never listed in map_levels.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# One folder at a time, the others skip: the same lock as revision 0011.
FOLD_LOCK = 0x6D617063656C6C73
# The same levels as the monthly tier.
YEAR_LEVELS = range(2, 14)
KEY = "PRIMARY KEY (grp, tier, level, category, period, x, y)"
EARLIER_KEY = "PRIMARY KEY (grp, tier, level, category, x, y, period)"

FUNCTIONS = f"""
-- The rollups as readers see them: the cells plus the changes not yet folded into them.
-- Sum per key: a cell may appear once from each side.
CREATE OR REPLACE VIEW map_cells_live AS
SELECT grp, tier, level, category, x, y, period, n, sx, sy, west, south, east, north
FROM map_cells
UNION ALL
SELECT c.grp, l.tier, l.level, c.category, c.mx >> (24 - l.level), c.my >> (24 - l.level),
       CASE l.tier WHEN 0 THEN c.month WHEN 1 THEN c.day ELSE floor(c.month / 12.0)::integer END,
       c.sign, c.sign * c.lon, c.sign * c.lat,
       CASE WHEN c.sign > 0 THEN c.lon END, CASE WHEN c.sign > 0 THEN c.lat END,
       CASE WHEN c.sign > 0 THEN c.lon END, CASE WHEN c.sign > 0 THEN c.lat END
FROM map_cell_changes AS c CROSS JOIN map_levels AS l;

-- Move every committed change into the cells in one transaction, summed per cell first, so a
-- thousand reports of one town update its coarse cells once. Readers see either the changes
-- or the cells that hold them, never both. Returns how many changes moved (0 when another
-- session is folding). Bounds only grow: after a removal they still hold every report.
CREATE OR REPLACE FUNCTION map_cells_fold() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    folded bigint;
BEGIN
    IF NOT pg_try_advisory_xact_lock({FOLD_LOCK}) THEN
        RETURN 0;
    END IF;
    WITH gone AS (
        DELETE FROM map_cell_changes RETURNING *
    ), added AS (
        INSERT INTO map_cells AS m (grp, tier, level, category, x, y, period, n, sx, sy,
                                    west, south, east, north)
        SELECT g.grp, l.tier, l.level, g.category, g.mx >> (24 - l.level),
               g.my >> (24 - l.level),
               CASE l.tier WHEN 0 THEN g.month WHEN 1 THEN g.day
                           ELSE floor(g.month / 12.0)::integer END,
               sum(g.sign), sum(g.sign * g.lon), sum(g.sign * g.lat),
               min(g.lon) FILTER (WHERE g.sign > 0), min(g.lat) FILTER (WHERE g.sign > 0),
               max(g.lon) FILTER (WHERE g.sign > 0), max(g.lat) FILTER (WHERE g.sign > 0)
        FROM gone AS g CROSS JOIN map_levels AS l
        GROUP BY 1, 2, 3, 4, 5, 6, 7
        ORDER BY 1, 2, 3, 4, 5, 6, 7
        ON CONFLICT ON CONSTRAINT pk_map_cells DO UPDATE SET
            n = m.n + excluded.n, sx = m.sx + excluded.sx, sy = m.sy + excluded.sy,
            west = least(m.west, excluded.west), south = least(m.south, excluded.south),
            east = greatest(m.east, excluded.east), north = greatest(m.north, excluded.north)
    )
    SELECT count(*) INTO folded FROM gone;
    RETURN folded;
END $$;

-- Everything again from the reports, for bulk loads (which run with the triggers off): each
-- report's points are listed once, each tier's finest level is summed from them, and each
-- coarser level from the level below, kept in a temporary table of its own (not read back
-- from the whole rollup table); the key is built once at the end.
CREATE OR REPLACE FUNCTION map_cells_rebuild() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t smallint;
    finest smallint;
    lv smallint;
BEGIN
    TRUNCATE map_cells, map_cell_changes;
    ALTER TABLE map_cells DROP CONSTRAINT pk_map_cells;
    -- Each report's point per audience group, once under "all" (0) and once under each of
    -- its categories and their parents.
    CREATE TEMP TABLE map_points ON COMMIT DROP AS
    SELECT g.grp, g.lon, g.lat, map_mx(g.lon) AS mx, map_my(g.lat) AS my,
           map_month(r.occurred_at) AS month, map_day(r.occurred_at) AS day, c.category
    FROM reports AS r
    CROSS JOIN LATERAL (
        SELECT 0::smallint, ST_X(r.public_location), ST_Y(r.public_location)
        WHERE r.status IN ('published', 'verified')
        UNION ALL SELECT map_group(r.status), ST_X(r.location), ST_Y(r.location)
    ) AS g (grp, lon, lat)
    JOIN (
        SELECT id AS report_id, 0 AS category FROM reports
        UNION ALL
        SELECT DISTINCT l.report_id, x.c
        FROM report_categories AS l
        JOIN categories AS k ON k.id = l.category_id
        CROSS JOIN LATERAL (VALUES (k.id), (k.parent_id)) AS x (c)
        WHERE x.c IS NOT NULL
    ) AS c ON c.report_id = r.id
    WHERE g.lon IS NOT NULL;
    FOR t IN SELECT DISTINCT tier FROM map_levels ORDER BY tier LOOP
        SELECT max(level) INTO finest FROM map_levels WHERE tier = t;
        CREATE TEMP TABLE map_level_cells ON COMMIT DROP AS
        SELECT p.grp, p.category, p.mx >> (24 - finest) AS x, p.my >> (24 - finest) AS y,
               CASE t WHEN 0 THEN p.month WHEN 1 THEN p.day
                      ELSE floor(p.month / 12.0)::integer END
                   AS period, count(*)::integer AS n,
               sum(p.lon) AS sx, sum(p.lat) AS sy, min(p.lon) AS west, min(p.lat) AS south,
               max(p.lon) AS east, max(p.lat) AS north
        FROM map_points AS p
        GROUP BY 1, 2, 3, 4, 5;
        INSERT INTO map_cells (grp, tier, level, category, x, y, period, n, sx, sy,
                               west, south, east, north)
        SELECT grp, t, finest, category, x, y, period, n, sx, sy, west, south, east, north
        FROM map_level_cells
        ORDER BY grp, category, period, x, y;
        FOR lv IN SELECT level FROM map_levels WHERE tier = t AND level < finest
                  ORDER BY level DESC LOOP
            CREATE TEMP TABLE map_coarser ON COMMIT DROP AS
            SELECT grp, category, x >> 1 AS x, y >> 1 AS y, period, sum(n)::integer AS n,
                   sum(sx) AS sx, sum(sy) AS sy, min(west) AS west, min(south) AS south,
                   max(east) AS east, max(north) AS north
            FROM map_level_cells
            GROUP BY 1, 2, 3, 4, 5;
            DROP TABLE map_level_cells;
            ALTER TABLE map_coarser RENAME TO map_level_cells;
            INSERT INTO map_cells (grp, tier, level, category, x, y, period, n, sx, sy,
                                   west, south, east, north)
            SELECT grp, t, lv, category, x, y, period, n, sx, sy, west, south, east, north
            FROM map_level_cells
            ORDER BY grp, category, period, x, y;
        END LOOP;
        DROP TABLE map_level_cells;
    END LOOP;
    DROP TABLE map_points;
    ALTER TABLE map_cells ADD CONSTRAINT pk_map_cells
        {KEY};
    ANALYZE map_cells;
END $$;
"""


def upgrade():
    op.execute(FUNCTIONS)
    op.execute(
        "INSERT INTO map_levels (tier, level) VALUES "
        + ", ".join(f"(2, {level})" for level in YEAR_LEVELS)
    )
    op.execute("SELECT map_cells_rebuild()")


def downgrade():
    op.execute("SELECT map_cells_fold()")
    op.execute("DELETE FROM map_cells WHERE tier = 2")
    op.execute("DELETE FROM map_levels WHERE tier = 2")
    op.execute(
        "ALTER TABLE map_cells DROP CONSTRAINT pk_map_cells, ADD CONSTRAINT pk_map_cells "
        + EARLIER_KEY
    )
    # The rebuild builds the earlier key again too.
    definition = op.get_bind().execute(
        sa.text("SELECT pg_get_functiondef('map_cells_rebuild()'::regprocedure)")
    ).scalar_one()
    assert definition.count(KEY) == 1, "map_cells_rebuild() is not the one this revision made"
    op.execute(definition.replace(KEY, EARLIER_KEY))
