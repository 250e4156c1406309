"""The OGC API's JSON documents: landing page, collection, links and its OpenAPI description."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import url_for
from flask_babel import gettext as _

from mapper.ogc.service import COLLECTION, CRS84, DEFAULT_LIMIT, MAX_LIMIT, extent

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"


def link(endpoint: str, rel: str, kind: str, title: str, **values) -> dict:
    href = url_for(endpoint, _external=True, **values)
    return {"href": href, "rel": rel, "type": kind, "title": title}


def self_links(endpoint: str, kind: str = JSON, **values) -> list[dict]:
    return [
        link(endpoint, "self", kind, _("This document"), **values),
        link(endpoint, "alternate", HTML, _("This document as HTML"), f="html", **values),
    ]


def landing() -> dict:
    return {
        "title": _("mapper: reports of suspected trafficking"),
        "description": _("Published and verified reports, at their public (displaced) locations."),
        "links": self_links("ogc.landing")
        + [
            link("ogc.openapi", "service-desc", OPENAPI, _("The API definition")),
            link("ogc.conformance", "conformance", JSON, _("Conformance classes")),
            link("ogc.collections", "data", JSON, _("Collections")),
        ],
    }


def collection() -> dict:
    return {
        "id": COLLECTION,
        "title": _("Reports"),
        "description": _("Public reports; dates filter on when the event happened."),
        "itemType": "feature",
        "crs": [CRS84],
        "extent": extent(),
        "links": self_links("ogc.collection", collection_id=COLLECTION)
        + [
            link("ogc.items", "items", GEOJSON, _("The reports"), collection_id=COLLECTION),
            link(
                "ogc.items",
                "items",
                HTML,
                _("The reports as HTML"),
                collection_id=COLLECTION,
                f="html",
            ),
        ],
    }


def collections() -> dict:
    return {"links": self_links("ogc.collections"), "collections": [collection()]}


def page_links(args, page: dict, limit: int, offset: int) -> list[dict]:
    """self, alternate, and next/prev when there are more records either side."""
    base = url_for("ogc.items", collection_id=COLLECTION, _external=True)
    kept = {k: v for k, v in args.items() if k not in ("offset", "f")}

    def at(rel: str, kind: str, title: str, start: int, **extra) -> dict:
        query = urlencode({**kept, "limit": limit, "offset": start, **extra})
        return {"href": f"{base}?{query}", "rel": rel, "type": kind, "title": title}

    links = [
        at("self", GEOJSON, _("This page"), offset),
        at("alternate", HTML, _("This page as HTML"), offset, f="html"),
    ]
    if offset + page["numberReturned"] < page["numberMatched"]:
        links.append(at("next", GEOJSON, _("Next page"), offset + limit))
    if offset > 0:
        links.append(at("prev", GEOJSON, _("Previous page"), max(0, offset - limit)))
    return links


def _parameter(name: str, description: str, schema: dict, where: str = "query") -> dict:
    required = where == "path"
    return {
        "name": name,
        "in": where,
        "required": required,
        "description": description,
        "schema": schema,
    }


def _get(summary: str, parameters: list, kind: str = JSON) -> dict:
    ok = {"description": summary, "content": {kind: {}, HTML: {}}}
    return {
        "get": {
            "summary": summary,
            "parameters": parameters,
            "responses": {"200": ok, "400": {"description": _("Invalid parameter")}},
        }
    }


def openapi() -> dict:
    f = _parameter("f", "json or html", {"type": "string", "enum": ["json", "html"]})
    collection_id = _parameter("collectionId", "reports", {"type": "string"}, "path")
    items = [
        collection_id,
        _parameter(
            "bbox",
            "west,south,east,north (CRS84), on public locations",
            {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 6},
        ),
        _parameter(
            "datetime",
            "instant or interval of the event date ('..' for an open end)",
            {"type": "string"},
        ),
        _parameter(
            "limit",
            "records per page",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        ),
        _parameter("offset", "records to skip", {"type": "integer", "minimum": 0, "default": 0}),
        f,
    ]
    feature_id = _parameter("featureId", "report reference", {"type": "string"}, "path")
    return {
        "openapi": "3.0.3",
        "info": {"title": "mapper OGC API - Features", "version": "1.0.0"},
        "servers": [{"url": url_for("ogc.landing", _external=True).rstrip("/")}],
        "paths": {
            "/": _get("Landing page", [f]),
            "/conformance": _get("Conformance classes", [f]),
            "/api": _get("This API definition", [], OPENAPI),
            "/collections": _get("Collections", [f]),
            "/collections/{collectionId}": _get("A collection", [collection_id, f]),
            "/collections/{collectionId}/items": _get("Reports", items, GEOJSON),
            "/collections/{collectionId}/items/{featureId}": _get(
                "One report", [collection_id, feature_id, f], GEOJSON
            ),
        },
    }
