"""Map endpoints: exact counts per view, every filter, who sees what, histogram buckets."""

import math
import os
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import h3.api.basic_int as h3
import pytest
from sqlalchemy import event, text

from mapper import create_app
from mapper.extensions import db
from mapper.geo.cells import cell_bounds, cell_of
from mapper.query.hotspots import HOTSPOT_CACHE_SECONDS

# (lat, lon) of three towns and one place far from them.
PLACES = [(13.66, 102.56), (11.56, 104.93), (4.71, -74.07), (-33.9, 151.2)]
CATEGORIES = [
    ["forced-labour-fishing"],
    ["forced-labour"],
    ["sexual-exploitation-venue", "debt-bondage"],
    ["child-labour"],
]
STATUSES = ["published", "verified", "published", "pending", "rejected", "published"]
SOURCES = ["web", "sms", "api"]


@pytest.fixture
def reports(db_session, make_report):
    start = datetime(2023, 11, 20, 10, 0, tzinfo=UTC)
    made = []
    for i in range(48):
        lat, lon = PLACES[i % len(PLACES)]
        made.append(
            make_report(
                STATUSES[i % len(STATUSES)],
                title=f"Report {i} {'boat' if i % 5 == 0 else 'site'}",
                latitude=lat + (i % 7) * 0.03,
                longitude=lon - (i % 3) * 0.04,
                occurred_at=(start + timedelta(days=17 * i, hours=i)).isoformat(),
                categories=CATEGORIES[i % len(CATEGORIES)],
                source=SOURCES[i % len(SOURCES)],
            )
        )
    return made


# Reports matching a view and filters, written out plainly (no rollups, no app code). A map
# cell holds its west and north edges, not its east and south ones: a report on an edge counts
# in one cell.
MATCHING = """
FROM reports r
WHERE r.status = ANY(:statuses)
  AND CASE WHEN :w <= :e
      THEN ST_X({column}) >= :w AND ST_X({column}) < :e
      ELSE ST_X({column}) >= :w OR ST_X({column}) < :e END
  AND ST_Y({column}) > :s AND ST_Y({column}) <= :n
  AND r.occurred_at >= :start AND r.occurred_at < :end
  AND (CAST(:category AS text) IS NULL OR r.id IN (
      SELECT rc.report_id FROM report_categories rc
      JOIN categories c ON c.id = rc.category_id LEFT JOIN categories p ON p.id = c.parent_id
      WHERE CAST(:category AS text) IN (c.slug, p.slug)))
  AND (CAST(:source AS text) IS NULL OR r.source = ANY(string_to_array(:source, ',')))
  AND (CAST(:q AS text) IS NULL
       OR r.title ILIKE '%' || :q || '%' OR r.description ILIKE '%' || :q || '%')
"""


def matching_parameters(bbox, args, statuses=("published", "verified")) -> dict:
    end = args.get("to")
    return {
        "statuses": list(statuses),
        "w": bbox[0],
        "s": bbox[1],
        "e": bbox[2],
        "n": bbox[3],
        "start": args.get("from", "1900-01-01"),
        "end": (datetime.fromisoformat(end) + timedelta(days=1)).date().isoformat()
        if end
        else "2100-01-01",
        "category": args.get("category"),
        "source": args.get("source"),
        "q": args.get("q"),
    }


def plain_count(bbox, args, statuses=("published", "verified"), column="r.public_location"):
    sql = "SELECT count(*) " + MATCHING.format(column=column)
    return db.session.execute(text(sql), matching_parameters(bbox, args, statuses)).scalar_one()


VIEWS = [
    {"zoom": "2"},
    {"zoom": "6", "bbox": "100,8,110,16"},
    {"zoom": "9", "bbox": "102.3,13.4,103.0,14.0"},
    {"zoom": "11", "bbox": "102.4,13.5,102.8,13.8"},  # the finest daily rollups
    {"zoom": "14", "bbox": "102.5,13.6,102.7,13.9"},
    {"zoom": "4", "bbox": "170,-60,-20,60"},  # across the antimeridian
]
FILTERS = [
    {},
    {"from": "2024-01-01", "to": "2024-12-31"},
    {"from": "2024-01-15", "to": "2024-03-10"},  # partial months at both ends
    {"from": "2024-02-01", "to": "2024-02-20"},  # inside one month
    {"category": "forced-labour"},  # a parent: its subcategories count too
    {"category": "debt-bondage"},
    {"source": "sms"},
    {"q": "boat"},
    {"category": "forced-labour", "from": "2024-01-15", "to": "2025-06-30", "source": "sms"},
    # Whole years with months and days around them; years open at one end.
    {"from": "2023-12-15", "to": "2025-02-10"},
    {"from": "2024-01-01"},
    {"to": "2024-12-31"},
    {"category": "debt-bondage", "from": "2023-11-20", "to": "2025-12-31"},
    # Most of a month or a year: read as the month or year less the days or months around.
    {"from": "2024-01-03", "to": "2024-01-28"},
    {"from": "2024-02-02", "to": "2024-11-27"},
    {"from": "2023-03-03", "to": "2025-10-28", "category": "forced-labour"},
    {"source": "web,sms", "q": "boat"},
]


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("filters", FILTERS)
def test_cluster_counts_add_up_to_a_plain_count(client, reports, view, filters):
    answer = client.get("/api/v1/clusters", query_string={**view, **filters}).get_json()
    counts = [f["properties"]["count"] for f in answer["features"]]
    assert sum(counts) == answer["total"] == plain_count(answer["bbox"], filters)


@pytest.mark.parametrize("side", [0, 1e-6])
def test_a_report_by_the_edge_of_a_view_counts_where_its_bbox_says(client, reports, side):
    # Public points have six decimals: the one just below the view's north edge lies in the
    # view, the next one (the edge rounded to six decimals) in the cell beyond; the answer's
    # bbox must tell them apart.
    view = {"zoom": "11", "bbox": "102.4,13.5,102.8,13.8", "from": "2024-01-01", "to": "2024-12-31"}
    edge = cell_bounds(*cell_of(102.48, 13.8, 13), 13)[3]
    lat = round(math.floor(edge * 1e6) / 1e6 + side, 6)
    sql = "UPDATE reports SET public_location = ST_SetSRID(ST_MakePoint(102.48, :lat), 4326) "
    db.session.execute(text(sql + "WHERE id = :id"), {"lat": lat, "id": reports[20].id})
    answer = client.get("/api/v1/clusters", query_string=view).get_json()
    assert answer["bbox"][3] == edge
    inside = lat <= edge
    assert answer["total"] == plain_count(answer["bbox"], view) == 2 + inside


def _listed_categories(parent: str | None) -> list[str]:
    """What a cluster lists: top-level categories, or the filtered one and its children."""
    sql = (
        "SELECT slug FROM categories WHERE parent_id IS NULL"
        if parent is None
        else "SELECT c.slug FROM categories c LEFT JOIN categories p ON p.id = c.parent_id"
        " WHERE :parent IN (c.slug, p.slug)"
    )
    return list(db.session.scalars(text(sql), {"parent": parent}))


@pytest.mark.parametrize("view", [*VIEWS[:3], {"zoom": "8", "bbox": "100,8,110,16"}])
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"category": "forced-labour"},
        {"from": "2024-01-15", "to": "2025-06-10"},  # partial months at both ends
        {"from": "2023-12-15", "to": "2026-01-10"},  # whole years and days around them
        {"from": "2024-02-02", "to": "2025-11-27"},  # most of a month, most of a year
        {"q": "site"},  # counted from reports, not rollups
    ],
)
def test_cluster_category_counts_match_a_plain_count(client, reports, view, filters):
    answer = client.get("/api/v1/clusters", query_string={**view, **filters}).get_json()
    clusters = [f for f in answer["features"] if f["properties"]["cluster"]]
    assert clusters
    listed = _listed_categories(filters.get("category"))
    assert sorted(answer["categories"]) == sorted(listed)
    for feature in clusters:
        west, south, east, north = feature["properties"]["bbox"]
        around = (west - 1e-6, south - 1e-6, east + 1e-6, north + 1e-6)
        expected = {}
        for slug in listed:
            n = plain_count(around, {**filters, "category": slug})
            if n:
                expected[slug] = n
        counts = dict(
            zip(answer["categories"], feature["properties"]["category_counts"], strict=True)
        )
        assert {slug: n for slug, n in counts.items() if n} == expected
        assert feature["properties"]["count"] == plain_count(around, filters)


def test_the_whole_world_counts_every_public_report(client, reports):
    answer = client.get("/api/v1/clusters?zoom=2").get_json()
    public = [r for r in reports if r.status in ("published", "verified")]
    assert answer["total"] == len(public) > 0


# Where each endpoint's answer lists what matched.
MATCHED = {
    "clusters": "features",
    "heatmap": "points",
    "histogram": "buckets",
    "hotspots": "features",
    "reports": "features",
}


@pytest.mark.parametrize("endpoint", list(MATCHED))
@pytest.mark.parametrize(
    "far",
    [
        {"from": "0001-01-01", "to": "9999-12-31"},
        {"from": "1900-01-01T00:00:00+05:00", "to": "9999-12-31T23:59:59-05:00"},
        {"to": "2200-01-01"},
    ],
)
def test_dates_past_any_event_select_what_no_bound_does(app, client, reports, endpoint, far):
    def answer(extra: dict) -> dict:
        # Hotspot answers are kept a minute by their filters: each here is counted afresh.
        shutil.rmtree(Path(app.config["MAPPER_VAR_DIR"], "cache", "hotspots"), ignore_errors=True)
        response = client.get(
            f"/api/v1/{endpoint}", query_string={"zoom": "3", "resolution": "5", **extra}
        )
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    unbounded = answer({})
    assert unbounded[MATCHED[endpoint]]
    assert answer(far) == unbounded
    assert not answer({"from": "9999-12-31"})[MATCHED[endpoint]]
    assert not answer({"to": "1900-01-01"})[MATCHED[endpoint]]


@pytest.mark.parametrize("window", [{}, {"from": "2023-12-15", "to": "2025-02-10"}])
def test_a_view_round_the_world_whose_edges_share_a_cell_counts_each_report_once(
    client, reports, window
):
    # West of its east edge, in the same 64-pixel cell at zoom 2: the view's two column
    # ranges (east of the west edge, west of the east edge) overlap in that cell.
    view = {"zoom": "2", "bbox": "102.6,-80,102.5,80"}
    answer = client.get("/api/v1/clusters", query_string={**view, **window}).get_json()
    counts = sum(f["properties"]["count"] for f in answer["features"])
    world = plain_count((-180, -85.06, 180, 85.06), window)
    assert counts == answer["total"] == world > 0
    for bucket in ("day", "month"):
        query = {**view, **window, "bucket": bucket}
        histogram = client.get("/api/v1/histogram", query_string=query).get_json()
        assert sum(b["count"] for b in histogram["buckets"]) == histogram["total"] == world


def test_a_cell_with_one_report_is_that_report_at_its_public_point(client, reports):
    answer = client.get("/api/v1/clusters?zoom=16&bbox=-151.3,-34,151.3,-33.8").get_json()
    singles = [f for f in answer["features"] if not f["properties"]["cluster"]]
    assert singles
    for feature in singles:
        lon, lat = feature["geometry"]["coordinates"]
        exact, public = db.session.execute(
            text(
                "SELECT ARRAY[ST_X(location), ST_Y(location)], ARRAY[ST_X(public_location), "
                "ST_Y(public_location)] FROM reports WHERE reference = :r"
            ),
            {"r": feature["properties"]["reference"]},
        ).one()
        assert [lon, lat] == pytest.approx(public, abs=1e-6)
        assert [lon, lat] != pytest.approx(exact, abs=1e-4)
        assert {"contact", "phone", "email", "custom_answers"}.isdisjoint(feature["properties"])


def test_answers_read_outside_a_transaction_count_as_plainly(app, live_db, make_report):
    # As in service: reports committed, each request on a connection of the pool, whose
    # statements then run each on its own.
    start = datetime(2024, 1, 20, 10, 0, tzinfo=UTC)
    for i in range(18):
        lat, lon = PLACES[i % 2]
        make_report(
            STATUSES[i % len(STATUSES)],
            title=f"Report {i} {'boat' if i % 5 == 0 else 'site'}",
            latitude=lat + (i % 7) * 0.03,
            longitude=lon - (i % 3) * 0.04,
            occurred_at=(start + timedelta(days=9 * i)).isoformat(),
        )
    outside = []

    def note(conn, cursor, statement, *rest):
        if not statement.startswith("SELECT count(*)"):  # not the plain counts here
            outside.append(cursor.connection.autocommit)

    event.listen(db.engine, "before_cursor_execute", note)
    client = app.test_client()
    singles = 0
    try:
        for view in (*VIEWS[:5], {"zoom": "16", "bbox": "102.5,13.6,102.7,13.9"}):
            for filters in ({}, {"from": "2024-02-15", "to": "2024-08-10"}, {"q": "boat"}):
                query = {**view, **filters}
                answer = client.get("/api/v1/clusters", query_string=query).get_json()
                counts = [f["properties"]["count"] for f in answer["features"]]
                assert sum(counts) == answer["total"] == plain_count(answer["bbox"], filters)
                singles += sum(not f["properties"]["cluster"] for f in answer["features"])
                heat = client.get("/api/v1/heatmap", query_string=query).get_json()
                assert heat["total"] == plain_count(heat["bbox"], filters)
                months = client.get("/api/v1/histogram", query_string=query).get_json()
                assert months["total"] == plain_count(months["bbox"], filters)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert singles
    assert len(outside) > 50 and all(outside)


WINDOW = {"from": "2024-01-15", "to": "2025-06-10"}  # rollups of three tiers
SYDNEY = {"zoom": "16", "bbox": "151.1,-34,151.3,-33.8"}


@pytest.mark.parametrize(
    ("view", "filters"),
    [
        *((view, filters) for view in (VIEWS[3], VIEWS[4], SYDNEY) for filters in ({}, WINDOW)),
        *((view, {"category": "forced-labour"}) for view in (VIEWS[3], VIEWS[4])),
        (SYDNEY, {"category": "child-labour"}),
        *((view, {"q": "site"}) for view in (VIEWS[3], SYDNEY)),  # counted from reports
    ],
)
@pytest.mark.parametrize("reviewer", [False, True])
def test_every_cell_of_one_report_shows_that_report(
    client, reports, make_user, login, view, filters, reviewer
):
    args = {**view, **filters}
    statuses, column = ("published", "verified"), "r.public_location"
    if reviewer:
        login(make_user("analyst"))
        statuses, column = ("pending", "published", "verified", "rejected"), "r.location"
        args.update(audience="reviewer", status=",".join(statuses))
    answer = client.get("/api/v1/clusters", query_string=args).get_json()
    ones = [f for f in answer["features"] if f["properties"]["count"] == 1]
    assert ones
    sql = f"SELECT r.reference, ST_X({column}), ST_Y({column}) " + MATCHING.format(column=column)
    parameters = matching_parameters(answer["bbox"], filters, statuses)
    matching = {ref: [lon, lat] for ref, lon, lat in db.session.execute(text(sql), parameters)}
    for feature in ones:
        assert feature["properties"]["cluster"] is False
        point = matching[feature["properties"]["reference"]]
        assert feature["geometry"]["coordinates"] == pytest.approx(point, abs=1e-6)


def test_clusters_carry_bounds_split_zoom_and_category_counts(client, reports):
    answer = client.get("/api/v1/clusters?zoom=3").get_json()
    clusters = [f for f in answer["features"] if f["properties"]["cluster"]]
    assert clusters
    for feature in clusters:
        props = feature["properties"]
        west, south, east, north = props["bbox"]
        lon, lat = feature["geometry"]["coordinates"]
        assert west <= lon <= east and south <= lat <= north
        assert 3 < props["expansion_zoom"] <= 18
        assert len(props["category_counts"]) == len(answer["categories"])
        counts = dict(zip(answer["categories"], props["category_counts"], strict=True))
        top_level = [counts[k] for k in ("forced-labour", "sexual-exploitation", "child-labour")]
        assert 0 < max(top_level) <= props["count"]


def test_the_same_request_gives_the_same_answer(client, reports):
    url = "/api/v1/clusters?zoom=7&bbox=100,8,110,16"
    assert client.get(url).get_json() == client.get(url).get_json()


def test_reviewers_need_the_analyst_role(client, reports, make_user, login):
    denied = client.get("/api/v1/clusters?zoom=2&audience=reviewer")
    assert denied.status_code == 401
    assert denied.get_json()["errors"][0]["field"] == "audience"
    login(make_user("volunteer"))
    assert client.get("/api/v1/clusters?zoom=2&audience=reviewer").status_code == 403


def test_analysts_see_every_status_at_exact_points(client, reports, make_user, login):
    login(make_user("analyst"))
    args = {"zoom": "2", "audience": "reviewer", "status": "pending,published,verified,rejected"}
    answer = client.get("/api/v1/clusters", query_string=args).get_json()
    statuses = ("pending", "published", "verified", "rejected")
    assert answer["total"] == plain_count(answer["bbox"], {}, statuses, "r.location")
    assert answer["total"] == sum(1 for r in reports if r.status in statuses)
    single = client.get(
        "/api/v1/clusters", query_string={**args, "zoom": "16", "bbox": "151.1,-34,151.3,-33.8"}
    ).get_json()
    singles = [f for f in single["features"] if not f["properties"]["cluster"]]
    assert singles
    for feature in singles:
        exact = db.session.execute(
            text("SELECT ARRAY[ST_X(location), ST_Y(location)] FROM reports WHERE reference = :r"),
            {"r": feature["properties"]["reference"]},
        ).scalar_one()
        assert feature["geometry"]["coordinates"] == pytest.approx(exact, abs=1e-6)


def test_reviewer_answers_are_not_cached_by_shared_caches(client, reports, make_user, login):
    login(make_user("analyst"))
    response = client.get("/api/v1/clusters?zoom=2&audience=reviewer")
    assert "no-store" in response.headers["Cache-Control"]


def test_the_heatmap_weighs_the_same_reports(client, reports):
    heat = client.get("/api/v1/heatmap?zoom=5&category=forced-labour").get_json()
    clusters = client.get("/api/v1/clusters?zoom=5&category=forced-labour").get_json()
    assert heat["total"] == clusters["total"] > 0
    assert heat["max"] == max(p[2] for p in heat["points"])


def test_a_heat_view_of_many_reports_finer_than_the_rollups_uses_their_finest_grid(
    app, client, reports, make_report, make_user, login, monkeypatch
):
    # At zoom 10 the 16-pixel grid is level 14, finer than the rollups keep; level 13 is
    # their finest, 32-pixel cells. Three reports in one level-13 cell, each in another
    # quarter of it: three points on the fine grid, one of weight three on the coarse one.
    west, south, east, north = cell_bounds(*cell_of(102.62, 13.52, 13), 13)
    for fx, fy in ((0.25, 0.25), (0.75, 0.25), (0.25, 0.75)):
        latitude, longitude = south + fy * (north - south), west + fx * (east - west)
        make_report("published", latitude=latitude, longitude=longitude)
    login(make_user("analyst"))
    view = {"zoom": "10", "bbox": "102.3,13.4,102.8,14.0", "audience": "reviewer"}
    fine = client.get("/api/v1/heatmap", query_string=view).get_json()
    monkeypatch.setitem(app.config, "MAPPER_HEAT_EXACT_LIMIT", 2)
    coarse = client.get("/api/v1/heatmap", query_string=view).get_json()
    assert (fine["cell_pixels"], coarse["cell_pixels"]) == (16, 32)
    statuses = ("pending", "published", "verified")
    exact = {"statuses": statuses, "column": "r.location"}
    assert fine["total"] == plain_count(fine["bbox"], {}, **exact) > 3
    assert coarse["total"] == plain_count(coarse["bbox"], {}, **exact) == fine["total"]
    for answer, level in ((fine, 14), (coarse, 13)):
        for lat, lon, weight in answer["points"]:
            assert weight == plain_count(cell_bounds(*cell_of(lon, lat, level), level), {}, **exact)
    in_cell = lambda answer: sorted(  # noqa: E731
        w for lat, lon, w in answer["points"] if west < lon < east and south < lat < north
    )
    assert (in_cell(fine), in_cell(coarse)) == ([1, 1, 1], [3])


def test_heat_views_the_rollups_keep_no_grid_for_are_counted_from_reports(
    app, client, reports, monkeypatch
):
    monkeypatch.setitem(app.config, "MAPPER_HEAT_EXACT_LIMIT", 0)
    view = {"zoom": "14", "bbox": "102.5,13.6,102.7,13.9"}
    answer = client.get("/api/v1/heatmap", query_string=view).get_json()
    assert answer["cell_pixels"] == 16
    assert answer["total"] == plain_count(answer["bbox"], {}) > 0


@pytest.mark.parametrize("bucket", ["day", "week", "month"])
@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"from": "2024-01-15", "to": "2025-02-10"},
        {"category": "forced-labour", "bbox": "100,8,110,16"},
    ],
)
def test_histogram_buckets_add_up_and_hold_their_reports(client, reports, bucket, extra):
    answer = client.get("/api/v1/histogram", query_string={"bucket": bucket, **extra}).get_json()
    counts = {b["start"]: b["count"] for b in answer["buckets"]}
    assert sum(counts.values()) == answer["total"] == plain_count(answer["bbox"], extra)
    bucket_start = f"date_trunc('{bucket}', r.occurred_at AT TIME ZONE 'UTC')::date::text"
    sql = f"SELECT {bucket_start}, count(*) " + MATCHING.format(column="r.public_location")
    rows = db.session.execute(text(sql + " GROUP BY 1"), matching_parameters(answer["bbox"], extra))
    expected = dict(rows.all())
    assert {k: v for k, v in counts.items() if v} == expected


def test_hotspots_are_hexagons_with_scores_and_bins(client, reports):
    answer = client.get("/api/v1/hotspots?resolution=5&fdr=true").get_json()
    assert answer["total"] == sum(1 for r in reports if r.status in ("published", "verified"))
    for feature in answer["features"]:
        props = feature["properties"]
        assert feature["geometry"]["type"] == "Polygon"
        assert props["bin"] in (-3, -2, -1, 0, 1, 2, 3)
        assert 0.0 <= props["p"] <= 1.0


def test_a_view_shows_the_hexagons_across_its_edges_whole(client, make_user, login, make_report):
    # Analysts' hexagons hold the exact points, so each report's hexagon is known here.
    login(make_user("analyst"))
    resolution = 5
    centre_lat, centre_lon = h3.cell_to_latlng(h3.latlng_to_cell(11.56, 104.93, resolution))
    # Two reports in the hexagon east of the view's edge, one west of it; and one a third of a
    # degree further east: counted as a neighbour's neighbour, in a hexagon not shown.
    for lon in (centre_lon + 0.02, centre_lon + 0.03, centre_lon - 0.02, centre_lon + 0.35):
        make_report("published", latitude=centre_lat, longitude=lon)
    url = f"/api/v1/hotspots?resolution={resolution}&audience=reviewer"
    whole = client.get(url).get_json()
    everywhere = {f["properties"]["h3"]: f["properties"] for f in whole["features"]}
    bbox = f"{centre_lon - 1},{centre_lat - 1},{centre_lon},{centre_lat + 1}"
    view = client.get(f"{url}&bbox={bbox}").get_json()
    shown = {f["properties"]["h3"]: f["properties"] for f in view["features"]}

    edge = format(h3.latlng_to_cell(centre_lat, centre_lon, resolution), "x")
    assert shown[edge]["count"] == everywhere[edge]["count"] == 3
    beyond = format(h3.latlng_to_cell(centre_lat, centre_lon + 0.35, resolution), "x")
    assert everywhere[beyond]["count"] == 1 and beyond not in shown
    assert view["total"] == sum(p["count"] for p in shown.values()) == 3
    for feature in view["features"]:
        ring = feature["geometry"]["coordinates"][0]
        # Within a hexagon's width (some 0.2 degrees at this resolution) of the view.
        assert min(lon for lon, _ in ring) < centre_lon + 0.2
        assert max(lat for _, lat in ring) > centre_lat - 1.2
        assert min(lat for _, lat in ring) < centre_lat + 1.2


def test_hotspot_answers_are_shared_between_workers_for_a_minute(app, client, reports, make_report):
    url = "/api/v1/hotspots?resolution=6"
    kept = Path(app.config["MAPPER_VAR_DIR"], "cache", "hotspots")
    shutil.rmtree(kept, ignore_errors=True)
    first = client.get(url).get_json()
    make_report("published", latitude=11.56, longitude=104.93)
    # Another worker: a process of its own, sharing only the server's files and database.
    keep = ("SQLALCHEMY_DATABASE_URI", "MAPPER_VAR_DIR", "SECRET_KEY", "TESTING")
    worker = create_app({name: app.config[name] for name in keep}).test_client()
    assert worker.get(url).get_json() == first
    (answer,) = kept.iterdir()
    aged = time.time() - HOTSPOT_CACHE_SECONDS - 1
    os.utime(answer, (aged, aged))
    assert worker.get(url).get_json()["total"] == first["total"] + 1


@pytest.mark.parametrize(
    "url, field",
    [
        ("/api/v1/clusters?zoom=abc", "zoom"),
        ("/api/v1/clusters?zoom=19", "zoom"),
        ("/api/v1/clusters?bbox=1,2,3", "bbox"),
        ("/api/v1/clusters?category=no-such-thing", "category"),
        ("/api/v1/clusters?status=pending", "status"),
        ("/api/v1/heatmap?from=yesterday", "from"),
        ("/api/v1/histogram?bucket=year", "bucket"),
        ("/api/v1/hotspots?resolution=99", "resolution"),
        ("/api/v1/hotspots?fdr=maybe", "fdr"),
        ("/api/v1/clusters?q=boat%00", "q"),
        ("/api/v1/reports?category=%00", "category"),
    ],
)
def test_bad_map_parameters_name_the_field(client, url, field):
    response = client.get(url)
    assert response.status_code in (400, 422)
    assert field in [e["field"] for e in response.get_json()["errors"]]
