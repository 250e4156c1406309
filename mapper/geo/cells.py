"""The map grid: Web Mercator cells per level, the same arithmetic as the SQL `map_mx/map_my`."""

from __future__ import annotations

import math
from dataclasses import dataclass

from mapper.geo.points import BBox

PIXEL_LEVEL = 24  # coordinates are kept as pixels at 2^24 per axis
MAX_LAT = 85.0511
MAX_ZOOM = 18
# Clusters are cells of 64 screen pixels: two levels below the zoom's 256-pixel tiles.
CLUSTER_LEVEL_OFFSET = 2
HEAT_LEVEL_OFFSET = 4


def mercator_x(lon: float) -> int:
    return min(max(math.floor((lon + 180.0) / 360.0 * 2**PIXEL_LEVEL), 0), 2**PIXEL_LEVEL - 1)


def mercator_y(lat: float) -> int:
    phi = math.radians(min(max(lat, -MAX_LAT), MAX_LAT))
    y = (1.0 - math.log(math.tan(phi) + 1.0 / math.cos(phi)) / math.pi) / 2.0
    return min(max(math.floor(y * 2**PIXEL_LEVEL), 0), 2**PIXEL_LEVEL - 1)


def cell_of(lon: float, lat: float, level: int) -> tuple[int, int]:
    shift = PIXEL_LEVEL - level
    return mercator_x(lon) >> shift, mercator_y(lat) >> shift


def first_split_level(west: float, south: float, east: float, north: float) -> int:
    """The first level at which the box's north-west and south-east corners lie in different
    cells (PIXEL_LEVEL + 1 when they share a pixel): where two pixel coordinates first differ
    is where their highest differing bit is."""
    dx = mercator_x(west) ^ mercator_x(east)
    dy = mercator_y(north) ^ mercator_y(south)
    return PIXEL_LEVEL + 1 - max(dx, dy).bit_length()


def cell_bounds(x: int, y: int, level: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) of cell (x, y) at `level`."""
    size = 2**level

    def lat(row: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / size))))

    return x / size * 360.0 - 180.0, lat(y + 1), (x + 1) / size * 360.0 - 180.0, lat(y)


@dataclass(frozen=True)
class CellRange:
    """The cells covering a view at one level: x in one or two ranges (antimeridian), y in one."""

    level: int
    xs: tuple[tuple[int, int], ...]
    y0: int
    y1: int

    def bounds(self) -> list[tuple[float, float, float, float]]:
        """The view snapped outward to whole cells, as envelopes."""
        return [
            (
                cell_bounds(x0, self.y0, self.level)[0],
                cell_bounds(x0, self.y1, self.level)[1],
                cell_bounds(x1, self.y0, self.level)[2],
                cell_bounds(x1, self.y0, self.level)[3],
            )
            for x0, x1 in self.xs
        ]

    def contains(self, x: int, y: int) -> bool:
        return self.y0 <= y <= self.y1 and any(x0 <= x <= x1 for x0, x1 in self.xs)

    def at_level(self, level: int) -> CellRange:
        """The cells at `level` covering these ones."""
        if level >= self.level:
            d = level - self.level
            xs = tuple((x0 << d, ((x1 + 1) << d) - 1) for x0, x1 in self.xs)
            return CellRange(level, xs, self.y0 << d, ((self.y1 + 1) << d) - 1)
        d = self.level - level
        xs = tuple((x0 >> d, x1 >> d) for x0, x1 in self.xs)
        return CellRange(level, xs, self.y0 >> d, self.y1 >> d)

    def columns(self) -> list[int]:
        return [x for x0, x1 in self.xs for x in range(x0, x1 + 1)]


WORLD = BBox(-180.0, -90.0, 180.0, 90.0)


def cells_covering(bbox: BBox | None, level: int) -> CellRange:
    """The cells at `level` that a view touches; None means the whole world."""
    bbox = bbox or WORLD
    shift = PIXEL_LEVEL - level
    xs = tuple(
        (mercator_x(west) >> shift, mercator_x(east) >> shift)
        for west, _south, east, _north in bbox.envelopes()
    )
    return CellRange(level, xs, mercator_y(bbox.north) >> shift, mercator_y(bbox.south) >> shift)


def level_for_view(bbox: BBox | None, screen_cells: int = 16) -> int:
    """A level at which the view is about `screen_cells` cells wide (for requests without zoom)."""
    if bbox is None:
        return 2
    width = (bbox.east - bbox.west) % 360.0 or 360.0
    return min(max(round(math.log2(360.0 * screen_cells / width)), 2), MAX_ZOOM + 2)
