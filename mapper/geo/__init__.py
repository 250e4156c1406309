"""Pure geometry helpers: parsing, validation, masking. No Flask, no database."""

from mapper.geo.masking import displace, displace_many, distance_m
from mapper.geo.points import BBox, GeoValueError, parse_bbox, parse_latitude, parse_longitude

__all__ = [
    "BBox",
    "GeoValueError",
    "displace",
    "displace_many",
    "distance_m",
    "parse_bbox",
    "parse_latitude",
    "parse_longitude",
]
