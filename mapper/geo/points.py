"""Parse and validate coordinates and bounding boxes from untrusted input."""

from __future__ import annotations

import math
from dataclasses import dataclass


class GeoValueError(ValueError):
    """A coordinate that cannot be used; `code` says why (not_number, not_finite, out_of_range)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _number(value: object) -> float:
    # bool is an int in Python, but `true` is never a coordinate.
    if isinstance(value, bool) or value is None:
        raise GeoValueError("not_number")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise GeoValueError("not_number") from None
    else:
        raise GeoValueError("not_number")
    if not math.isfinite(number):
        raise GeoValueError("not_finite")
    return number


def _in_range(value: object, limit: float) -> float:
    number = _number(value)
    if not -limit <= number <= limit:
        raise GeoValueError("out_of_range")
    return number


def parse_latitude(value: object) -> float:
    """Return a finite latitude in −90..90 or raise GeoValueError."""
    return _in_range(value, 90.0)


def parse_longitude(value: object) -> float:
    """Return a finite longitude in −180..180 or raise GeoValueError."""
    return _in_range(value, 180.0)


@dataclass(frozen=True)
class BBox:
    west: float
    south: float
    east: float
    north: float

    @property
    def crosses_antimeridian(self) -> bool:
        return self.west > self.east

    def envelopes(self) -> list[tuple[float, float, float, float]]:
        """Return one (w, s, e, n) envelope, or two when the box crosses the antimeridian."""
        if self.crosses_antimeridian:
            return [
                (self.west, self.south, 180.0, self.north),
                (-180.0, self.south, self.east, self.north),
            ]
        return [(self.west, self.south, self.east, self.north)]


def parse_bbox(text: str) -> BBox:
    """Parse "W,S,E,N" in degrees; W > E means the box crosses the antimeridian."""
    parts = text.split(",")
    if len(parts) != 4:
        raise GeoValueError("not_number")
    west, east = parse_longitude(parts[0]), parse_longitude(parts[2])
    south, north = parse_latitude(parts[1]), parse_latitude(parts[3])
    if south > north:
        raise GeoValueError("out_of_range")
    return BBox(west, south, east, north)
