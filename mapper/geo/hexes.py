"""H3 hexagons and the Getis–Ord Gi* statistic over them: pure numbers, no database."""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import chain

import h3.api.basic_int as h3
import numpy as np
from shapely import clip_by_rect
from shapely.geometry import Polygon
from shapely.geometry.polygon import orient

from mapper.geo.points import BBox

# Reports store their cells at this resolution; coarser cells are derived from it.
H3_RESOLUTION = 12
_RESOLUTION_SHIFT = 52

KM_PER_DEGREE = 111.195
# A hexagon's farthest corner lies at most this many of its resolution's average edge lengths
# from its centre (1.10 at most over all 41,162 cells of resolution 3).
_REACH_EDGES = 1.25

# (two-tailed p-value threshold, bin) from the strongest evidence down: 99, 95, 90 %.
CONFIDENCE_LEVELS = ((0.01, 3), (0.05, 2), (0.10, 1))


def hex_of(lat: float | None, lon: float | None) -> int | None:
    """The stored H3 cell of a point, or None for a report without one."""
    if lat is None or lon is None:
        return None
    return h3.latlng_to_cell(lat, lon, H3_RESOLUTION)


def parent_sql(column: str, resolution: int) -> str:
    """SQL for the parent at `resolution` of an H3 index column: set the resolution field,
    then fill the digits below it with 7 (unused), as h3's cellToParent does."""
    low = (1 << (3 * (15 - resolution))) - 1
    return (
        f"(({column} & ~(15::bigint << {_RESOLUTION_SHIFT}) & ~{low}::bigint)"
        f" | ({resolution}::bigint << {_RESOLUTION_SHIFT}) | {low}::bigint)"
    )


@dataclass(frozen=True)
class Hotspots:
    cells: list[int]
    counts: np.ndarray
    z: np.ndarray
    p: np.ndarray
    bins: np.ndarray


@dataclass(frozen=True)
class Rings:
    """Each cell's ring-1 neighbourhood (the cell included) as positions in the study area,
    stored flat: cell i's ring is the `sizes[i]` members after those of the cells before it."""

    members: np.ndarray
    sizes: np.ndarray


def _disks(cells: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Every cell's ring-1 disk, flat, and each disk's size (6 + 1, or 5 + 1 at a pentagon)."""
    disks = [h3.grid_disk(cell, 1) for cell in cells]
    sizes = np.fromiter(map(len, disks), dtype=np.int64, count=len(disks))
    flat = np.fromiter(chain.from_iterable(disks), dtype=np.int64, count=int(sizes.sum()))
    return flat, sizes


def study_area(counts: dict[int, int]) -> tuple[list[int], np.ndarray, Rings]:
    """Cells with reports plus their empty neighbours (in the order first met); each cell's
    ring-1 neighbourhood within that area. Set operations run on arrays: a study area of
    hundreds of thousands of cells takes a fraction of a second."""
    reported = np.fromiter(counts, dtype=np.int64, count=len(counts))
    flat, sizes = _disks(reported.tolist())
    met, first = np.unique(flat, return_index=True)
    new = ~np.isin(met, reported)
    empty = met[new][np.argsort(first[new])]
    more, more_sizes = _disks(empty.tolist())
    cells = np.concatenate([reported, empty])
    flat, sizes = np.concatenate([flat, more]), np.concatenate([sizes, more_sizes])
    # Positions in the study area by binary search; neighbours outside it are dropped.
    order = np.argsort(cells, kind="stable")
    found = np.minimum(np.searchsorted(cells[order], flat), len(cells) - 1)
    inside = cells[order][found] == flat
    owners = np.repeat(np.arange(len(cells)), sizes)
    members = order[found][inside]
    kept = np.bincount(owners[inside], minlength=len(cells))
    values = np.zeros(len(cells))
    values[: len(reported)] = np.fromiter(counts.values(), dtype=float, count=len(counts))
    return cells.tolist(), values, Rings(members, kept)


def gi_star(values: np.ndarray, rings: Rings) -> np.ndarray:
    """Gi* z-scores with binary weights on each cell and its ring (the cell included)."""
    n = len(values)
    if n < 3:
        return np.zeros(n)
    sizes = rings.sizes.astype(float)
    owners = np.repeat(np.arange(n), rings.sizes)
    local = np.bincount(owners, weights=values[rings.members], minlength=n)
    total = values.sum()
    if total == 0:
        return np.zeros(n)
    mean = total / n
    variance = (values**2).sum() / n - mean**2
    if variance <= 0:
        return np.zeros(n)
    statistic = local / total
    expected = sizes / n
    expected_variance = sizes * (n - sizes) / (n - 1) / n**2 * variance / mean**2
    # A cell whose ring is the whole study area cannot stand out from it: z is 0, not NaN
    # (which is not JSON).
    spread = np.sqrt(expected_variance)
    return np.divide(statistic - expected, spread, out=np.zeros(n), where=spread > 0)


def two_tailed_p(z: np.ndarray) -> np.ndarray:
    return np.array([math.erfc(abs(value) / math.sqrt(2.0)) for value in z])


def confidence_bins(z: np.ndarray, p: np.ndarray, fdr: bool) -> np.ndarray:
    """−3..+3 for cold/hot spots at 99/95/90 % confidence, 0 when not significant.

    With `fdr`, the Benjamini–Hochberg procedure lowers each threshold so that the
    expected share of false discoveries among the significant cells stays under it.
    """
    bins = np.zeros(len(z), dtype=int)
    ordered = np.sort(p)
    ranks = np.arange(1, len(p) + 1)
    for alpha, level in reversed(CONFIDENCE_LEVELS):
        threshold = alpha
        if fdr and len(p):
            passing = ordered <= ranks * alpha / len(p)
            threshold = ordered[passing].max() if passing.any() else -1.0
        significant = p <= threshold
        bins[significant] = level * np.sign(z[significant]).astype(int)
    return bins


def hotspots(counts: dict[int, int], fdr: bool = False) -> Hotspots:
    """Gi* over the hexagons in `counts` and their empty neighbours."""
    cells, values, rings = study_area(counts)
    z = gi_star(values, rings)
    p = two_tailed_p(z)
    return Hotspots(cells, values, z, p, confidence_bins(z, p, fdr))


def _ring_json(points) -> str:
    return "[" + ",".join(f"[{lon:.6f},{lat:.6f}]" for lon, lat in (*points, points[0])) + "]"


def hex_geometry_json(cell: int) -> str:
    """The cell's outline as GeoJSON text with [lon, lat] to six decimals: a Polygon, or a
    MultiPolygon cut in two at the antimeridian when the cell crosses it (RFC 7946, 3.1.9).
    Written as text directly: tens of thousands of hexagons are written several times faster
    than as lists of floats passed to `json.dumps`."""
    points = [(lon, lat) for lat, lon in h3.cell_to_boundary(cell)]
    lons = [lon for lon, _lat in points]
    if max(lons) - min(lons) <= 180 or _around_a_pole(cell):
        return f'{{"type":"Polygon","coordinates":[{_ring_json(points)}]}}'
    whole = Polygon([(lon + 360 if lon < 0 else lon, lat) for lon, lat in points])
    parts = []
    for west, shift in ((0.0, 0.0), (180.0, -360.0)):
        part = orient(clip_by_rect(whole, west, -90.0, west + 180.0, 90.0), 1.0)
        parts.append(_ring_json([(lon + shift, lat) for lon, lat in part.exterior.coords[:-1]]))
    return '{"type":"MultiPolygon","coordinates":[' + ",".join(f"[{r}]" for r in parts) + "]}"


def _around_a_pole(cell: int) -> bool:
    """A cell around a pole surrounds it in longitude: it has no side of the line to cut."""
    resolution = h3.get_resolution(cell)
    return cell in (h3.latlng_to_cell(90, 0, resolution), h3.latlng_to_cell(-90, 0, resolution))


def hex_reach(resolution: int) -> float:
    """Degrees of latitude from any hexagon's centre to beyond its farthest corner."""
    return h3.average_hexagon_edge_length(resolution, "km") * _REACH_EDGES / KM_PER_DEGREE


def _span(bbox: BBox) -> float:
    return bbox.east - bbox.west if bbox.east >= bbox.west else bbox.east - bbox.west + 360


def grow(bbox: BBox, degrees: float) -> BBox:
    """`bbox` widened on every side by at least `degrees` of great-circle distance: longitude
    by more away from the equator, to the whole circle when that is nearer."""
    south, north = max(bbox.south - degrees, -90.0), min(bbox.north + degrees, 90.0)
    cosine = math.cos(math.radians(max(abs(south), abs(north))))
    extra = degrees / cosine if cosine > 1e-9 else 360.0
    if _span(bbox) + 2 * extra >= 360:
        return BBox(-180.0, south, 180.0, north)
    west, east = bbox.west - extra, bbox.east + extra
    west, east = west + 360 if west < -180 else west, east - 360 if east > 180 else east
    return BBox(west, south, east, north)


def near_view(cells: list[int], bbox: BBox, resolution: int) -> np.ndarray:
    """Which of `cells` (of `resolution`) may show in `bbox`: those whose centre lies within a
    hexagon's reach of it."""
    if not cells:
        return np.zeros(0, dtype=bool)
    centres = np.array([h3.cell_to_latlng(cell) for cell in cells])
    box = grow(bbox, hex_reach(resolution))
    span = _span(box)
    offset = np.abs((centres[:, 1] - (box.west + span / 2) + 180) % 360 - 180)
    return (centres[:, 0] >= box.south) & (centres[:, 0] <= box.north) & (offset <= span / 2)
