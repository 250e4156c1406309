"""Gi* hot and cold spots over H3 hexagons, as GeoJSON. A view's reports are counted beyond
its edges, so that every hexagon shown holds all of its reports and has all its neighbours."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
from flask import current_app
from sqlalchemy import func, literal_column, select

from mapper.answer_cache import AnswerCache
from mapper.extensions import db
from mapper.geo.hexes import (
    Hotspots,
    grow,
    hex_geometry_json,
    hex_reach,
    hotspots,
    near_view,
    parent_sql,
)
from mapper.models import Report
from mapper.query import grid
from mapper.query.filters import ReportFilters, filter_clauses
from mapper.query.maps import MapRequest

HOTSPOT_CACHE_SECONDS = 60.0
# Counted this many hexagon reaches beyond the view: a hexagon shown reaches one into the
# view, its neighbours' centres lie within two of its own, and their corners one further.
COUNTED_REACHES = 4


def hotspot_json(req: MapRequest, resolution: int, fdr: bool) -> bytes:
    """The hexagons of the view with their counts, Gi* z-scores, p-values and bins; cached per
    filter for a minute, as the encoded answer (tens of thousands of hexagons take long to
    encode again), in a file that every worker reads."""
    key = repr((req.filters, req.audience, req.category_ids, resolution, fdr))
    cache = AnswerCache(_hotspot_cache_dir(), HOTSPOT_CACHE_SECONDS)
    cached = cache.get(key)
    if cached is not None:
        return cached
    bbox = req.filters.bbox
    counted = req.filters
    if bbox is not None:
        counted = replace(counted, bbox=grow(bbox, COUNTED_REACHES * hex_reach(resolution)))
    result = hotspots(_counts(req, counted, resolution), fdr=fdr)
    shown = np.flatnonzero((result.counts > 0) | (result.bins != 0))
    if bbox is not None:
        shown = shown[near_view([result.cells[i] for i in shown], bbox, resolution)]
    answer = _encoded(result, shown, resolution, fdr)
    cache.put(key, answer)
    return answer


def _counts(req: MapRequest, filters: ReportFilters, resolution: int) -> dict[int, int]:
    """Matching reports per hexagon of `resolution`, on the location the viewer may see."""
    column = "h3_exact" if req.audience.exact else "h3_public"
    parent = literal_column(parent_sql(column, resolution))
    where = [
        Report.status.in_(req.audience.statuses),
        literal_column(column).is_not(None),
        *filter_clauses(filters, req.audience.geometry),
    ]
    # One aggregate over every matching report, which compiling to machine code speeds up
    # (at 10,000,000 reports 3.0-3.5 s instead of 4.0-4.5 s), unlike the app's short reads.
    counting = select(parent, func.count()).where(*where).group_by(parent)
    with grid.custom_plans(), grid.local_settings({"jit": "on"}):
        return dict(db.session.execute(counting).all())


def _encoded(result: Hotspots, shown: np.ndarray, resolution: int, fdr: bool) -> bytes:
    """Written as text: building and encoding tens of thousands of nested dicts took longer
    than the statistic. Every value is a number or a hex id, so nothing needs escaping."""
    features = []
    for i in shown:
        h, count, bin_ = result.cells[i], int(result.counts[i]), int(result.bins[i])
        z, p = round(float(result.z[i]), 4), round(float(result.p[i]), 6)
        features.append(
            f'{{"type":"Feature","id":"{h:x}","geometry":{hex_geometry_json(h)},'
            f'"properties":{{"h3":"{h:x}","count":{count},'
            f'"z":{z!r},"p":{p!r},"bin":{bin_}}}}}'
        )
    return (
        '{"type":"FeatureCollection","features":[' + ",".join(features) + "],"
        f'"resolution":{resolution},"fdr":{json.dumps(fdr)},"cells":{len(result.cells)},'
        f'"total":{int(result.counts[shown].sum())}}}'
    ).encode()


def _hotspot_cache_dir() -> Path:
    return Path(current_app.config["MAPPER_VAR_DIR"]) / "cache" / "hotspots"
