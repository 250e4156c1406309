"""Public pages: the map, and the vendored Leaflet assets the pages load."""

from __future__ import annotations

import xstatic.pkg.leaflet
import xstatic.pkg.leaflet_markercluster
from flask import Blueprint, abort, render_template, send_from_directory

bp = Blueprint("web", __name__)

VENDOR = {
    "leaflet": xstatic.pkg.leaflet.BASE_DIR,
    "leaflet-markercluster": xstatic.pkg.leaflet_markercluster.BASE_DIR,
}


@bp.get("/")
def public_map():
    """Show the public map of published reports."""
    return render_template("web/map.html")


@bp.get("/healthz")
def health():
    """Answer that the process is up, without touching the database."""
    return {"status": "ok"}


@bp.get("/vendor/<package>/<path:filename>")
def vendor(package: str, filename: str):
    """Serve a vendored front-end library from its Python package."""
    if package not in VENDOR:
        abort(404)
    return send_from_directory(VENDOR[package], filename, max_age=7 * 24 * 3600)
