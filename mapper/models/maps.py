"""Map rollups: report counts per map cell, level, period, category and audience.

Written only by the database: triggers log each report's change in `map_cell_changes`,
`map_cells_fold()` moves the log into `map_cells`, `map_cells_rebuild()` counts everything
again (migrations 0005, 0011, 0012, 0016, 0017, 0018 and 0019). Readers use the view
`map_cells_live`, which adds the log to the cells and gives the bounds in degrees.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Float,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    Table,
)

from mapper.extensions import db

map_levels = Table(
    "map_levels",
    db.metadata,
    Column("tier", SmallInteger, nullable=False),
    Column("level", SmallInteger, nullable=False),
    PrimaryKeyConstraint("tier", "level"),
    # A cell's column and row at level 15 still fit the rollups' smallint.
    CheckConstraint("level BETWEEN 0 AND 15", name="level"),
)

map_cells = Table(
    "map_cells",
    db.metadata,
    Column("grp", SmallInteger, nullable=False),
    Column("tier", SmallInteger, nullable=False),
    Column("level", SmallInteger, nullable=False),
    Column("x", SmallInteger, nullable=False),
    Column("y", SmallInteger, nullable=False),
    Column("category", Integer, nullable=False),
    Column("period", Integer, nullable=False),
    Column("n", Integer, nullable=False),
    # Bounds in whole 1e-7 degrees, rounded outwards (west and south down, east and north up).
    Column("west", Integer),
    Column("south", Integer),
    Column("east", Integer),
    Column("north", Integer),
    Column("sx", Float(precision=53), nullable=False),
    Column("sy", Float(precision=53), nullable=False),
    # The sum of the reports' ids: in a view's cell of one report, that report's id.
    Column("sid", BigInteger, nullable=False),
    # In the order a view reads: per period, a range of cells, each cell's rows together.
    PrimaryKeyConstraint("grp", "tier", "level", "period", "x", "y", "category"),
)

map_cell_changes = Table(
    "map_cell_changes",
    db.metadata,
    Column("grp", SmallInteger, nullable=False),
    Column("category", Integer, nullable=False),
    Column("mx", Integer, nullable=False),
    Column("my", Integer, nullable=False),
    Column("month", Integer, nullable=False),
    Column("day", Integer, nullable=False),
    Column("lon", Float(precision=53), nullable=False),
    Column("lat", Float(precision=53), nullable=False),
    Column("sign", Integer, nullable=False),
    Column("report_id", BigInteger, nullable=False),
)
