"""Map rollups: report counts per map cell, level, period, category and audience.

Written only by the database triggers and `map_cells_rebuild()` of migration 0005.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Integer, PrimaryKeyConstraint, SmallInteger, Table

from mapper.extensions import db

map_levels = Table(
    "map_levels",
    db.metadata,
    Column("tier", SmallInteger, nullable=False),
    Column("level", SmallInteger, nullable=False),
    PrimaryKeyConstraint("tier", "level"),
)

map_cells = Table(
    "map_cells",
    db.metadata,
    Column("grp", SmallInteger, nullable=False),
    Column("tier", SmallInteger, nullable=False),
    Column("level", SmallInteger, nullable=False),
    Column("category", Integer, nullable=False),
    Column("x", Integer, nullable=False),
    Column("y", Integer, nullable=False),
    Column("period", Integer, nullable=False),
    Column("n", Integer, nullable=False),
    Column("sx", Float(precision=53), nullable=False),
    Column("sy", Float(precision=53), nullable=False),
    Column("west", Float(precision=53)),
    Column("south", Float(precision=53)),
    Column("east", Float(precision=53)),
    Column("north", Float(precision=53)),
    PrimaryKeyConstraint("grp", "tier", "level", "category", "x", "y", "period"),
)
