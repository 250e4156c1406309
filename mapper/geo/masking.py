"""Deterministic displacement of exact points into public points."""

from __future__ import annotations

import hashlib
import hmac
import math

EARTH_RADIUS_M = 6_371_008.8


def _unit_floats(seed: bytes) -> tuple[float, float]:
    digest = hmac.new(seed, b"mapper/public-location/v1", hashlib.sha256).digest()
    scale = float(1 << 64)
    return (
        int.from_bytes(digest[:8], "big") / scale,
        int.from_bytes(digest[8:16], "big") / scale,
    )


def destination(lat: float, lon: float, bearing_rad: float, distance: float) -> tuple[float, float]:
    """Return the point `distance` metres from (lat, lon) along `bearing_rad` on a sphere."""
    phi1, lam1 = math.radians(lat), math.radians(lon)
    delta = distance / EARTH_RADIUS_M
    sin_phi2 = math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(
        bearing_rad
    )
    phi2 = math.asin(max(-1.0, min(1.0, sin_phi2)))
    lam2 = lam1 + math.atan2(
        math.sin(bearing_rad) * math.sin(delta) * math.cos(phi1),
        math.cos(delta) - math.sin(phi1) * sin_phi2,
    )
    lon2 = (math.degrees(lam2) + 540.0) % 360.0 - 180.0
    return math.degrees(phi2), lon2


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlam = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


def displace(
    lat: float, lon: float, seed: bytes, min_m: float = 500.0, max_m: float = 2000.0
) -> tuple[float, float]:
    """Move (lat, lon) by a distance in [min_m, max_m] and a bearing both derived from `seed`.

    The same seed always gives the same offset, so a report shows one public point
    however often it is read; distances are uniform over the annulus's area so that
    points do not bunch near the inner ring.
    """
    if not 0 <= min_m <= max_m:
        raise ValueError("need 0 <= min_m <= max_m")
    u_dist, u_bearing = _unit_floats(seed)
    radius = math.sqrt(min_m**2 + u_dist * (max_m**2 - min_m**2))
    if max_m - min_m > 1.0:
        # Keep clear of the bounds so rounding to 6 decimals (~0.1 m) cannot cross them.
        radius = min(max_m - 0.5, max(min_m + 0.5, radius))
    new_lat, new_lon = destination(lat, lon, 2 * math.pi * u_bearing, radius)
    return round(new_lat, 6), round(new_lon, 6)
