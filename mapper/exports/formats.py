"""Serialise report records as GeoJSON or KML, chunk by chunk, in constant memory.

CSV and HXL are spelt in SQL and written by PostgreSQL (see tabular.py)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from xml.sax.saxutils import escape, quoteattr

CHUNK_ROWS = 500
COLUMNS = (
    "reference",
    "occurred_at",
    "received",
    "title",
    "description",
    "categories",
    "source",
    "status",
    "place_name",
    "language",
    "lat",
    "lon",
)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ";".join(value)
    return str(value)


def _batched(rows: Iterable, render: Callable[[object], str]) -> Iterator[str]:
    buffer: list[str] = []
    for row in rows:
        buffer.append(render(row))
        if len(buffer) >= CHUNK_ROWS:
            yield "".join(buffer)
            buffer.clear()
    if buffer:
        yield "".join(buffer)


def feature(row) -> dict:
    point = None
    if row.lon is not None:
        point = {"type": "Point", "coordinates": [round(row.lon, 6), round(row.lat, 6)]}
    properties = {c: getattr(row, c) for c in COLUMNS if c not in ("lat", "lon")}
    properties["categories"] = list(row.categories or ())
    for name in ("occurred_at", "received"):
        properties[name] = _text(properties[name])
    return {"type": "Feature", "id": row.reference, "geometry": point, "properties": properties}


def geojson_chunks(rows: Iterable) -> Iterator[str]:
    """A FeatureCollection written feature by feature."""
    yield '{"type":"FeatureCollection","features":[\n'
    first = True

    def render(row) -> str:
        nonlocal first
        text = ("" if first else ",\n") + json.dumps(feature(row), ensure_ascii=False)
        first = False
        return text

    yield from _batched(rows, render)
    yield "\n]}\n"


def _placemark(row) -> str:
    data = "".join(
        f"<Data name={quoteattr(c)}><value>{escape(_text(getattr(row, c)))}</value></Data>"
        for c in COLUMNS
        if c not in ("title", "description", "lat", "lon")
    )
    point = ""
    if row.lon is not None:
        point = f"<Point><coordinates>{row.lon:.6f},{row.lat:.6f}</coordinates></Point>"
    return (
        f"<Placemark id={quoteattr(row.reference)}><name>{escape(row.title)}</name>"
        f"<description>{escape(row.description or '')}</description>"
        f"<ExtendedData>{data}</ExtendedData>{point}</Placemark>\n"
    )


def kml_chunks(rows: Iterable, name: str = "mapper reports") -> Iterator[str]:
    """A KML document of placemarks; every text is escaped, so none of it is markup."""
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        f"<name>{escape(name)}</name>\n"
    )
    yield from _batched(rows, _placemark)
    yield "</Document></kml>\n"


FORMATS: dict[str, tuple[str, Callable[[Iterable], Iterator[str]]]] = {
    "geojson": ("application/geo+json", geojson_chunks),
    "kml": ("application/vnd.google-earth.kml+xml", kml_chunks),
}
