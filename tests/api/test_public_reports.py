"""GET /api/v1/reports and friends: only public reports, only public locations, no contacts;
analysts asking with audience=reviewer get the statuses they chose at exact points."""

import base64
import json

import pytest
from sqlalchemy import func, select

from mapper.extensions import db
from mapper.geo.masking import distance_m
from mapper.models import Report

PHONE = "+85512345678"
EMAIL = "canary@example.org"
NAME = "Canary Reporter"


@pytest.fixture
def reports(make_report):
    contact = {"name": NAME, "phone": PHONE, "email": EMAIL}
    return {
        "published": make_report(
            "published",
            title="Published one",
            latitude=13.6593123,
            longitude=102.5635123,
            contact=contact,
            occurred_at="2024-05-01T10:00:00Z",
        ),
        "verified": make_report(
            "verified",
            title="Verified one",
            latitude=19.4326,
            longitude=-99.1332,
            categories=["forced-labour-fishing"],
            occurred_at="2023-01-01T10:00:00Z",
            source="sms",
        ),
        "pending": make_report("pending", title="Pending one", contact=contact),
        "rejected": make_report("rejected", title="Rejected one"),
        "archived": make_report("archived", title="Archived one"),
    }


def titles(response):
    return {f["properties"]["title"] for f in response.get_json()["features"]}


def test_only_published_and_verified_reports_are_listed(client, reports):
    response = client.get("/api/v1/reports")
    assert response.status_code == 200
    assert titles(response) == {"Published one", "Verified one"}
    verified = [f for f in response.get_json()["features"] if f["properties"]["verified"]]
    assert [f["properties"]["title"] for f in verified] == ["Verified one"]


def test_public_output_carries_no_contact_data_or_exact_location(app, client, reports):
    answers = [
        client.get("/api/v1/reports"),
        client.get(f"/api/v1/reports/{reports['published'].reference}"),
    ]
    text = "".join(answer.get_data(as_text=True) for answer in answers)
    for canary in (PHONE, "12345678", EMAIL, NAME, "13.6593123", "102.5635123"):
        assert canary not in text
    # Every point is displaced by at least the masking distance; no other field gives the
    # exact point, even rounded. (A displaced point may share a few leading digits with it.)
    features = [f for answer in answers for f in answer.get_json().get("features", [])]
    features.append(answers[1].get_json())
    least = app.config["MAPPER_MASK_MIN_METERS"] * 0.99
    for feature in features:
        lon, lat = feature["geometry"]["coordinates"]
        assert distance_m(lat, lon, 13.6593123, 102.5635123) >= least
        fields = json.dumps(feature["properties"])
        assert "13.6593" not in fields and "102.5635" not in fields


def test_features_are_at_the_public_location(client, reports):
    report = reports["published"]
    public = db.session.execute(
        select(func.ST_X(Report.public_location), func.ST_Y(Report.public_location)).where(
            Report.id == report.id
        )
    ).one()
    feature = client.get(f"/api/v1/reports/{report.reference}").get_json()
    assert tuple(feature["geometry"]["coordinates"]) == tuple(public)


@pytest.mark.parametrize("status", ["pending", "rejected", "archived"])
def test_non_public_reports_are_not_found(client, reports, status):
    response = client.get(f"/api/v1/reports/{reports[status].reference}")
    assert response.status_code == 404
    assert "Pending" not in response.get_data(as_text=True)


def test_filters(client, reports):
    assert titles(client.get("/api/v1/reports?bbox=102,13,103,14")) == {"Published one"}
    assert titles(client.get("/api/v1/reports?from=2024-01-01")) == {"Published one"}
    assert titles(client.get("/api/v1/reports?to=2023-12-31")) == {"Verified one"}
    assert titles(client.get("/api/v1/reports?category=forced-labour")) == {
        "Published one",
        "Verified one",
    }  # a parent includes its children
    assert titles(client.get("/api/v1/reports?category=forced-labour-fishing")) == {"Verified one"}
    assert titles(client.get("/api/v1/reports?source=sms")) == {"Verified one"}
    assert titles(client.get("/api/v1/reports?q=VERIFIED")) == {"Verified one"}
    assert titles(client.get("/api/v1/reports?q=100%25")) == set()


def test_bbox_filter_uses_the_public_location(client, make_report):
    report = make_report("published", latitude=10.0, longitude=100.0)
    # A tiny box around the exact point must not find it: only the public point counts.
    assert titles(client.get("/api/v1/reports?bbox=99.9999,9.9999,100.0001,10.0001")) == set()
    lon, lat = client.get(f"/api/v1/reports/{report.reference}").get_json()["geometry"][
        "coordinates"
    ]
    box = f"{lon - 0.0001},{lat - 0.0001},{lon + 0.0001},{lat + 0.0001}"
    assert len(titles(client.get(f"/api/v1/reports?bbox={box}"))) == 1


@pytest.mark.parametrize(
    "query, field",
    [
        ("bbox=1,2,3", "bbox"),
        ("from=someday", "from"),
        ("to=2020-13-45", "to"),
        ("source=carrier-pigeon", "source"),
        ("from=2024-02-01&to=2024-01-01", "to"),
    ],
)
def test_bad_filters_are_named(client, query, field):
    response = client.get(f"/api/v1/reports?{query}")
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == field


def cursor_of(*values) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "query, field",
    [
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=ten", "limit"),
        ("cursor=%%%", "cursor"),
        ("cursor=bm90LWpzb24", "cursor"),
        # Cursors are the app's own: any other content is refused, whatever its numbers.
        (f"cursor={cursor_of('2024-01-01T00:00:00+00:00', 10**30)}", "cursor"),
        (f"cursor={cursor_of('2024-01-01T00:00:00+00:00', 1e300)}", "cursor"),
        ("cursor=WyIyMDI0LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwgLTFlNDAwXQ", "cursor"),  # -1e400
        (f"cursor={cursor_of('2024-01-01T00:00:00+00:00', True)}", "cursor"),
        (f"cursor={cursor_of('2024-01-01T00:00:00', 5)}", "cursor"),
    ],
)
def test_bad_paging_is_named(client, query, field):
    response = client.get(f"/api/v1/reports?{query}")
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] == field


def test_cursor_pages_through_everything_once(client, make_report):
    for day in range(1, 8):
        make_report("published", title=f"Day {day}", occurred_at=f"2024-01-0{day}T00:00:00Z")
    make_report("published", title="Same time", occurred_at="2024-01-03T00:00:00Z")
    seen, url = [], "/api/v1/reports?limit=3"
    while url:
        page = client.get(url).get_json()
        assert page["numberReturned"] <= 3
        seen += [f["properties"]["title"] for f in page["features"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 8
    assert seen[0] == "Day 7"


def test_analysts_list_the_statuses_they_choose_at_exact_points(client, reports, make_user, login):
    login(make_user("analyst"))
    response = client.get("/api/v1/reports?audience=reviewer&status=pending,published")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert titles(response) == {"Published one", "Pending one"}
    published = next(
        f for f in response.get_json()["features"] if f["properties"]["title"] == "Published one"
    )
    # Stored to six decimals (about 10 cm).
    assert published["geometry"]["coordinates"] == pytest.approx(
        [102.5635123, 13.6593123], abs=1e-6
    )
    # Exact points, but still no contact data.
    text = response.get_data(as_text=True)
    assert PHONE not in text and EMAIL not in text and NAME not in text
    # The box is on the exact point for them.
    around = "bbox=102.5635,13.6593,102.5636,13.6594"
    assert titles(client.get(f"/api/v1/reports?audience=reviewer&{around}")) == {
        "Published one",
        "Pending one",
    }
    everything = client.get("/api/v1/reports?audience=reviewer&status=rejected,archived")
    assert titles(everything) == {"Rejected one", "Archived one"}


@pytest.mark.parametrize("role, code", [(None, 401), ("volunteer", 403), ("partner", 403)])
def test_reviewer_lists_need_the_analyst_role(client, reports, make_user, login, role, code):
    if role:
        login(make_user(role))
    response = client.get("/api/v1/reports?audience=reviewer")
    assert response.status_code == code
    assert response.get_json()["errors"][0]["field"] == "audience"
    assert "Pending one" not in response.get_data(as_text=True)


def test_the_public_list_names_a_status_it_does_not_show(client, reports):
    assert titles(client.get("/api/v1/reports?status=verified")) == {"Verified one"}
    response = client.get("/api/v1/reports?status=pending")
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "status"
    assert client.get("/api/v1/reports").headers["Cache-Control"] == "no-cache"


def test_category_tree_has_names_in_every_language(client):
    tree = client.get("/api/v1/categories?lang=es").get_json()
    slugs = {node["slug"] for node in tree}
    assert {
        "sexual-exploitation",
        "forced-labour",
        "child-labour",
        "domestic-servitude",
        "forced-begging",
        "forced-criminality",
        "debt-bondage",
        "recruitment-fraud",
        "child-marriage",
        "missing-person",
        "suspicious-activity",
        "other",
    } == slugs
    labour = next(node for node in tree if node["slug"] == "forced-labour")
    assert labour["name"] == "Trabajo forzoso"
    assert set(labour["names"]) == {"en", "es", "km"}
    assert "forced-labour-fishing" in {child["slug"] for child in labour["children"]}


def test_openapi_describes_exactly_the_api_routes(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    documented = {
        (path, method.upper()) for path, item in document["paths"].items() for method in item
    }
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            path = rule.rule.replace("<", "{").replace(">", "}")
            routes |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == routes
    json.dumps(document)


def test_api_errors_are_json_without_traces(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response.is_json
    response = client.delete("/api/v1/reports")
    assert response.status_code == 405 and response.is_json
