import os

import numpy as np
import pytest

from mapper.geo import displace, displace_many, distance_m


def test_same_seed_gives_the_same_public_point():
    seed = bytes(range(16))
    assert displace(11.5564, 104.9282, seed) == displace(11.5564, 104.9282, seed)


def test_different_seeds_give_different_points():
    points = {displace(11.5564, 104.9282, os.urandom(16)) for _ in range(50)}
    assert len(points) == 50


@pytest.mark.parametrize(
    "lat, lon",
    [
        (11.5564, 104.9282),
        (19.4326, -99.1332),
        (0, 0),
        (89.99, 10),
        (-89.99, -170),
        (10, 179.999),
        (-5, -179.999),
    ],
)
def test_displacement_stays_within_the_configured_ring(lat, lon):
    for _ in range(200):
        new_lat, new_lon = displace(lat, lon, os.urandom(16), 500, 2000)
        assert -90 <= new_lat <= 90 and -180 <= new_lon <= 180
        assert 500 <= distance_m(lat, lon, new_lat, new_lon) <= 2000
        assert (new_lat, new_lon) != (lat, lon)


def test_custom_ring_is_honoured():
    for _ in range(100):
        new_lat, new_lon = displace(13.0, 102.0, os.urandom(16), 100, 150)
        assert 100 <= distance_m(13.0, 102.0, new_lat, new_lon) <= 150


def test_bearings_cover_every_direction():
    quadrants = set()
    for _ in range(200):
        new_lat, new_lon = displace(10.0, 100.0, os.urandom(16))
        quadrants.add((new_lat > 10.0, new_lon > 100.0))
    assert len(quadrants) == 4


def test_bulk_and_single_agree():
    seeds = [os.urandom(16) for _ in range(20)]
    lats, lons = np.linspace(-60, 60, 20), np.linspace(-170, 170, 20)
    bulk_lat, bulk_lon = displace_many(lats, lons, seeds)
    for i, seed in enumerate(seeds):
        assert displace(lats[i], lons[i], seed) == (bulk_lat[i], bulk_lon[i])


def test_invalid_ring_is_refused():
    with pytest.raises(ValueError):
        displace(0, 0, b"x" * 16, 2000, 500)
