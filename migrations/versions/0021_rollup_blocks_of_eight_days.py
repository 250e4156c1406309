"""Map rollups of eight-day blocks, between months and days.

A window's days around its whole months were read one day at a time: a window from the 3rd
of one month to the 20th of a later one read the first month less two days, then twenty days.
Each day's rows lie apart from the others' (the key leads with the period), so from a cold
start every day is a few more pages read from disk: at 10,000,000 reports the slowest views
read 15 to 26 days each. A month is now also kept in four blocks, its days 1-8, 9-16, 17-24
and 25 to its end, at the levels that keep days: those twenty days are two blocks and four
days, or fewer.

A block's period is its month's number times four plus the block's place in the month
(`map_block`). The blocks are first filled from the daily rows, which hold the same reports;
intake and moderation then keep them as they keep the other tiers.

`map_view_rows` takes the blocks to add and to take away after the days.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-24
"""

from alembic import op

from mapper.sql_functions import edit_function

# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

BLOCK, DAY = 3, 1
KEY = "grp, tier, level, period, x, y, category"

BLOCK_FUNCTION = """
CREATE FUNCTION map_block(day integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ((extract(year FROM date '1970-01-01' + day) - 1970) * 48
            + (extract(month FROM date '1970-01-01' + day) - 1) * 4
            + least(3, (extract(day FROM date '1970-01-01' + day) - 1)::integer / 8))::integer
$$
"""

# (function, [(text before, text after, occurrences)]): a change's block where its day is.
EDITS = [
    (
        "map_cells_fold()",
        [("WHEN 1 THEN g.day", "WHEN 1 THEN g.day WHEN 3 THEN map_block(g.day)", 1)],
    ),
    (
        "map_cells_rebuild()",
        [("WHEN 1 THEN p.day", "WHEN 1 THEN p.day WHEN 3 THEN map_block(p.day)", 1)],
    ),
]

LIVE = """
CREATE OR REPLACE VIEW map_cells_live AS
SELECT grp, tier, level, category, x, y, period, n, sx, sy,
       map_e7_deg(west) AS west, map_e7_deg(south) AS south, map_e7_deg(east) AS east,
       map_e7_deg(north) AS north, sid
FROM map_cells
UNION ALL
SELECT c.grp, l.tier, l.level, c.category, (c.mx >> (24 - l.level))::smallint,
       (c.my >> (24 - l.level))::smallint,
       CASE l.tier WHEN 0 THEN c.month WHEN 1 THEN c.day {block}
                   ELSE floor(c.month / 12.0)::integer END,
       c.sign, c.sign * c.lon, c.sign * c.lat,
       CASE WHEN c.sign > 0 THEN c.lon END, CASE WHEN c.sign > 0 THEN c.lat END,
       CASE WHEN c.sign > 0 THEN c.lon END, CASE WHEN c.sign > 0 THEN c.lat END,
       c.sign * c.report_id
FROM map_cell_changes AS c CROSS JOIN map_levels AS l
"""

# The day tier's rows summed per block: the blocks' rows in the key's order, after the others.
FILL = f"""
INSERT INTO map_cells (grp, tier, level, period, x, y, category, n, sx, sy,
                       west, south, east, north, sid)
SELECT grp, {BLOCK}, level, map_block(period), x, y, category, sum(n), sum(sx), sum(sy),
       min(west), min(south), max(east), max(north), sum(sid)
FROM map_cells
WHERE tier = {DAY}
GROUP BY grp, level, map_block(period), x, y, category
HAVING sum(n) <> 0
ORDER BY grp, level, map_block(period), x, y, category
"""

# (tier, index of its values in the lists, the name of its periods)
TIERS = ((0, 1, "month"), (1, 2, "day"), (2, 3, "year"), (3, 4, "block"))
# The order of the function's periods to add and take away, tier by tier.
ARGUMENTS = ("year", "month", "day", "block")
OLD_SIGNATURE = (
    "map_view_rows(smallint[], integer[], integer[], integer[], integer[], integer[], "
    "integer[], integer[], integer[], integer[], integer[], integer[], integer[], integer[])"
)
NEW_SIGNATURE = OLD_SIGNATURE.replace("integer[])", "integer[], integer[], integer[])")


def _statement(category: str, tiers) -> str:
    parts = []
    for tier, i, name in tiers:
        where = (
            f"FROM map_cells_live c WHERE c.grp = ANY(groups) AND c.tier = {tier} "
            f"AND c.level = levels[{i}] AND {category} "
            f"AND c.x BETWEEN x0s[{i}] AND x1s[{i}] AND c.y BETWEEN y0s[{i}] AND y1s[{i}]"
        )
        cell = f"c.x >> shifts[{i}], c.y >> shifts[{i}], c.category"
        parts.append(
            f"SELECT {cell}, c.n, c.sx, c.sy, c.west, c.south, c.east, c.north, c.sid "
            f"{where} AND c.period = ANY({name}_add)"
        )
        # Rows taken away: their counts and sums negated, and no bounds.
        parts.append(
            f"SELECT {cell}, -c.n, -c.sx, -c.sy, NULL, NULL, NULL, NULL, -c.sid "
            f"{where} AND c.period = ANY({name}_take)"
        )
    union = "\n        UNION ALL ".join(parts)
    return (
        "SELECT CAST(p.x AS integer), CAST(p.y AS integer), p.category, "
        "CAST(sum(p.n) AS bigint), sum(p.sx), sum(p.sy), min(p.west), min(p.south), "
        "max(p.east), max(p.north), CAST(sum(p.sid) AS bigint)\n"
        f"    FROM ({union}\n    ) AS p (x, y, category, n, sx, sy, west, south, east, north, "
        "sid)\n    GROUP BY p.x, p.y, p.category"
    )


def _rows_function(tiers) -> str:
    names = [name for name in ARGUMENTS if name in {t[2] for t in tiers}]
    arguments = ", ".join(f"{name}_add integer[], {name}_take integer[]" for name in names)
    return f"""
CREATE FUNCTION map_view_rows(
    groups smallint[], cats integer[], levels integer[], shifts integer[],
    x0s integer[], x1s integer[], y0s integer[], y1s integer[], {arguments}
) RETURNS TABLE (
    x integer, y integer, category integer, n bigint, sx double precision,
    sy double precision, west double precision, south double precision,
    east double precision, north double precision, sid bigint
)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
SET enable_indexscan = off
SET enable_sort = off
SET effective_io_concurrency = 256
SET work_mem = '64MB'
SET jit = off
AS $$
BEGIN
    IF cardinality(cats) = 1 THEN
    RETURN QUERY {_statement("c.category = cats[1]", tiers)};
    ELSE
    RETURN QUERY {_statement("c.category + 0 = ANY(cats)", tiers)};
    END IF;
END
$$
"""


def upgrade():
    op.execute("SELECT map_cells_fold()")
    op.execute(BLOCK_FUNCTION)
    conn = op.get_bind()
    for signature, edits in EDITS:
        edit_function(conn, signature, edits, forward=True)
    op.execute(LIVE.format(block="WHEN 3 THEN map_block(c.day)"))
    op.execute(
        f"INSERT INTO map_levels (tier, level) SELECT {BLOCK}, level FROM map_levels "
        f"WHERE tier = {DAY}"
    )
    op.execute(FILL)
    op.execute("ANALYZE map_cells")
    op.execute(f"DROP FUNCTION {OLD_SIGNATURE}")
    op.execute(_rows_function(TIERS))


def downgrade():
    op.execute("SELECT map_cells_fold()")
    op.execute(f"DROP FUNCTION {NEW_SIGNATURE}")
    op.execute(_rows_function(TIERS[:3]))
    op.execute(f"DELETE FROM map_cells WHERE tier = {BLOCK}")
    op.execute(f"DELETE FROM map_levels WHERE tier = {BLOCK}")
    op.execute(LIVE.format(block=""))
    conn = op.get_bind()
    for signature, edits in EDITS:
        edit_function(conn, signature, edits, forward=False)
    op.execute("DROP FUNCTION map_block(integer)")
