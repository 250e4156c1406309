import math

import pytest

from mapper.geo import BBox, GeoValueError, parse_bbox, parse_latitude, parse_longitude


@pytest.mark.parametrize(
    "value, expected",
    [
        (0, 0.0),
        (-90, -90.0),
        (90, 90.0),
        ("11.5", 11.5),
        (" -33.25 ", -33.25),
        (45.123456789, 45.123456789),
    ],
)
def test_latitude_accepts_numbers_and_numeric_text(value, expected):
    assert parse_latitude(value) == expected


@pytest.mark.parametrize(
    "value, code",
    [
        (91, "out_of_range"),
        (-90.0001, "out_of_range"),
        (float("nan"), "not_finite"),
        (float("inf"), "not_finite"),
        ("NaN", "not_finite"),
        ("Infinity", "not_finite"),
        ("north", "not_number"),
        ("", "not_number"),
        (None, "not_number"),
        (True, "not_number"),
        ([1], "not_number"),
        ({"lat": 1}, "not_number"),
    ],
)
def test_latitude_rejects(value, code):
    with pytest.raises(GeoValueError) as info:
        parse_latitude(value)
    assert info.value.code == code


@pytest.mark.parametrize("value", [-181, 180.5, math.inf, "-inf"])
def test_longitude_rejects_out_of_range_and_infinite(value):
    with pytest.raises(GeoValueError):
        parse_longitude(value)


def test_longitude_bounds_are_inclusive():
    assert parse_longitude(-180) == -180.0
    assert parse_longitude(180) == 180.0


def test_bbox_parses_west_south_east_north():
    assert parse_bbox("102.1,10.5,105.2,14") == BBox(102.1, 10.5, 105.2, 14.0)


def test_bbox_across_the_antimeridian_splits_in_two():
    box = parse_bbox("170,-20,-170,-10")
    assert box.crosses_antimeridian
    assert box.envelopes() == [(170.0, -20.0, 180.0, -10.0), (-180.0, -20.0, -170.0, -10.0)]


@pytest.mark.parametrize("text", ["1,2,3", "a,b,c,d", "0,50,10,40", "0,0,200,10", "0,0,1,nan"])
def test_bbox_rejects_malformed(text):
    with pytest.raises(GeoValueError):
        parse_bbox(text)
