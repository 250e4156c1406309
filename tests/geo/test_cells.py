"""The map grid's arithmetic."""

import random

from mapper.geo.cells import PIXEL_LEVEL, cell_of, first_split_level


def _split_by_search(west, south, east, north):
    for level in range(PIXEL_LEVEL + 1):
        if cell_of(west, north, level) != cell_of(east, south, level):
            return level
    return PIXEL_LEVEL + 1


def test_first_split_level_is_where_the_corners_first_fall_into_different_cells():
    rng = random.Random(7)
    for _ in range(2000):
        lon, lat = rng.uniform(-180, 179), rng.uniform(-80, 80)
        size = 10 ** rng.uniform(-8, 1)
        box = (lon, lat, lon + size * rng.random(), lat + size * rng.random())
        assert first_split_level(*box) == _split_by_search(*box)


def test_a_single_point_never_splits():
    assert first_split_level(102.5, 13.6, 102.5, 13.6) == PIXEL_LEVEL + 1
