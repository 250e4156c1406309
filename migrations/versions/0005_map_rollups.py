"""Map rollups: report counts per map cell, zoom level, month or day, category and audience,
kept in step with reports and their categories by triggers; H3 cells of each report.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# Which (tier, level) pairs are kept: tier 0 counts per month, tier 1 per day. Deeper
# levels hold about one report per cell and period, so reading reports is as cheap there.
MONTH_LEVELS = range(2, 14)
DAY_LEVELS = range(2, 9)

SCHEMA = """
CREATE TABLE map_levels (
    tier smallint NOT NULL,
    level smallint NOT NULL,
    CONSTRAINT pk_map_levels PRIMARY KEY (tier, level)
);

-- grp 0: the public (published and verified reports at their masked points);
-- grp 1..5: reviewers, one group per status, at the exact points.
CREATE TABLE map_cells (
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
    CONSTRAINT pk_map_cells PRIMARY KEY (grp, tier, level, category, x, y, period)
) WITH (fillfactor = 90);

-- Web Mercator pixel coordinates at zoom 16 with 256-pixel tiles (2^24 per axis):
-- a cell at level L is (mx >> (24 - L), my >> (24 - L)).
CREATE FUNCTION map_mx(lon double precision) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT least(greatest(floor((lon + 180.0) / 360.0 * 16777216.0), 0), 16777215)::integer
$$;

CREATE FUNCTION map_my(lat double precision) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT least(greatest(floor(
        (1.0 - ln(tan(radians(least(greatest(lat, -85.0511), 85.0511)))
                  + 1.0 / cos(radians(least(greatest(lat, -85.0511), 85.0511)))) / pi())
        / 2.0 * 16777216.0), 0), 16777215)::integer
$$;

CREATE FUNCTION map_group(status text) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE status WHEN 'pending' THEN 1 WHEN 'published' THEN 2 WHEN 'verified' THEN 3
                       WHEN 'rejected' THEN 4 WHEN 'archived' THEN 5 END::smallint
$$;

CREATE FUNCTION map_day(t timestamptz) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT floor(extract(epoch FROM t) / 86400)::integer
$$;

CREATE FUNCTION map_month(t timestamptz) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ((extract(year FROM t AT TIME ZONE 'UTC') - 1970) * 12
            + extract(month FROM t AT TIME ZONE 'UTC') - 1)::integer
$$;

-- A category with its parent: a report counts once under each, whatever it is tagged with.
CREATE FUNCTION map_category_closure(ids integer[]) RETURNS integer[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(DISTINCT c), '{}') FROM (
        SELECT id AS c FROM categories WHERE id = ANY(ids)
        UNION SELECT parent_id FROM categories WHERE id = ANY(ids) AND parent_id IS NOT NULL
    ) closure
$$;

CREATE TYPE map_change AS (
    status text,
    public_lon double precision,
    public_lat double precision,
    lon double precision,
    lat double precision,
    occurred_at timestamptz,
    category integer,
    sign integer
);

-- Add (sign 1) or take away (sign -1) reports' contributions to every kept cell.
-- Bounds only grow: after a removal they still contain every report of the cell.
CREATE FUNCTION map_cells_apply(changes map_change[]) RETURNS void
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
    -- One order for every writer: concurrent transactions lock shared cells without deadlock.
    ORDER BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT ON CONSTRAINT pk_map_cells DO UPDATE SET
        n = m.n + excluded.n, sx = m.sx + excluded.sx, sy = m.sy + excluded.sy,
        west = least(m.west, excluded.west), south = least(m.south, excluded.south),
        east = greatest(m.east, excluded.east), north = greatest(m.north, excluded.north)
$$;

CREATE FUNCTION map_change_of(r reports, category integer, sign integer) RETURNS map_change
LANGUAGE sql IMMUTABLE AS $$
    SELECT ROW(r.status, ST_X(r.public_location), ST_Y(r.public_location),
               ST_X(r.location), ST_Y(r.location), r.occurred_at, category, sign)::map_change
$$;

-- New reports count under "all categories" (0); their category links add the rest.
CREATE FUNCTION map_reports_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM map_cells_apply(array_agg(map_change_of(n, 0, 1))) FROM new_rows AS n
    HAVING count(*) > 0;
    RETURN NULL;
END $$;

-- A change of status, place or event date moves the report under every category it has.
CREATE FUNCTION map_reports_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM map_cells_apply(array_agg(change)) FROM (
        SELECT unnest(ARRAY[map_change_of(o, c, -1), map_change_of(n, c, 1)]) AS change
        FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id
        CROSS JOIN LATERAL unnest(0 || map_category_closure(ARRAY(
            SELECT category_id FROM report_categories WHERE report_id = n.id))) AS c
        WHERE (o.status, o.occurred_at) IS DISTINCT FROM (n.status, n.occurred_at)
           OR NOT (o.location IS NOT DISTINCT FROM n.location)
           OR NOT (o.public_location IS NOT DISTINCT FROM n.public_location)
    ) AS changes HAVING count(*) > 0;
    RETURN NULL;
END $$;

-- Links added or removed: the report leaves the categories it lost and joins the new ones.
-- The links before the statement are the current ones without the added (or with the removed).
CREATE FUNCTION map_links_changed() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE TRIGGER map_reports_inserted AFTER INSERT ON reports
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION map_reports_inserted();
CREATE TRIGGER map_reports_updated AFTER UPDATE ON reports
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION map_reports_updated();
CREATE TRIGGER map_links_inserted AFTER INSERT ON report_categories
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION map_links_changed();
CREATE TRIGGER map_links_deleted AFTER DELETE ON report_categories
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION map_links_changed();

-- Everything again from the reports, finest kept level first, each coarser level from the
-- one below: for bulk loads, which run with the triggers off.
CREATE FUNCTION map_cells_rebuild() RETURNS void LANGUAGE plpgsql AS $$
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

DROP = """
DROP TRIGGER IF EXISTS map_links_deleted ON report_categories;
DROP TRIGGER IF EXISTS map_links_inserted ON report_categories;
DROP TRIGGER IF EXISTS map_reports_updated ON reports;
DROP TRIGGER IF EXISTS map_reports_inserted ON reports;
DROP FUNCTION IF EXISTS map_cells_rebuild();
DROP FUNCTION IF EXISTS map_links_changed();
DROP FUNCTION IF EXISTS map_reports_updated();
DROP FUNCTION IF EXISTS map_reports_inserted();
DROP FUNCTION IF EXISTS map_change_of(reports, integer, integer);
DROP FUNCTION IF EXISTS map_cells_apply(map_change[]);
DROP TYPE IF EXISTS map_change;
DROP FUNCTION IF EXISTS map_category_closure(integer[]);
DROP FUNCTION IF EXISTS map_month(timestamptz);
DROP FUNCTION IF EXISTS map_day(timestamptz);
DROP FUNCTION IF EXISTS map_group(text);
DROP FUNCTION IF EXISTS map_my(double precision);
DROP FUNCTION IF EXISTS map_mx(double precision);
DROP TABLE IF EXISTS map_cells;
DROP TABLE IF EXISTS map_levels;
"""


def upgrade():
    op.add_column('reports', sa.Column('h3_public', sa.BigInteger(), nullable=True))
    op.add_column('reports', sa.Column('h3_exact', sa.BigInteger(), nullable=True))
    _fill_hexes()
    op.execute(SCHEMA)
    levels = [(0, level) for level in MONTH_LEVELS] + [(1, level) for level in DAY_LEVELS]
    op.execute(
        "INSERT INTO map_levels (tier, level) VALUES "
        + ", ".join(f"({tier}, {level})" for tier, level in levels)
    )
    op.execute("SELECT map_cells_rebuild()")


def _fill_hexes():
    """H3 cells for the reports stored before this revision."""
    from mapper.geo.hexes import hex_of

    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT id, ST_Y(public_location), ST_X(public_location), ST_Y(location), ST_X(location)"
        " FROM reports WHERE location IS NOT NULL")).all()
    for start in range(0, len(rows), 5000):
        conn.execute(
            sa.text("UPDATE reports SET h3_public = :p, h3_exact = :e WHERE id = :id"),
            [{"id": r[0], "p": hex_of(r[1], r[2]), "e": hex_of(r[3], r[4])}
             for r in rows[start:start + 5000]],
        )


def downgrade():
    op.execute(DROP)
    op.drop_column('reports', 'h3_exact')
    op.drop_column('reports', 'h3_public')
