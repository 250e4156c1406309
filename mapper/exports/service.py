"""Exports of the current map filter: full data by permission, the public's through the gate."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime

from flask_babel import gettext as _

from mapper.auth.permissions import can
from mapper.errors import MapperError, NotFound
from mapper.exports.formats import FORMATS
from mapper.exports.offline import offline_map
from mapper.exports.tabular import TABULAR, copy_csv
from mapper.query.grid import Audience, custom_plans
from mapper.query.maps import MapRequest, parse_map_request
from mapper.query.records import count_records, records_select, stream_records

# An offline map holds at most this many reports: past it the file grows too large to open.
OFFLINE_LIMIT = 50_000


def export_request(args, user, audience: Audience | None = None) -> MapRequest:
    """The map filter of `args`; full data (audience=reviewer) needs the export permission."""
    req = parse_map_request(args, user, zoom_required=False, audience=audience)
    if audience is None and req.audience.exact and not can(user, "export_full"):
        raise MapperError(_("Your account may not export full data."), "audience", 403)
    return req


def check_format(fmt: str) -> str:
    """The media type of `fmt`."""
    if fmt in TABULAR:
        return "text/csv; charset=utf-8"
    if fmt not in FORMATS:
        known = ", ".join(sorted([*FORMATS, *TABULAR]))
        raise NotFound(_("Unknown export format. Use one of: %(known)s", known=known), "format")
    return FORMATS[fmt][0]


def _counted(rows: Iterable, progress: Callable[[int], None], every: int = 1000) -> Iterator:
    done = 0
    for done, row in enumerate(rows, 1):
        yield row
        if done % every == 0:
            progress(every)
    progress(done % every)


def _lines_counted(blocks: Iterable[bytes], progress: Callable[[int], None]) -> Iterator[bytes]:
    """Progress by line ends: a description with line breaks counts for more than one row."""
    for block in blocks:
        yield block
        progress(block.count(b"\n"))


def export_chunks(
    fmt: str, req: MapRequest, progress: Callable[[int], None] | None = None
) -> Iterator[bytes]:
    """The export of `req` in `fmt`, streamed: CSV by PostgreSQL's COPY, the rest from a
    server-side cursor."""
    check_format(fmt)
    records = records_select(req.filters, req.audience)
    if fmt in TABULAR:
        blocks = copy_csv(records, hxl=TABULAR[fmt])
        return _lines_counted(blocks, progress) if progress else blocks
    rows = stream_records(records)
    render = FORMATS[fmt][1]
    return (chunk.encode() for chunk in render(_counted(rows, progress) if progress else rows))


def count(req: MapRequest) -> int:
    with custom_plans():
        return count_records(req.filters, req.audience)


def filename(extension: str) -> str:
    return f"mapper-reports-{datetime.now(UTC):%Y%m%d}.{extension}"


def offline_html(req: MapRequest, tile_url: str, tile_attribution: str) -> str:
    """A self-contained HTML map of `req`'s reports (at most OFFLINE_LIMIT, the newest)."""
    total = count(req)
    stmt = records_select(req.filters, req.audience)
    note = ""
    if total > OFFLINE_LIMIT:
        stmt = stmt.order_by(None).order_by(stmt.selected_columns.id.desc()).limit(OFFLINE_LIMIT)
        note = _(
            "Showing the newest %(shown)d of %(total)d reports.", shown=OFFLINE_LIMIT, total=total
        )
    title = _("Reports (%(when)s)", when=f"{datetime.now(UTC):%Y-%m-%d}")
    return offline_map(stream_records(stmt), title, tile_url, tile_attribution, note)
