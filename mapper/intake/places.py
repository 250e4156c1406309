"""Location resolution: the offline gazetteer of place names, and a submission that names a
known place but gives no coordinates placed at it."""

from __future__ import annotations

import time
from dataclasses import replace

from flask_babel import gettext as _
from sqlalchemy import func, select

from mapper.extensions import db
from mapper.geo.gazetteer import Gazetteer, GazetteerEntry
from mapper.intake.submission import Submission
from mapper.models import Place


class Cached:
    """A value loaded from the database, reloaded after `ttl` seconds (per database)."""

    def __init__(self, loader, ttl: float = 30.0):
        self.loader, self.ttl = loader, ttl
        self._values: dict[int, tuple[float, object]] = {}

    def __call__(self, outdated=None):
        """The value kept for this database, loaded afresh when it is older than `ttl` or
        when `outdated(value)` says it is out of date."""
        kept = self._values.get(id(db.engine))
        if (
            kept is None
            or time.monotonic() - kept[0] > self.ttl
            or (outdated is not None and outdated(kept[1]))
        ):
            kept = time.monotonic(), self.loader()
            self._values[id(db.engine)] = kept
        return kept[1]

    def clear(self) -> None:
        self._values.clear()


def load_gazetteer() -> Gazetteer:
    gazetteer = Gazetteer()
    rows = db.session.execute(
        select(
            Place.name,
            Place.variants,
            Place.country,
            Place.admin_area,
            func.ST_Y(Place.location),
            func.ST_X(Place.location),
        )
    )
    for name, variants, country, admin_area, lat, lon in rows:
        entry = GazetteerEntry(name, lat, lon, country, admin_area)
        gazetteer.add([name, *variants], entry)
    return gazetteer


cached_gazetteer = Cached(load_gazetteer)


def placed(sub: Submission) -> tuple[Submission, list[tuple[str, str]]]:
    """`sub` at the point of the place it names when it gives no coordinates of its own, and
    the problem with its place, if any.

    The place name stays as written, and a name the gazetteer does not know leaves the report
    without a location for moderators to place; with `towns_only`, the name becomes the
    town's and an unknown one is a problem.
    """
    if not isinstance(sub.place_name, str) or not sub.place_name.strip():
        return sub, []
    has_point = sub.latitude not in (None, "") or sub.longitude not in (None, "")
    if has_point and not sub.towns_only:
        return sub, []
    town = cached_gazetteer().find(sub.place_name)
    if town is None:
        if not sub.towns_only:
            return sub, []
        unknown = _(
            "We do not know this place. Choose a town from the list, or leave this "
            "empty and put a pin on the map."
        )
        return sub, [("place_name", unknown)]
    if sub.towns_only:
        sub = replace(sub, place_name=town.name)
    if not has_point:
        sub = replace(sub, latitude=town.lat, longitude=town.lon)
    return sub, []
