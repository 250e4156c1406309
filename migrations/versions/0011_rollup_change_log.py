"""Map rollups without write contention: intake and moderation log their changes to the
rollups instead of updating shared cells, readers add the logged changes to the cells, and
`map_cells_fold()` moves the log into the cells in batches.

Updating the cells in each writer's transaction made every report of a region and month
wait for the one before it to commit, since all of them touch the same coarse cells. The
functions the triggers call become PL/pgSQL, whose plans last the session, and the link
trigger reads each statement's changed links once (it scanned them once per report). A
rebuild, for bulk loads, clears the log too and runs about twice as fast.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

# Any fixed number: one folder at a time, the others skip.
FOLD_LOCK = 0x6D617063656C6C73

UPGRADE = f"""
-- One row per report, audience group and category changed: the cells it moves, unsummed.
CREATE TABLE map_cell_changes (
    grp smallint NOT NULL,
    category integer NOT NULL,
    mx integer NOT NULL,
    my integer NOT NULL,
    month integer NOT NULL,
    day integer NOT NULL,
    lon double precision NOT NULL,
    lat double precision NOT NULL,
    sign integer NOT NULL
);

-- PL/pgSQL rather than SQL: its plans are kept for the session, where an SQL function's
-- are made again on every call, which cost more than the insert itself.
CREATE OR REPLACE FUNCTION map_cells_apply(changes map_change[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO map_cell_changes (grp, category, mx, my, month, day, lon, lat, sign)
    SELECT g.grp, c.category, map_mx(g.lon), map_my(g.lat), map_month(c.occurred_at),
           map_day(c.occurred_at), g.lon, g.lat, c.sign
    FROM unnest(changes) AS c
    CROSS JOIN LATERAL (
        SELECT 0::smallint, c.public_lon, c.public_lat
        WHERE c.status IN ('published', 'verified')
        UNION ALL SELECT map_group(c.status), c.lon, c.lat
    ) AS g (grp, lon, lat)
    WHERE g.lon IS NOT NULL;
END $$;

CREATE OR REPLACE FUNCTION map_category_closure(ids integer[]) RETURNS integer[]
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(array_agg(DISTINCT c), '{{}}') FROM (
        SELECT id AS c FROM categories WHERE id = ANY(ids)
        UNION SELECT parent_id FROM categories WHERE id = ANY(ids) AND parent_id IS NOT NULL
    ) closure);
END $$;

-- Links added or removed: the report leaves the categories it lost and joins the new ones.
-- The links before the statement are the current ones without the added (or with the
-- removed). The changed links are grouped per report first: each report reads them once,
-- where a correlated scan of the whole transition table made bulk loads quadratic.
CREATE OR REPLACE FUNCTION map_links_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM map_cells_apply(array_agg(change)) FROM (
        SELECT map_change_of(r, c, CASE WHEN c = ANY(s.after) THEN 1 ELSE -1 END) AS change
        FROM (
            SELECT t.report_id,
                   map_category_closure(t.current) AS after,
                   map_category_closure(CASE TG_OP
                       WHEN 'INSERT' THEN ARRAY(SELECT unnest(t.current)
                                                EXCEPT SELECT unnest(t.changed))
                       ELSE t.current || t.changed END) AS before
            FROM (
                SELECT g.report_id, g.changed, ARRAY(
                    SELECT category_id FROM report_categories WHERE report_id = g.report_id
                ) AS current
                FROM (
                    SELECT report_id, array_agg(category_id) AS changed
                    FROM changed_rows GROUP BY report_id
                ) AS g
            ) AS t
        ) AS s
        JOIN reports AS r ON r.id = s.report_id
        CROSS JOIN LATERAL (
            (SELECT unnest(s.after) EXCEPT SELECT unnest(s.before))
            UNION ALL (SELECT unnest(s.before) EXCEPT SELECT unnest(s.after))
        ) AS d (c)
    ) AS changes HAVING count(*) > 0;
    RETURN NULL;
END $$;

-- The rollups as readers see them: the cells plus the changes not yet folded into them.
-- Sum per key: a cell may appear once from each side.
CREATE VIEW map_cells_live AS
SELECT grp, tier, level, category, x, y, period, n, sx, sy, west, south, east, north
FROM map_cells
UNION ALL
SELECT c.grp, l.tier, l.level, c.category, c.mx >> (24 - l.level), c.my >> (24 - l.level),
       CASE l.tier WHEN 0 THEN c.month ELSE c.day END, c.sign, c.sign * c.lon, c.sign * c.lat,
       CASE WHEN c.sign > 0 THEN c.lon END, CASE WHEN c.sign > 0 THEN c.lat END,
       CASE WHEN c.sign > 0 THEN c.lon END, CASE WHEN c.sign > 0 THEN c.lat END
FROM map_cell_changes AS c CROSS JOIN map_levels AS l;

-- Move every committed change into the cells in one transaction, summed per cell first, so a
-- thousand reports of one town update its coarse cells once. Readers see either the changes
-- or the cells that hold them, never both. Returns how many changes moved (0 when another
-- session is folding). Bounds only grow: after a removal they still hold every report.
CREATE FUNCTION map_cells_fold() RETURNS bigint LANGUAGE plpgsql AS $$
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
               g.my >> (24 - l.level), CASE l.tier WHEN 0 THEN g.month ELSE g.day END,
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
               CASE t WHEN 0 THEN p.month ELSE p.day END AS period, count(*)::integer AS n,
               sum(p.lon) AS sx, sum(p.lat) AS sy, min(p.lon) AS west, min(p.lat) AS south,
               max(p.lon) AS east, max(p.lat) AS north
        FROM map_points AS p
        GROUP BY 1, 2, 3, 4, 5;
        INSERT INTO map_cells (grp, tier, level, category, x, y, period, n, sx, sy,
                               west, south, east, north)
        SELECT grp, t, finest, category, x, y, period, n, sx, sy, west, south, east, north
        FROM map_level_cells;
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
            FROM map_level_cells;
        END LOOP;
        DROP TABLE map_level_cells;
    END LOOP;
    DROP TABLE map_points;
    ALTER TABLE map_cells ADD CONSTRAINT pk_map_cells
        PRIMARY KEY (grp, tier, level, category, x, y, period);
    ANALYZE map_cells;
END $$;
"""

DOWNGRADE = """
SELECT map_cells_fold();
CREATE OR REPLACE FUNCTION map_links_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM map_cells_apply(array_agg(change)) FROM (
        SELECT map_change_of(r, c, CASE WHEN c = ANY(s.after) THEN 1 ELSE -1 END) AS change
        FROM (
            SELECT t.report_id,
                   map_category_closure(ARRAY(
                       SELECT category_id FROM report_categories WHERE report_id = t.report_id
                   )) AS after,
                   map_category_closure(ARRAY(
                       SELECT category_id FROM report_categories WHERE report_id = t.report_id
                       EXCEPT SELECT category_id FROM changed_rows WHERE TG_OP = 'INSERT'
                                                       AND report_id = t.report_id
                       UNION SELECT category_id FROM changed_rows WHERE TG_OP = 'DELETE'
                                                     AND report_id = t.report_id
                   )) AS before
            FROM (SELECT DISTINCT report_id FROM changed_rows) AS t
        ) AS s
        JOIN reports AS r ON r.id = s.report_id
        CROSS JOIN LATERAL (
            (SELECT unnest(s.after) EXCEPT SELECT unnest(s.before))
            UNION ALL (SELECT unnest(s.before) EXCEPT SELECT unnest(s.after))
        ) AS d (c)
    ) AS changes HAVING count(*) > 0;
    RETURN NULL;
END $$;
DROP FUNCTION map_cells_fold();
DROP VIEW map_cells_live;
CREATE OR REPLACE FUNCTION map_category_closure(ids integer[]) RETURNS integer[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(DISTINCT c), '{}') FROM (
        SELECT id AS c FROM categories WHERE id = ANY(ids)
        UNION SELECT parent_id FROM categories WHERE id = ANY(ids) AND parent_id IS NOT NULL
    ) closure
$$;
CREATE OR REPLACE FUNCTION map_cells_apply(changes map_change[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO map_cells AS m (grp, tier, level, category, x, y, period, n, sx, sy,
                                west, south, east, north)
    SELECT p.grp, l.tier, l.level, p.category, p.mx >> (24 - l.level), p.my >> (24 - l.level),
           CASE l.tier WHEN 0 THEN p.month ELSE p.day END,
           sum(p.sign), sum(p.sign * p.lon), sum(p.sign * p.lat),
           min(p.lon) FILTER (WHERE p.sign > 0), min(p.lat) FILTER (WHERE p.sign > 0),
           max(p.lon) FILTER (WHERE p.sign > 0), max(p.lat) FILTER (WHERE p.sign > 0)
    FROM (
        SELECT g.grp, g.lon, g.lat, map_mx(g.lon) AS mx, map_my(g.lat) AS my,
               map_month(c.occurred_at) AS month, map_day(c.occurred_at) AS day,
               c.category, c.sign
        FROM unnest(changes) AS c
        CROSS JOIN LATERAL (
            SELECT 0::smallint, c.public_lon, c.public_lat
            WHERE c.status IN ('published', 'verified')
            UNION ALL SELECT map_group(c.status), c.lon, c.lat
        ) AS g (grp, lon, lat)
        WHERE g.lon IS NOT NULL
    ) AS p
    CROSS JOIN map_levels AS l
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    ORDER BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT ON CONSTRAINT pk_map_cells DO UPDATE SET
        n = m.n + excluded.n, sx = m.sx + excluded.sx, sy = m.sy + excluded.sy,
        west = least(m.west, excluded.west), south = least(m.south, excluded.south),
        east = greatest(m.east, excluded.east), north = greatest(m.north, excluded.north)
$$;
DROP TABLE map_cell_changes;
CREATE OR REPLACE FUNCTION map_cells_rebuild() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t smallint;
    finest smallint;
    lv smallint;
BEGIN
    TRUNCATE map_cells;
    FOR t IN SELECT DISTINCT tier FROM map_levels LOOP
        SELECT max(level) INTO finest FROM map_levels WHERE tier = t;
        INSERT INTO map_cells (grp, tier, level, category, x, y, period, n, sx, sy,
                               west, south, east, north)
        SELECT p.grp, t, finest, p.category, p.mx >> (24 - finest), p.my >> (24 - finest),
               p.period, count(*), sum(p.lon), sum(p.lat),
               min(p.lon), min(p.lat), max(p.lon), max(p.lat)
        FROM (
            SELECT g.grp, g.lon, g.lat, map_mx(g.lon) AS mx, map_my(g.lat) AS my,
                   CASE t WHEN 0 THEN map_month(r.occurred_at) ELSE map_day(r.occurred_at) END
                       AS period,
                   c.category
            FROM reports AS r
            CROSS JOIN LATERAL (
                SELECT 0::smallint, ST_X(r.public_location), ST_Y(r.public_location)
                WHERE r.status IN ('published', 'verified')
                UNION ALL SELECT map_group(r.status), ST_X(r.location), ST_Y(r.location)
            ) AS g (grp, lon, lat)
            CROSS JOIN LATERAL (
                SELECT 0 UNION ALL
                SELECT unnest(map_category_closure(ARRAY(
                    SELECT category_id FROM report_categories WHERE report_id = r.id)))
            ) AS c (category)
            WHERE g.lon IS NOT NULL
        ) AS p
        GROUP BY 1, 4, 5, 6, 7;
        FOR lv IN SELECT level FROM map_levels WHERE tier = t AND level < finest
                  ORDER BY level DESC LOOP
            INSERT INTO map_cells (grp, tier, level, category, x, y, period, n, sx, sy,
                                   west, south, east, north)
            SELECT grp, t, lv, category, x >> 1, y >> 1, period, sum(n), sum(sx), sum(sy),
                   min(west), min(south), max(east), max(north)
            FROM map_cells WHERE tier = t AND level = lv + 1
            GROUP BY grp, category, x >> 1, y >> 1, period;
        END LOOP;
    END LOOP;
    ANALYZE map_cells;
END $$;
"""


def upgrade():
    op.execute(UPGRADE)


def downgrade():
    op.execute(DOWNGRADE)
