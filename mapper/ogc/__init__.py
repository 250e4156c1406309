"""OGC API - Features at /ogc (QGIS and GDAL read it): URL rules and the JSON-or-HTML choice."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from flask_babel import gettext as _

from mapper.errors import NotFound
from mapper.ogc import documents, service

bp = Blueprint("ogc", __name__)


def _wants_html() -> bool:
    chosen = request.args.get("f")
    if chosen not in (None, "", "json", "html"):
        raise service.bad_parameter(_("Use f=json or f=html."), "f")
    if chosen:
        return chosen == "html"
    best = request.accept_mimetypes.best_match(
        ["application/json", "application/geo+json", "text/html"]
    )
    return best == "text/html"


def _answer(document: dict, kind: str = documents.JSON, title: str = ""):
    if _wants_html():
        return render_template("ogc/page.html", document=document, title=title)
    response = jsonify(document)
    response.mimetype = kind
    response.headers["Cache-Control"] = "no-cache"
    return response


def _collection_or_404(collection_id: str) -> None:
    if collection_id != service.COLLECTION:
        raise NotFound(_("There is no such collection."), "collectionId")


@bp.get("/", strict_slashes=False)
def landing():
    """Describe the service and link to its parts."""
    service.check_parameters(request.args, {"f"})
    return _answer(documents.landing(), title=_("Reports service"))


@bp.get("/conformance")
def conformance():
    """List the conformance classes this service implements."""
    service.check_parameters(request.args, {"f"})
    return _answer({"conformsTo": service.CONFORMANCE}, title=_("Conformance"))


@bp.get("/api")
def openapi():
    """Describe this API as OpenAPI 3.0."""
    response = jsonify(documents.openapi())
    response.mimetype = "application/vnd.oai.openapi+json"
    return response


@bp.get("/collections")
def collections():
    """List the collections: the public reports."""
    service.check_parameters(request.args, {"f"})
    return _answer(documents.collections(), title=_("Collections"))


@bp.get("/collections/<collection_id>")
def collection(collection_id: str):
    """Describe one collection, with its extent."""
    _collection_or_404(collection_id)
    service.check_parameters(request.args, {"f"})
    return _answer(documents.collection(), title=_("Reports"))


@bp.get("/collections/<collection_id>/items")
def items(collection_id: str):
    """Page through public reports filtered by bbox and event datetime."""
    _collection_or_404(collection_id)
    filters, limit, offset = service.item_query(request.args)
    page = service.items(filters, limit, offset)
    page["links"] = documents.page_links(request.args, page, limit, offset)
    return _answer(page, documents.GEOJSON, title=_("Reports"))


@bp.get("/collections/<collection_id>/items/<feature_id>")
def item(collection_id: str, feature_id: str):
    """Show one public report."""
    _collection_or_404(collection_id)
    service.check_parameters(request.args, {"f"})
    found = service.item(feature_id)
    found["links"] = documents.self_links(
        "ogc.item", documents.GEOJSON, collection_id=collection_id, feature_id=feature_id
    ) + [
        documents.link(
            "ogc.collection",
            "collection",
            documents.JSON,
            _("Reports"),
            collection_id=collection_id,
        )
    ]
    return _answer(found, documents.GEOJSON, title=found["properties"]["title"])
