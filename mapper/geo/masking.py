"""Deterministic displacement of exact points into public points.

One vectorised implementation serves both a single report at intake and millions of
synthetic rows in bulk, so there is exactly one masking formula.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

import numpy as np

EARTH_RADIUS_M = 6_371_008.8
_CONTEXT = b"mapper/public-location/v1"
_SCALE = float(1 << 64)


def unit_floats(seeds: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Two uniform numbers in [0, 1) per seed, from an HMAC of the seed."""
    digests = b"".join(hmac.digest(seed, _CONTEXT, hashlib.sha256)[:16] for seed in seeds)
    words = np.frombuffer(digests, dtype=">u8").reshape(-1, 2).astype(np.float64) / _SCALE
    return words[:, 0], words[:, 1]


def destination(lat, lon, bearing_rad, distance):
    """The point `distance` metres from (lat, lon) along `bearing_rad`, on a sphere (arrays)."""
    phi1, lam1 = np.radians(lat), np.radians(lon)
    delta = np.asarray(distance) / EARTH_RADIUS_M
    sin_phi2 = np.sin(phi1) * np.cos(delta) + np.cos(phi1) * np.sin(delta) * np.cos(bearing_rad)
    sin_phi2 = np.clip(sin_phi2, -1.0, 1.0)
    lam2 = lam1 + np.arctan2(
        np.sin(bearing_rad) * np.sin(delta) * np.cos(phi1),
        np.cos(delta) - np.sin(phi1) * sin_phi2,
    )
    lon2 = (np.degrees(lam2) + 540.0) % 360.0 - 180.0
    return np.degrees(np.arcsin(sin_phi2)), lon2


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dphi, dlam = phi2 - phi1, np.radians(lon2 - lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlam / 2) ** 2
    return float(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(1.0, a))))


def displace_many(
    lats, lons, seeds: Sequence[bytes], min_m: float = 500.0, max_m: float = 2000.0
) -> tuple[np.ndarray, np.ndarray]:
    """Move each point by a distance in [min_m, max_m] and a bearing both derived from its seed.

    The same seed always gives the same offset, so a report shows one public point
    however often it is read; distances are uniform over the annulus's area so that
    points do not bunch near the inner ring.
    """
    if not 0 <= min_m <= max_m:
        raise ValueError("need 0 <= min_m <= max_m")
    u_dist, u_bearing = unit_floats(seeds)
    radius = np.sqrt(min_m**2 + u_dist * (max_m**2 - min_m**2))
    if max_m - min_m > 1.0:
        # Keep clear of the bounds so rounding to 6 decimals (~0.1 m) cannot cross them.
        radius = np.clip(radius, min_m + 0.5, max_m - 0.5)
    new_lat, new_lon = destination(
        np.asarray(lats, dtype=float),
        np.asarray(lons, dtype=float),
        2 * np.pi * u_bearing,
        radius,
    )
    return np.round(new_lat, 6), np.round(new_lon, 6)


def displace(
    lat: float, lon: float, seed: bytes, min_m: float = 500.0, max_m: float = 2000.0
) -> tuple[float, float]:
    """The public point of one exact point (see displace_many)."""
    new_lat, new_lon = displace_many([lat], [lon], [seed], min_m, max_m)
    return float(new_lat[0]), float(new_lon[0])
