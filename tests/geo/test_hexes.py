"""Gi* over H3 cells agrees with PySAL's esda; bins and the FDR correction behave."""

import json
import math

import h3.api.basic_int as h3
import numpy as np
import pytest
from esda.getisord import G_Local
from libpysal.weights import W
from shapely import unary_union
from shapely.affinity import translate
from shapely.geometry import Polygon

from mapper.geo import BBox
from mapper.geo.hexes import (
    H3_RESOLUTION,
    confidence_bins,
    gi_star,
    grow,
    hex_geometry_json,
    hex_of,
    hotspots,
    near_view,
    parent_sql,
    study_area,
    two_tailed_p,
)


def sample_counts(seed: int) -> dict[int, int]:
    rng = np.random.default_rng(seed)
    centre = h3.latlng_to_cell(13.36, 103.86, 7)
    cells = list(h3.grid_disk(centre, 6))
    counts = {}
    for cell in cells:
        distance = h3.grid_distance(centre, cell)
        counts[cell] = int(rng.poisson(max(0.5, 30 - 6 * distance)))
    return {cell: n for cell, n in counts.items() if n}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_z_scores_match_esda_g_local_star(seed):
    cells, values, rings = study_area(sample_counts(seed))
    ours = gi_star(values, rings)
    each = np.split(rings.members, np.cumsum(rings.sizes)[:-1])
    neighbours = {i: [j for j in ring if j != i] for i, ring in enumerate(each)}
    reference = G_Local(
        values, W(neighbours, silence_warnings=True), transform="B", star=True, permutations=0
    )
    assert ours == pytest.approx(reference.Zs, rel=1e-9, abs=1e-9)
    assert two_tailed_p(ours) == pytest.approx(2 * reference.p_norm, rel=1e-9, abs=1e-12)


def test_a_dense_centre_is_a_hot_spot_and_empty_edges_are_not():
    result = hotspots(sample_counts(1))
    values = dict(zip(result.cells, result.bins, strict=True))
    centre = h3.latlng_to_cell(13.36, 103.86, 7)
    assert values[centre] == 3
    assert min(result.bins) <= 0


def test_bins_follow_the_confidence_levels():
    z = np.array([3.0, 2.2, 1.7, 0.5, -1.7, -2.2, -3.0])
    assert confidence_bins(z, two_tailed_p(z), fdr=False).tolist() == [3, 2, 1, 0, -1, -2, -3]


def test_false_discovery_rate_control_only_removes_significance():
    z = np.random.default_rng(4).normal(0, 1.4, 400)
    p = two_tailed_p(z)
    plain, corrected = confidence_bins(z, p, fdr=False), confidence_bins(z, p, fdr=True)
    assert np.all(np.abs(corrected) <= np.abs(plain))
    assert np.count_nonzero(corrected) < np.count_nonzero(plain)


def test_parents_computed_in_sql_match_h3(db_session):
    from sqlalchemy import text

    from mapper.extensions import db

    cell = hex_of(11.5564, 104.9282)
    assert h3.get_resolution(cell) == H3_RESOLUTION
    for resolution in (3, 5, 7, 9):
        got = db.session.execute(text(f"SELECT {parent_sql(':c', resolution)}"), {"c": cell})
        assert got.scalar_one() == h3.cell_to_parent(cell, resolution)


def test_a_cell_whose_ring_is_the_whole_area_scores_zero_not_nan():
    """One hexagon with reports and its six empty neighbours: its ring is everything."""
    centre = h3.latlng_to_cell(13.36, 103.86, 7)
    result = hotspots({centre: 5})
    assert len(result.cells) == 7
    assert np.isfinite(result.z).all()
    assert np.isfinite(result.p).all()
    assert result.z[result.cells.index(centre)] == 0


@pytest.mark.parametrize(
    "cell",
    [
        h3.latlng_to_cell(13.66, 102.56, 7),
        h3.latlng_to_cell(-33.9, 151.2, 4),
        h3.latlng_to_cell(64.7, 10.5, 0),  # a pentagon's neighbourhood at the coarsest level
        next(c for c in h3.get_pentagons(5)),  # five sides
    ],
)
def test_hexagon_outlines_are_closed_lon_lat_rings(cell):
    geometry = json.loads(hex_geometry_json(cell))
    assert geometry["type"] == "Polygon"
    (ring,) = geometry["coordinates"]
    points = h3.cell_to_boundary(cell)
    assert len(ring) == len(points) + 1 and ring[0] == ring[-1]
    assert ring[:-1] == [[round(lon, 6), round(lat, 6)] for lat, lon in points]


@pytest.mark.parametrize("resolution", [2, 3, 5])
def test_a_hexagon_across_the_antimeridian_is_cut_in_two_at_it(resolution):
    cell = h3.latlng_to_cell(-17.0, 179.99, resolution)
    corners = [lon for _lat, lon in h3.cell_to_boundary(cell)]
    assert max(corners) > 179 and min(corners) < -179  # it does cross
    geometry = json.loads(hex_geometry_json(cell))
    assert geometry["type"] == "MultiPolygon"
    east, west = (Polygon(part[0]) for part in geometry["coordinates"])
    assert east.bounds[0] > 0 and east.bounds[2] == 180
    assert west.bounds[0] == -180 and west.bounds[2] < 0
    # Counter-clockwise, and together the whole cell: the two halves moved side by side make
    # the hexagon again.
    assert east.exterior.is_ccw and west.exterior.is_ccw
    whole = Polygon([(lon % 360, lat) for lat, lon in h3.cell_to_boundary(cell)])
    joined = unary_union([east, translate(west, 360)])
    assert joined.geom_type == "Polygon"
    assert joined.symmetric_difference(whole).area < 1e-4 * whole.area  # six decimals


def test_a_cell_around_a_pole_stays_one_polygon():
    for lat in (90, -90):
        cell = h3.latlng_to_cell(lat, 0, 1)
        assert json.loads(hex_geometry_json(cell))["type"] == "Polygon"


def test_a_grown_box_keeps_its_distance_on_every_side_and_wraps_at_the_antimeridian():
    grown = grow(BBox(178.0, -20.0, -178.0, -10.0), 1.0)
    assert (grown.south, grown.north) == (-21.0, -9.0)
    # A degree of distance at 21 degrees south is more than a degree of longitude.
    assert grown.west == pytest.approx(178.0 - 1 / math.cos(math.radians(21.0)))
    assert grown.east == pytest.approx(-178.0 + 1 / math.cos(math.radians(21.0)))
    assert grow(BBox(-179.5, 60.0, 179.5, 70.0), 1.0) == BBox(-180.0, 59.0, 180.0, 71.0)
    assert grow(BBox(10.0, 88.5, 11.0, 89.5), 1.0) == BBox(-180.0, 87.5, 180.0, 90.0)


def test_hexagons_near_a_view_across_the_antimeridian_are_found_on_both_sides():
    resolution = 4
    west = h3.latlng_to_cell(-17.8, 179.9, resolution)
    east = h3.latlng_to_cell(-17.8, -179.9, resolution)
    far = h3.latlng_to_cell(-17.8, 175.0, resolution)
    south = h3.latlng_to_cell(-25.0, 179.9, resolution)
    view = BBox(179.5, -18.5, -179.5, -17.0)
    assert near_view([west, east, far, south], view, resolution).tolist() == [
        True,
        True,
        False,
        False,
    ]
    everywhere = BBox(-180.0, -90.0, 180.0, 90.0)
    assert near_view([west, east, far, south], everywhere, resolution).all()
