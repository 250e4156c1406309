"""JSON API under /api/v1: URL rules only; the work happens in the modules they call."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from mapper.api import categories, maps, openapi, places, reports
from mapper.extensions import csrf

bp = Blueprint("api", __name__)
# JSON clients carry no session cookie; a cross-site JSON POST needs a CORS preflight.
csrf.exempt(bp)


@bp.post("/reports")
def create_report():
    """Submit a report; retries with the same Idempotency-Key store it once."""
    return reports.create(request)


@bp.get("/reports")
def list_reports():
    """List reports as GeoJSON, filtered and paginated: public ones, or with
    audience=reviewer what analysts see."""
    return reports.list_reports(request)


@bp.get("/reports/<reference>")
def show_report(reference: str):
    """Show one public report as a GeoJSON Feature."""
    return reports.show_public(reference)


@bp.get("/categories")
def list_categories():
    """List the category tree with names in every language."""
    return jsonify(categories.category_tree())


@bp.get("/places")
def search_places():
    """Find towns and places of the gazetteer by the first letters of a name."""
    return places.search(request)


@bp.get("/clusters")
def clusters():
    """Count matching reports per map cell of the view; single reports as themselves."""
    return maps.clusters(request)


@bp.get("/heatmap")
def heatmap():
    """Give aggregated weights of matching reports for a heat layer."""
    return maps.heatmap(request)


@bp.get("/histogram")
def histogram():
    """Count matching reports per day, week or month of the event date."""
    return maps.histogram(request)


@bp.get("/hotspots")
def hotspots():
    """Find Getis-Ord Gi* hot and cold spots over H3 hexagons."""
    return maps.hotspots(request)


@bp.get("/openapi.json")
def openapi_document():
    """Describe this API as OpenAPI 3."""
    return jsonify(openapi.document())
