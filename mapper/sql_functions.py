"""Edits to the text of a database function, for migrations that change a function in part."""

from __future__ import annotations

import sqlalchemy as sa


def edit_function(conn, signature: str, edits: list[tuple[str, str, int]], forward: bool) -> None:
    """Replace `signature`'s definition with its text edited: each (before, after, occurrences)
    writes `after` in place of `before` (the reverse unless `forward`). A text not found the
    number of times expected stops the migration rather than leave a function half changed."""
    definition = conn.execute(
        sa.text("SELECT pg_get_functiondef(CAST(:f AS regprocedure))"), {"f": signature}
    ).scalar_one()
    for before, after, occurrences in edits:
        old, new = (before, after) if forward else (after, before)
        if definition.count(old) != occurrences:
            raise RuntimeError(f"{signature} is not the one expected: {old!r}")
        definition = definition.replace(old, new)
    conn.exec_driver_sql(definition)
