"""Map endpoints: clusters, heat weights, histogram and hotspots for the viewer's audience."""

from __future__ import annotations

from flask import Request, current_app, jsonify
from flask_babel import gettext as _
from flask_login import current_user

from mapper.errors import MapperError
from mapper.query import grid, maps
from mapper.query.hotspots import hotspot_json

MAX_HOTSPOT_RESOLUTION = 10


def json_answer(payload: dict | bytes, request: Request):
    """JSON of `payload` (or `payload` itself, already encoded) with the audience's caching."""
    if isinstance(payload, bytes):
        response = current_app.response_class(payload, mimetype="application/json")
    else:
        response = jsonify(payload)
    # Reviewer answers carry exact points: never kept by shared caches.
    if request.args.get("audience") == "reviewer":
        response.headers["Cache-Control"] = "private, no-store"
    else:
        # Moderation changes show at once: caches must ask again each time.
        response.headers["Cache-Control"] = "no-cache"
    return response


def clusters(request: Request):
    grid.begin_reads()
    return json_answer(maps.clusters(maps.parse_map_request(request.args, current_user)), request)


def heatmap(request: Request):
    grid.begin_reads()
    return json_answer(maps.heatmap(maps.parse_map_request(request.args, current_user)), request)


def histogram(request: Request):
    grid.begin_reads()
    req = maps.parse_map_request(request.args, current_user, zoom_required=False)
    return json_answer(maps.histogram(req, request.args.get("bucket") or "month"), request)


def hotspots(request: Request):
    req = maps.parse_map_request(request.args, current_user, zoom_required=False)
    resolution = maps.bounded_int(request.args, "resolution", 0, MAX_HOTSPOT_RESOLUTION, 7)
    fdr = (request.args.get("fdr") or "false").lower()
    if fdr not in ("true", "false", "1", "0"):
        raise MapperError(_("Must be true or false."), "fdr")
    return json_answer(hotspot_json(req, resolution, fdr in ("true", "1")), request)
