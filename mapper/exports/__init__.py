"""Exports of the map's current filter: URL rules only; the work happens in exports.service."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request, stream_with_context
from flask_login import current_user

from mapper.exports import service

bp = Blueprint("exports", __name__)


@bp.get("/reports.<fmt>")
def reports(fmt: str):
    """Stream the reports matching the filter as CSV, HXL, GeoJSON or KML."""
    mimetype, _render = service.check_format(fmt)
    req = service.export_request(request.args, current_user)
    chunks = service.export_chunks(fmt, req)
    response = Response(stream_with_context(chunks), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{service.filename(fmt)}"'
    response.headers["Cache-Control"] = "private, no-store" if req.audience.exact else "no-cache"
    return response


@bp.get("/map.html")
def offline_map():
    """Give one self-contained HTML map of the filter that opens without a network."""
    req = service.export_request(request.args, current_user)
    html = service.offline_html(
        req, current_app.config["MAPPER_TILE_URL"], current_app.config["MAPPER_TILE_ATTRIBUTION"]
    )
    response = Response(html, mimetype="text/html")
    response.headers["Content-Disposition"] = f'attachment; filename="{service.filename("html")}"'
    response.headers["Cache-Control"] = "private, no-store" if req.audience.exact else "no-cache"
    return response
