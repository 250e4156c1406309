"""Map rollups without write contention: intake and moderation log their changes to the
rollups instead of updating shared cells, readers add the logged changes to the cells, and
`map_cells_fold()` moves the log into the cells in batches.

Updating the cells in each writer's transaction made every report of a region and month
wait for the one before it to commit, since all of them touch the same coarse cells. The
functions the triggers call become PL/pgSQL, whose plans last the session, and the link
trigger reads each statement's changed links once (it scanned them once per report).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22
"""
import sqlalchemy as sa
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
"""


# A rebuild counts everything from the reports: the log is part of what it replaces.
REBUILD_CLEARS = ("TRUNCATE map_cells;", "TRUNCATE map_cells, map_cell_changes;")


def upgrade():
    op.execute(UPGRADE)
    _redefine_rebuild(*REBUILD_CLEARS)


def downgrade():
    _redefine_rebuild(*reversed(REBUILD_CLEARS))
    op.execute(DOWNGRADE)


def _redefine_rebuild(old: str, new: str) -> None:
    definition = op.get_bind().execute(
        sa.text("SELECT pg_get_functiondef('map_cells_rebuild()'::regprocedure)")
    ).scalar_one()
    assert definition.count(old) == 1, "map_cells_rebuild() is not the one this revision knows"
    op.execute(definition.replace(old, new))
