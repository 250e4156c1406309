"""CSV and HXL exports written by PostgreSQL: the records' cells are made text in SQL and sent
with COPY, so a million rows pass through Python as a few hundred blocks, not as row objects.

The records come from `records_select`, so the public's read through the privacy gate as every
other export does; this module only decides how each cell is spelt.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from sqlalchemy import Date, Numeric, Select, Text, case, cast, func, select

from mapper.exports.formats import COLUMNS
from mapper.extensions import db

# Formats PostgreSQL writes, and whether each has the HXL hashtag row under its header.
TABULAR = {"csv": False, "hxl.csv": True}
# The Humanitarian Exchange Language hashtag of each column.
HXL_TAGS = {
    "reference": "#event+id",
    "occurred_at": "#date+occurred",
    "received": "#date+reported",
    "title": "#description+title",
    "description": "#description",
    "categories": "#event+type",
    "source": "#meta+source",
    "status": "#status",
    "place_name": "#loc+name",
    "language": "#meta+lang",
    "lat": "#geo+lat",
    "lon": "#geo+lon",
}
# A spreadsheet runs a cell beginning with =, +, -, @, a tab or a carriage return as a formula.
FORMULA_START = r"^([=+\-@\t\r])"
# COPY sends one message per row; the response goes out in blocks of about this many bytes.
BLOCK_BYTES = 1 << 16


def neutralised(text):
    """Text a spreadsheet shows as written: a leading formula character gets a quote before it.

    One function call per cell, so that a computed cell (the categories) is computed once.
    """
    return func.regexp_replace(text, FORMULA_START, r"'\1", type_=Text)


def iso_moment(column):
    """RFC 3339 in UTC, as Python's isoformat spells it: fractions only when there are some."""
    utc = func.timezone("UTC", column)
    fraction = case(
        (func.date_trunc("second", column) == column, ""),
        else_=func.to_char(utc, ".US", type_=Text),
    )
    return func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS', type_=Text) + fraction + "+00:00"


def _cell(name: str, column):
    if name in ("lat", "lon"):
        return cast(func.round(cast(column, Numeric), 6), Text)
    if name == "categories":
        return neutralised(func.array_to_string(column, ";", type_=Text))
    if name in ("occurred_at", "received"):
        if isinstance(column.type, Date):
            return func.to_char(column, "YYYY-MM-DD")
        return iso_moment(column)
    return neutralised(column)


def csv_cells(records: Select) -> Select:
    """`records` (with an `id` column) as one text cell per export column, in id order."""
    inner = records.order_by(None).subquery()
    cells = [_cell(name, inner.c[name]).label(name) for name in COLUMNS]
    return select(*cells).order_by(inner.c.id)


def header(hxl: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    if hxl:
        writer.writerow([HXL_TAGS[c] for c in COLUMNS])
    return out.getvalue().encode()


def copy_csv(records: Select, hxl: bool = False) -> Iterator[bytes]:
    """The header, then the blocks PostgreSQL's COPY writes, in the session's transaction."""
    connection = db.session.connection()
    compiled = csv_cells(records).compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    driver = connection.connection.driver_connection
    yield header(hxl)
    with driver.cursor() as cursor:
        statement = f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv)"
        with cursor.copy(statement, compiled.params) as copy:
            block = bytearray()
            for row in copy:
                block += row
                if len(block) >= BLOCK_BYTES:
                    yield bytes(block)
                    block.clear()
            if block:
                yield bytes(block)
