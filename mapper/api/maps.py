"""Map endpoints: clusters, heat weights, histogram and hotspots for the viewer's audience."""

from __future__ import annotations

from flask import Request
from flask_babel import gettext as _
from flask_login import current_user

from mapper.api.answers import json_answer
from mapper.errors import MapperError
from mapper.query import grid, maps
from mapper.query.hotspots import hotspot_json

MAX_HOTSPOT_RESOLUTION = 10


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
