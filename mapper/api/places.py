"""Place search over the offline gazetteer, for finding a town on a map without a third party."""

from __future__ import annotations

from flask import Request, jsonify
from flask_babel import gettext as _

from mapper.errors import MapperError
from mapper.intake.places import cached_gazetteer
from mapper.query.maps import bounded_int

QUERY_MAX = 100
DEFAULT_LIMIT = 8
MAX_LIMIT = 20


def search(request: Request):
    """Places whose name (in any language) is, begins with, or has a word beginning with `q`."""
    query = (request.args.get("q") or "").strip()
    if not query:
        raise MapperError(_("Type the first letters of a place."), "q")
    if len(query) > QUERY_MAX:
        raise MapperError(_("Must be at most %(limit)d characters.", limit=QUERY_MAX), "q")
    limit = bounded_int(request.args, "limit", 1, MAX_LIMIT, DEFAULT_LIMIT)
    places = [
        {
            "name": place.name,
            "admin_area": place.admin_area,
            "country": place.country,
            "lat": place.lat,
            "lon": place.lon,
        }
        for place in cached_gazetteer().search(query, limit)
    ]
    response = jsonify({"places": places})
    # Gazetteer entries are public and change rarely; the query names no one.
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
