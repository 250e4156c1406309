"""Each report carries the ids of its categories, kept by the database, and the column indexes
carry them too.

A map view finer than the rollups with a category filter or a category breakdown looked up
each matching report's links: at 10,000,000 reports one dense view read some 24,000 reports
and 84,000 pages. With the ids in the report row, and in the column indexes beside its point,
the same view reads the index alone.

`report_categories` stays the record; statement triggers copy each changed report's links, in
id order, into `reports.category_ids`, and change nothing when they are already there (intake
writes them with the report).

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-23
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE reports ADD COLUMN category_ids integer[] NOT NULL DEFAULT '{}';

CREATE FUNCTION report_category_ids_of(report_ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE reports AS r SET category_ids = t.ids
    FROM (
        SELECT c.report_id, ARRAY(
            SELECT category_id FROM report_categories
            WHERE report_id = c.report_id ORDER BY category_id
        ) AS ids
        FROM (SELECT DISTINCT unnest(report_ids) AS report_id) AS c
    ) AS t
    WHERE r.id = t.report_id AND r.category_ids IS DISTINCT FROM t.ids;
END $$;

CREATE FUNCTION report_links_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM report_category_ids_of(ARRAY(SELECT report_id FROM changed_rows));
    RETURN NULL;
END $$;

CREATE FUNCTION report_links_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM report_category_ids_of(ARRAY(
        SELECT report_id FROM old_rows UNION SELECT report_id FROM new_rows));
    RETURN NULL;
END $$;

CREATE TRIGGER report_links_inserted AFTER INSERT ON report_categories
    REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_links_changed();
CREATE TRIGGER report_links_deleted AFTER DELETE ON report_categories
    REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_links_changed();
CREATE TRIGGER report_links_updated AFTER UPDATE ON report_categories
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION report_links_updated();

UPDATE reports AS r SET category_ids = l.ids
FROM (
    SELECT report_id, array_agg(category_id ORDER BY category_id) AS ids
    FROM report_categories GROUP BY report_id
) AS l
WHERE r.id = l.report_id;

DROP INDEX ix_reports_public_cells;
DROP INDEX ix_reports_exact_cells;

CREATE INDEX ix_reports_public_cells ON reports
    ((map_mx(ST_X(public_location)) >> 8), (map_my(ST_Y(public_location)) >> 8), occurred_at)
    INCLUDE (id, public_location, status, category_ids)
    WHERE status IN ('published', 'verified') AND public_location IS NOT NULL;

CREATE INDEX ix_reports_exact_cells ON reports
    ((map_mx(ST_X(location)) >> 8), (map_my(ST_Y(location)) >> 8), occurred_at)
    INCLUDE (id, location, status, category_ids)
    WHERE location IS NOT NULL;

ANALYZE reports;
"""

DOWNGRADE = """
DROP INDEX ix_reports_public_cells;
DROP INDEX ix_reports_exact_cells;

CREATE INDEX ix_reports_public_cells ON reports
    ((map_mx(ST_X(public_location)) >> 8), (map_my(ST_Y(public_location)) >> 8), occurred_at)
    INCLUDE (id, public_location, status)
    WHERE status IN ('published', 'verified') AND public_location IS NOT NULL;

CREATE INDEX ix_reports_exact_cells ON reports
    ((map_mx(ST_X(location)) >> 8), (map_my(ST_Y(location)) >> 8), occurred_at)
    INCLUDE (id, location, status)
    WHERE location IS NOT NULL;

DROP TRIGGER report_links_updated ON report_categories;
DROP TRIGGER report_links_deleted ON report_categories;
DROP TRIGGER report_links_inserted ON report_categories;
DROP FUNCTION report_links_updated();
DROP FUNCTION report_links_changed();
DROP FUNCTION report_category_ids_of(bigint[]);
ALTER TABLE reports DROP COLUMN category_ids;
"""


def upgrade():
    op.execute(UPGRADE)


def downgrade():
    op.execute(DOWNGRADE)
