"""Location resolution: the offline gazetteer of place names, and a submission that names a
known place but gives no coordinates placed at it."""

from __future__ import annotations

import time
from dataclasses import replace

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

    def __call__(self):
        loaded_at, value = self._values.get(id(db.engine), (0.0, None))
        if time.monotonic() - loaded_at > self.ttl:
            value = self.loader()
            self._values[id(db.engine)] = (time.monotonic(), value)
        return value

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


def placed(sub: Submission) -> Submission:
    """`sub` at the point of the place it names when it gives no coordinates of its own.

    The place name stays as written; a name the gazetteer does not know leaves the report
    without a location, for moderators to place.
    """
    if sub.latitude not in (None, "") or sub.longitude not in (None, ""):
        return sub
    if not isinstance(sub.place_name, str) or not sub.place_name.strip():
        return sub
    entry = cached_gazetteer().find(sub.place_name)
    if entry is None:
        return sub
    return replace(sub, latitude=entry.lat, longitude=entry.lon)
