"""OGC API - Features at /ogc: documents, items paging and filters, bad parameters, and GDAL."""

from __future__ import annotations

import subprocess

import pytest

CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
ITEMS = "/ogc/collections/reports/items"


@pytest.fixture
def reports(make_report):
    made = {
        "cambodia": make_report("published", title="Cambodia", occurred_at="2024-05-01T10:00:00Z"),
        "mexico": make_report(
            "verified",
            title="Mexico",
            latitude=19.4326,
            longitude=-99.1332,
            occurred_at="2023-01-01T10:00:00Z",
        ),
        "fiji": make_report(
            "published",
            title="Fiji",
            latitude=-17.8,
            longitude=179.9,
            occurred_at="2022-03-03T00:00:00Z",
        ),
        "pending": make_report("pending", title="Pending"),
    }
    return made


def rels(document) -> dict[str, str]:
    return {link["rel"]: link["href"] for link in document["links"]}


def test_landing_page_links_to_the_api_conformance_and_collections(client):
    response = client.get("/ogc")
    assert response.status_code == 200
    links = rels(response.get_json())
    assert links["service-desc"].endswith("/ogc/api")
    assert links["conformance"].endswith("/ogc/conformance")
    assert links["data"].endswith("/ogc/collections")


def test_conformance_declares_core_geojson_and_openapi(client):
    classes = client.get("/ogc/conformance").get_json()["conformsTo"]
    assert CORE in classes
    assert any(c.endswith("/conf/geojson") for c in classes)
    assert any(c.endswith("/conf/oas30") for c in classes)


def test_openapi_document_lists_every_ogc_path(client):
    response = client.get("/ogc/api")
    assert response.mimetype == "application/vnd.oai.openapi+json"
    paths = set(response.get_json()["paths"])
    assert paths == {
        "/",
        "/conformance",
        "/api",
        "/collections",
        "/collections/{collectionId}",
        "/collections/{collectionId}/items",
        "/collections/{collectionId}/items/{featureId}",
    }


def test_collection_describes_the_public_reports_and_their_extent(client, reports):
    body = client.get("/ogc/collections").get_json()
    (collection,) = body["collections"]
    assert collection["id"] == "reports"
    interval = collection["extent"]["temporal"]["interval"][0]
    assert interval[0].startswith("2022-03-03")
    assert client.get("/ogc/collections/nothing").status_code == 404


def test_items_page_with_counts_and_next_and_prev_links(client, reports):
    first = client.get(f"{ITEMS}?limit=2")
    assert first.mimetype == "application/geo+json"
    page = first.get_json()
    assert (page["numberMatched"], page["numberReturned"]) == (3, 2)
    assert "prev" not in rels(page)
    following = client.get(rels(page)["next"].split("localhost", 1)[1]).get_json()
    assert following["numberReturned"] == 1
    assert "next" not in rels(following)
    assert "prev" in rels(following)
    titles = {f["properties"]["title"] for f in page["features"] + following["features"]}
    assert titles == {"Cambodia", "Mexico", "Fiji"}


def test_default_limit_is_ten_and_large_limits_are_clamped(client, make_report):
    for number in range(12):
        make_report("published", title=f"r{number}")
    assert client.get(ITEMS).get_json()["numberReturned"] == 10
    assert client.get(f"{ITEMS}?limit=50000").get_json()["numberReturned"] == 12


@pytest.mark.parametrize(
    "query, titles",
    [
        ("bbox=100,10,110,20", {"Cambodia"}),
        ("bbox=100,10,0,110,20,100", {"Cambodia"}),
        # West greater than east: the box crosses the antimeridian.
        ("bbox=179,-20,-170,-10", {"Fiji"}),
        ("datetime=2024-05-01", {"Cambodia"}),
        ("datetime=2024-05-01T10:00:00Z", {"Cambodia"}),
        ("datetime=2023-01-01/2024-12-31", {"Cambodia", "Mexico"}),
        ("datetime=../2023-01-01", {"Mexico", "Fiji"}),
        ("datetime=2023-01-02/..", {"Cambodia"}),
        # Ends past any event's days select what no end would, not a date past the calendar.
        ("datetime=0001-01-01/9999-12-31", {"Cambodia", "Mexico", "Fiji"}),
        ("datetime=9999-12-31T23:59:59-05:00/..", set()),
        ("datetime=../0001-01-01T00:00:00%2B05:00", set()),
    ],
)
def test_items_filter_by_bbox_and_event_datetime(client, reports, query, titles):
    response = client.get(f"{ITEMS}?{query}")
    assert response.status_code == 200, response.get_json()
    assert {f["properties"]["title"] for f in response.get_json()["features"]} == titles


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("bbox=1,2,3", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("bbox=0,20,10,10", "bbox"),
        ("datetime=yesterday", "datetime"),
        ("datetime=2024-01-01/2023-01-01", "datetime"),
        ("datetime=2024-01-01/", "datetime"),
        ("limit=0", "limit"),
        ("limit=-1", "limit"),
        ("limit=99999999999999999999", "limit"),
        ("limit=ten", "limit"),
        ("offset=-5", "offset"),
        ("colour=red", "colour"),
        ("f=xml", "f"),
    ],
)
def test_bad_item_parameters_get_400_naming_the_parameter(client, reports, query, parameter):
    response = client.get(f"{ITEMS}?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["code"] == "InvalidParameterValue"
    assert body["errors"][0]["field"] == parameter


def test_one_item_by_reference_and_hidden_reports_are_404(client, reports):
    found = client.get(f"{ITEMS}/{reports['mexico'].reference}")
    assert found.status_code == 200
    assert found.get_json()["properties"]["title"] == "Mexico"
    assert client.get(f"{ITEMS}/{reports['pending'].reference}").status_code == 404


def test_html_views_list_the_items_as_text(client, make_report):
    make_report("published", title="<script>alert(1)</script>")
    page = client.get(f"{ITEMS}?f=html").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert client.get("/ogc", headers={"Accept": "text/html"}).mimetype == "text/html"


def test_gdal_reads_every_public_report_through_the_oapif_driver(
    app, live_db, live_server, make_report
):
    for number in range(23):
        make_report("published", title=f"published {number}")
    make_report("pending", title="never shown")
    done = subprocess.run(
        ["ogrinfo", "-al", "-q", f"OAPIF:{live_server}/ogc", "reports"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert done.stdout.count("OGRFeature(reports)") == 23
    assert "never shown" not in done.stdout
    summary = subprocess.run(
        ["ogrinfo", "-so", f"OAPIF:{live_server}/ogc", "reports"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert "Feature Count: 23" in summary.stdout
    assert "Geometry: Point" in summary.stdout
