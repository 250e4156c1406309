"""Exports of the current map filter: full data by permission, the public's through the gate."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime

from flask_babel import gettext as _

from mapper.auth.permissions import can
from mapper.errors import MapperError, NotFound
from mapper.exports.formats import FORMATS
from mapper.exports.offline import offline_map
from mapper.query.grid import Audience
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


def check_format(fmt: str) -> tuple[str, object]:
    if fmt not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise NotFound(_("Unknown export format. Use one of: %(known)s", known=known), "format")
    return FORMATS[fmt]


def _counted(rows: Iterable, progress: Callable[[int], None], every: int = 1000) -> Iterator:
    done = 0
    for done, row in enumerate(rows, 1):
        yield row
        if done % every == 0:
            progress(every)
    progress(done % every)


def export_chunks(
    fmt: str, req: MapRequest, progress: Callable[[int], None] | None = None
) -> Iterator[str]:
    """The export of `req` in `fmt`, as text chunks read from a server-side cursor."""
    _mimetype, render = check_format(fmt)
    rows = stream_records(records_select(req.filters, req.audience))
    return render(_counted(rows, progress) if progress else rows)


def count(req: MapRequest) -> int:
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
