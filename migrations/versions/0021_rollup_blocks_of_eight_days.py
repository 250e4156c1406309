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

OLD_SIGNATURE = (
    "map_view_rows(smallint[], integer[], integer[], integer[], integer[], integer[], "
    "integer[], integer[], integer[], integer[], integer[], integer[], integer[], integer[])"
)
NEW_SIGNATURE = OLD_SIGNATURE.replace("integer[])", "integer[], integer[], integer[])")
DAY_ARGUMENTS = "day_take integer[]"
BLOCK_ARGUMENTS = "day_take integer[], block_add integer[], block_take integer[]"


def _definition(signature: str) -> str:
    return (
        op.get_bind()
        .exec_driver_sql(f"SELECT pg_get_functiondef('{signature}'::regprocedure)")
        .scalar_one()
    )


def _rows_with_blocks() -> str:
    """`map_view_rows` taking the blocks' periods after the days': in each of its statements,
    after the branches of years, its branches of days made to read the block tier at the
    level and cells of the lists' fourth place."""
    lines: list[str] = []
    for line in _definition(OLD_SIGNATURE).replace(DAY_ARGUMENTS, BLOCK_ARGUMENTS, 1).split("\n"):
        lines.append(line)
        if line.endswith("AND c.period = ANY(year_take)"):
            days = [d for d in lines if d.endswith(("ANY(day_add)", "ANY(day_take)"))][-2:]
            lines += [
                d.replace("[2]", "[4]")
                .replace("c.tier = 1", "c.tier = 3")
                .replace("day_", "block_")
                for d in days
            ]
    definition = "\n".join(lines)
    if definition.count("ANY(block_") != 4:
        raise RuntimeError(f"{OLD_SIGNATURE} is not the one expected")
    return definition


def _rows_without_blocks() -> str:
    lines = _definition(NEW_SIGNATURE).replace(BLOCK_ARGUMENTS, DAY_ARGUMENTS, 1).split("\n")
    return "\n".join(line for line in lines if "ANY(block_" not in line)


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
    op.execute(_rows_with_blocks())
    op.execute(f"DROP FUNCTION {OLD_SIGNATURE}")


def downgrade():
    op.execute("SELECT map_cells_fold()")
    op.execute(_rows_without_blocks())
    op.execute(f"DROP FUNCTION {NEW_SIGNATURE}")
    op.execute(f"DELETE FROM map_cells WHERE tier = {BLOCK}")
    op.execute(f"DELETE FROM map_levels WHERE tier = {BLOCK}")
    op.execute(LIVE.format(block=""))
    conn = op.get_bind()
    for signature, edits in EDITS:
        edit_function(conn, signature, edits, forward=False)
    op.execute("DROP FUNCTION map_block(integer)")
