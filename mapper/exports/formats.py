"""Serialise report records as CSV, HXL, GeoJSON or KML, chunk by chunk, in constant memory."""

from __future__ import annotations

import csv
import io
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
# A spreadsheet runs a cell beginning with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Text a spreadsheet shows as written: a leading formula character is quoted."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ";".join(value)
    return str(value)


def _csv_cells(row) -> list:
    cells = []
    for column in COLUMNS:
        value = getattr(row, column)
        if column in ("lat", "lon"):
            cells.append("" if value is None else f"{value:.6f}")
        else:
            cells.append(neutralise(_text(value)))
    return cells


def _batched(rows: Iterable, render: Callable[[object], str]) -> Iterator[str]:
    buffer: list[str] = []
    for row in rows:
        buffer.append(render(row))
        if len(buffer) >= CHUNK_ROWS:
            yield "".join(buffer)
            buffer.clear()
    if buffer:
        yield "".join(buffer)


def csv_chunks(rows: Iterable, hxl: bool = False) -> Iterator[str]:
    """A header row (and with `hxl` a hashtag row), then one row per record."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    if hxl:
        writer.writerow([HXL_TAGS[c] for c in COLUMNS])
    yield out.getvalue()

    def render(row) -> str:
        out.seek(0)
        out.truncate()
        writer.writerow(_csv_cells(row))
        return out.getvalue()

    yield from _batched(rows, render)


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
    "csv": ("text/csv; charset=utf-8", csv_chunks),
    "hxl.csv": ("text/csv; charset=utf-8", lambda rows: csv_chunks(rows, hxl=True)),
    "geojson": ("application/geo+json", geojson_chunks),
    "kml": ("application/vnd.google-earth.kml+xml", kml_chunks),
}
