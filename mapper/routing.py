"""URL converters the app's routes share."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter


class RowId(IntegerConverter):
    """`<id:name>`: a row's id, a whole number PostgreSQL's bigint holds; an address with any
    other number finds nothing (404) instead of reaching the database."""

    def __init__(self, map) -> None:
        super().__init__(map, min=1, max=2**63 - 1)
