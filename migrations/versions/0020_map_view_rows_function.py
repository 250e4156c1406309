"""A view's rollup rows read by database functions with a plan kept per connection.

A map view read from the rollups was one statement written for its window (which tiers, how
many periods added and taken away), with the planner settings it needs changed before it and
back after it: three round trips, and a statement planned anew each time, which at 1,000,000
reports took longer to plan (about 1.8 ms) than to run. Each function's statement has one shape
whatever the window: the periods come as lists, an empty list reads nothing. PL/pgSQL keeps its
plan for the connection's life, made for any values (the plan is the same for all: a bitmap of
the key's matches per tier and sign, summed in a hash table), and the settings come with the
function, for its statements only.

`map_view_rows` gives a view's cells per category; `map_view_periods` its counts per month
and per day, for the time histogram.

`cats`: with one category, its rows are found by the key; with several, a cell's rows are read
together and the others passed over (`+ 0`), where the key would be searched once per category.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-24
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

SIGNATURES = (
    "map_view_rows(smallint[], integer[], integer[], integer[], integer[], integer[], "
    "integer[], integer[], integer[], integer[], integer[], integer[], integer[], integer[])",
    "map_view_periods(smallint[], integer, integer[], integer[], integer[], integer[], "
    "integer[], integer[], integer[])",
)

# (tier, index of its values in the lists, the name of its periods)
TIERS = ((0, 1, "month"), (1, 2, "day"), (2, 3, "year"))


def _statement(category: str) -> str:
    parts = []
    for tier, i, name in TIERS:
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


# Read as the rollups are read (`mapper.query.grid.ROLLUP_READS`), planned once for any values,
# and with no compiling to machine code, which costs more than these statements take.
SETTINGS = """
SET plan_cache_mode = force_generic_plan
SET enable_indexscan = off
SET enable_sort = off
SET effective_io_concurrency = 256
SET work_mem = '64MB'
SET jit = off
"""

ROWS = f"""
CREATE FUNCTION map_view_rows(
    groups smallint[], cats integer[], levels integer[], shifts integer[],
    x0s integer[], x1s integer[], y0s integer[], y1s integer[],
    year_add integer[], year_take integer[], month_add integer[], month_take integer[],
    day_add integer[], day_take integer[]
) RETURNS TABLE (
    x integer, y integer, category integer, n bigint, sx double precision,
    sy double precision, west double precision, south double precision,
    east double precision, north double precision, sid bigint
)
LANGUAGE plpgsql STABLE{SETTINGS}AS $$
BEGIN
    IF cardinality(cats) = 1 THEN
    RETURN QUERY {_statement("c.category = cats[1]")};
    ELSE
    RETURN QUERY {_statement("c.category + 0 = ANY(cats)")};
    END IF;
END
$$
"""



def _periods(tier: int, i: int, name: str) -> str:
    return (
        f"SELECT {tier}, c.period, c.n FROM map_cells_live c "
        f"WHERE c.grp = ANY(groups) AND c.tier = {tier} AND c.level = levels[{i}] "
        f"AND c.category = cat AND c.x BETWEEN x0s[{i}] AND x1s[{i}] "
        f"AND c.y BETWEEN y0s[{i}] AND y1s[{i}] AND c.period = ANY({name}_periods)"
    )


PERIODS = f"""
CREATE FUNCTION map_view_periods(
    groups smallint[], cat integer, levels integer[],
    x0s integer[], x1s integer[], y0s integer[], y1s integer[],
    month_periods integer[], day_periods integer[]
) RETURNS TABLE (tier integer, period integer, n bigint)
LANGUAGE plpgsql STABLE{SETTINGS}AS $$
BEGIN
    RETURN QUERY SELECT p.tier, p.period, CAST(sum(p.n) AS bigint)
    FROM ({_periods(0, 1, "month")}
        UNION ALL {_periods(1, 2, "day")}
    ) AS p (tier, period, n)
    GROUP BY p.tier, p.period;
END
$$
"""


def upgrade():
    op.execute(ROWS)
    op.execute(PERIODS)


def downgrade():
    for signature in SIGNATURES:
        op.execute(f"DROP FUNCTION {signature}")
