"""The OpenAPI 3 description of /api/v1; a test checks it lists exactly the API's routes."""

from __future__ import annotations

from mapper.intake.validators import DESCRIPTION_MAX, TITLE_MAX
from mapper.models import REPORT_SOURCES
from mapper.query.public import DEFAULT_LIMIT, MAX_LIMIT

_ERRORS = {
    "description": "Errors, each naming the field at fault",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}},
}


def _error(description: str) -> dict:
    return {**_ERRORS, "description": description}


def _query(name: str, description: str, schema: dict | None = None) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


FILTER_PARAMETERS = [
    _query("bbox", "west,south,east,north in degrees, on the public location"),
    _query(
        "from",
        "event date (occurred_at) at or after, RFC 3339 or YYYY-MM-DD",
        {"type": "string", "format": "date-time"},
    ),
    _query(
        "to",
        "event date (occurred_at) at or before, RFC 3339 or YYYY-MM-DD",
        {"type": "string", "format": "date-time"},
    ),
    _query("category", "comma-separated category slugs; a parent includes its children"),
    _query("source", "comma-separated sources: " + ", ".join(REPORT_SOURCES)),
    _query("q", "text contained in the title or description"),
]

SCHEMAS = {
    "Errors": {
        "type": "object",
        "required": ["errors"],
        "properties": {
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "field": {"type": ["string", "null"]},
                        "message": {"type": "string"},
                    },
                },
            }
        },
    },
    "NewReport": {
        "type": "object",
        "required": ["title"],
        "additionalProperties": False,
        "properties": {
            "title": {"type": "string", "maxLength": TITLE_MAX},
            "description": {"type": "string", "maxLength": DESCRIPTION_MAX},
            "occurred_at": {
                "type": "string",
                "format": "date-time",
                "description": "When it happened (RFC 3339 with offset); defaults to now",
            },
            "location": {
                "oneOf": [
                    {
                        "type": "object",
                        "required": ["lat", "lon"],
                        "properties": {
                            "lat": {"type": "number", "minimum": -90, "maximum": 90},
                            "lon": {"type": "number", "minimum": -180, "maximum": 180},
                            "accuracy": {"type": "number", "minimum": 0, "description": "metres"},
                        },
                    },
                    {
                        "type": "object",
                        "required": ["type", "coordinates"],
                        "properties": {
                            "type": {"const": "Point"},
                            "coordinates": {
                                "type": "array",
                                "minItems": 2,
                                "maxItems": 3,
                                "items": {"type": "number"},
                            },
                        },
                    },
                ]
            },
            "place_name": {"type": "string", "maxLength": 200},
            "categories": {"type": "array", "items": {"type": "string"}},
            "contact": {
                "type": "object",
                "description": "Private; never published",
                "properties": {
                    "name": {"type": "string"},
                    "phone": {"type": "string"},
                    "email": {"type": "string", "format": "email"},
                },
            },
            "language": {"type": "string", "example": "km"},
        },
    },
    "Created": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "reference": {"type": "string"},
            "status": {"type": "string", "enum": ["pending"]},
        },
    },
    "Feature": {
        "type": "object",
        "description": "A public report: published or verified, at its masked public location",
        "properties": {
            "type": {"const": "Feature"},
            "id": {"type": "string"},
            "geometry": {"type": ["object", "null"]},
            "properties": {
                "type": "object",
                "properties": {
                    "reference": {"type": "string"},
                    "title": {"type": "string"},
                    "description": {"type": "string"},
                    "occurred_at": {"type": "string", "format": "date-time"},
                    "categories": {"type": "array", "items": {"type": "string"}},
                    "source": {"type": "string"},
                    "status": {"type": "string"},
                    "verified": {"type": "boolean"},
                    "place_name": {"type": ["string", "null"]},
                    "language": {"type": ["string", "null"]},
                },
            },
        },
    },
    "FeatureCollection": {
        "type": "object",
        "properties": {
            "type": {"const": "FeatureCollection"},
            "features": {"type": "array", "items": {"$ref": "#/components/schemas/Feature"}},
            "numberReturned": {"type": "integer"},
            "next": {"type": ["string", "null"], "description": "URL of the next page"},
        },
    },
    "Category": {
        "type": "object",
        "properties": {
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "names": {"type": "object"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Category"}},
        },
    },
}


def _json(ref: str, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


_ZOOM = _query("zoom", "map zoom 0-18", {"type": "integer", "minimum": 0, "maximum": 18})
MAP_PARAMETERS = FILTER_PARAMETERS + [
    _query("status", "comma-separated statuses (public: published, verified)"),
    _query(
        "audience", "`reviewer` for analysts: all statuses, exact points", {"enum": ["reviewer"]}
    ),
]


def _map_responses(description: str) -> dict:
    return {
        "200": {"description": description},
        "400": _error("Bad parameter"),
        "401": _error("audience=reviewer without signing in"),
        "403": _error("audience=reviewer without the analyst role"),
        "422": _error("Bad filter value"),
    }


PATHS = {
    "/api/v1/reports": {
        "post": {
            "summary": "Submit a report (stored as pending)",
            "parameters": [
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string", "maxLength": 255},
                    "description": "Retries with the same key store one report",
                }
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/NewReport"}}
                },
            },
            "responses": {
                "201": _json("Created", "Stored; replays of a key answer the same"),
                "400": _error("Malformed JSON"),
                "413": _error("Body over 1 MiB"),
                "415": _error("Not application/json"),
                "422": _error("Invalid data"),
                "503": _error("Database unavailable; nothing stored, retry"),
            },
        },
        "get": {
            "summary": "Reports as GeoJSON, newest event first",
            "description": "Public reports at their public points; with `audience=reviewer` "
            "(analysts and above), the statuses chosen at exact points. Never contact data.",
            "parameters": MAP_PARAMETERS
            + [
                _query(
                    "limit",
                    f"page size, default {DEFAULT_LIMIT}",
                    {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                ),
                _query("cursor", "opaque cursor from a previous page's `next`"),
            ],
            "responses": {
                **_map_responses(""),
                "200": _json("FeatureCollection", "A page of reports"),
            },
        },
    },
    "/api/v1/reports/{reference}": {
        "get": {
            "summary": "One public report",
            "parameters": [
                {"name": "reference", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {
                "200": _json("Feature", "The report"),
                "404": _error("No public report with this reference"),
            },
        },
    },
    "/api/v1/categories": {
        "get": {
            "summary": "The category tree",
            "responses": {
                "200": {
                    "description": "Top-level categories with children",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/Category"},
                            }
                        }
                    },
                }
            },
        },
    },
    "/api/v1/places": {
        "get": {
            "summary": "Places of the gazetteer by the first letters of a name",
            "description": "Whole names first, then names beginning with `q`, then names "
            "with a later word beginning with it; any language or script, without case or "
            "Latin accents.",
            "parameters": [
                {**_query("q", "the first letters of a place name"), "required": True},
                _query(
                    "limit", "most places given", {"type": "integer", "minimum": 1, "maximum": 20}
                ),
            ],
            "responses": {
                "200": {
                    "description": "`places`: each with `name`, `admin_area`, `country`, "
                    "`lat`, `lon`",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                "400": _error("A missing or invalid parameter, named in the answer"),
            },
        },
    },
    "/api/v1/clusters": {
        "get": {
            "summary": "Clusters of matching reports per 64-pixel cell of the view",
            "description": "Counts are exact for the cells the bbox touches (the answer's "
            "`bbox`); a cell holding one report is that report. `audience=reviewer` (analysts "
            "and above) gives every status at exact locations. A cluster has `count`, "
            "`bbox`, `expansion_zoom` and `category_counts`: its reports per category, in the "
            "order of the answer's `categories` (the top-level ones, or the category filtered "
            "on and its children).",
            "parameters": MAP_PARAMETERS + [_ZOOM],
            "responses": _map_responses(
                "GeoJSON FeatureCollection with `total`, `bbox` and `categories`"
            ),
        },
    },
    "/api/v1/heatmap": {
        "get": {
            "summary": "Heat weights: report counts on a grid of 16-pixel cells",
            "parameters": MAP_PARAMETERS + [_ZOOM],
            "responses": _map_responses(
                "`points` as [lat, lon, weight], `max`, `total`, and `cell_pixels`: the grid"
                " (16 pixels; 32 or 64 where a view of many reports is finer than the rollups)"
            ),
        },
    },
    "/api/v1/histogram": {
        "get": {
            "summary": "Matching reports per day, week or month of the event date",
            "parameters": MAP_PARAMETERS
            + [
                _ZOOM,
                _query("bucket", "bucket size", {"enum": ["day", "week", "month"]}),
            ],
            "responses": _map_responses("`buckets` of {start, count}, `total`"),
        },
    },
    "/api/v1/hotspots": {
        "get": {
            "summary": "Getis-Ord Gi* hot and cold spots over H3 hexagons",
            "description": "Each hexagon with its count, z-score, two-tailed p-value and "
            "confidence bin (-3..3 for 99/95/90 % cold or hot spots); cached per filter "
            "for a minute. With `bbox`, the hexagons that reach into it, each with all its "
            "reports; `total` is their sum.",
            "parameters": MAP_PARAMETERS
            + [
                _query(
                    "resolution", "H3 resolution", {"type": "integer", "minimum": 0, "maximum": 10}
                ),
                _query(
                    "fdr", "Benjamini-Hochberg false discovery rate correction", {"type": "boolean"}
                ),
            ],
            "responses": _map_responses("GeoJSON FeatureCollection of hexagons"),
        },
    },
    "/api/v1/openapi.json": {
        "get": {
            "summary": "This document",
            "responses": {"200": {"description": "OpenAPI 3.1 document"}},
        },
    },
}


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "mapper API",
            "version": "1",
            "description": "Public reports are published or verified only and carry a masked "
            "location; contact data is never returned.",
        },
        "paths": PATHS,
        "components": {"schemas": SCHEMAS},
    }
