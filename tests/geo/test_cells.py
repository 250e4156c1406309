"""The map grid's arithmetic."""

import random

from mapper.geo.cells import PIXEL_LEVEL, cell_of, cells_covering, first_split_level
from mapper.geo.points import BBox


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


def test_cells_at_another_level_hold_the_same_points():
    """A view's cells read at a finer level hold exactly the points they held; at a coarser
    level, at least those (the column indexes narrow views at level 16 this way)."""
    rng = random.Random(11)
    for _ in range(300):
        west, south = rng.uniform(-180, 170), rng.uniform(-70, 60)
        bbox = BBox(west, south, west + 10 ** rng.uniform(-3, 1), south + 10 ** rng.uniform(-3, 1))
        if rng.random() < 0.1:
            bbox = BBox(175.5, south, -178.2, south + 2)  # across the antimeridian
        cells = cells_covering(bbox, rng.randint(2, 22))
        other = cells.at_level(rng.randint(2, 22))
        for _ in range(40):
            lon = (rng.uniform(bbox.west - 1, bbox.west + 12) + 180) % 360 - 180
            lat = rng.uniform(bbox.south - 1, bbox.north + 1)
            inside = cells.contains(*cell_of(lon, lat, cells.level))
            inside_other = other.contains(*cell_of(lon, lat, other.level))
            if other.level >= cells.level:
                assert inside == inside_other
            else:
                assert inside <= inside_other
