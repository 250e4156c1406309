"""Exports of the map's current filter: URL rules only; the work happens in exports.service."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request, stream_with_context
from flask_login import current_user

from mapper.exports import service

bp = Blueprint("exports", __name__)


def _download(response: Response, extension: str, req) -> Response:
    """An attachment; analysts' full exports are never kept by shared caches."""
    disposition = f'attachment; filename="{service.filename(extension)}"'
    response.headers["Content-Disposition"] = disposition
    response.headers["Cache-Control"] = "private, no-store" if req.audience.exact else "no-cache"
    return response


@bp.get("/reports.<fmt>")
def reports(fmt: str):
    """Stream the reports matching the filter as CSV, HXL, GeoJSON or KML."""
    mimetype = service.check_format(fmt)
    req = service.export_request(request.args, current_user)
    chunks = service.export_chunks(fmt, req)
    return _download(Response(stream_with_context(chunks), mimetype=mimetype), fmt, req)


@bp.get("/map.html")
def offline_map():
    """Give one self-contained HTML map of the filter that opens without a network."""
    req = service.export_request(request.args, current_user)
    html = service.offline_html(
        req, current_app.config["MAPPER_TILE_URL"], current_app.config["MAPPER_TILE_ATTRIBUTION"]
    )
    return _download(Response(html, mimetype="text/html"), "html", req)
