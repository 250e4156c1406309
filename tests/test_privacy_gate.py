"""The privacy gate: canary values planted in published and pending reports must not appear in
any public route, export, embed, feature service or webhook, in any format or precision."""

from __future__ import annotations

import pytest

from mapper.extensions import db
from mapper.models import WebhookDelivery
from mapper.moderation.service import apply_action
from mapper.partners.webhooks import create_webhook

PHONE = "+855 12 777 431"
PHONE_DIGITS = "12777431"
EMAIL = "canary.reporter@example.org"
NAME = "Sokha Canaryname"
PRIVATE = "CANARY-PRIVATE-ANSWER"
NOTE = "CANARY-INTERNAL-NOTE"
LAT, LON = 13.6593187, 102.5635173
PENDING_TITLE = "CANARY-PENDING-TITLE"

# Routes that only staff, volunteers, gateways, ODK devices (signed in, or holding a form's
# secret token: they get forms, never reports) or the machinery reach; the rest is crawled.
NOT_PUBLIC = (
    "admin.",
    "auth.",
    "sms.",
    "openrosa.",
    "volunteer.home",
    "volunteer.fill",
    "volunteer.my_reports",
    "volunteer.service_worker",
    "static",
    "web.vendor",
    "web.analyst_map",
    "web.health",
)


@pytest.fixture
def canaries(client, make_report):
    contact = {"name": NAME, "phone": PHONE, "email": EMAIL}
    pending = make_report(
        "pending",
        title=PENDING_TITLE,
        latitude=LAT + 1,
        longitude=LON + 1,
        contact=contact,
        custom_answers={"note": PRIVATE},
    )
    published = make_report(
        "pending",
        title="Canary published",
        latitude=LAT,
        longitude=LON,
        contact=contact,
        custom_answers={"note": PRIVATE},
        occurred_at="2024-06-01T10:00:00Z",
    )
    create_webhook("Partner", "https://partner.example/hook", None)
    apply_action(published, "publish", None, published.version, reason=NOTE)
    db.session.commit()
    return published, pending


def public_paths(published, pending) -> list[str]:
    ref, hidden = published.reference, pending.reference
    box = f"bbox={LON - 1},{LAT - 1},{LON + 2},{LAT + 2}"
    paths = ["/", "/report", "/embed", f"/embed/map?{box}", "/api/v1/categories"]
    paths += ["/api/v1/places?q=canary"]  # gazetteer towns only, never reports
    paths += ["/api/v1/openapi.json", "/api/v1/reports", f"/api/v1/reports?{box}"]
    paths += [f"/api/v1/reports/{ref}", f"/api/v1/reports/{hidden}"]
    for zoom in (2, 6, 10, 14, 18):
        paths.append(f"/api/v1/clusters?zoom={zoom}&{box}")
        paths.append(f"/api/v1/heatmap?zoom={zoom}&{box}")
    paths += [f"/api/v1/histogram?{box}&bucket=day", f"/api/v1/hotspots?{box}&resolution=9"]
    paths += ["/ogc", "/ogc?f=html", "/ogc/conformance", "/ogc/api", "/ogc/collections"]
    paths += ["/ogc/collections/reports", f"/ogc/collections/reports/items?{box}&limit=100"]
    paths += ["/ogc/collections/reports/items?f=html"]
    for item in (ref, hidden):
        paths.append(f"/ogc/collections/reports/items/{item}")
        paths.append(f"/ogc/collections/reports/items/{item}?f=html")
    for fmt in ("csv", "hxl.csv", "geojson", "kml"):
        paths += [f"/exports/reports.{fmt}", f"/exports/reports.{fmt}?{box}"]
    paths += ["/exports/map.html", f"/exports/map.html?{box}"]
    paths += ["/volunteer/photos/no-such-photo.jpg", "/tiles/0/0/0"]
    return paths


def leaks(text: str) -> list[str]:
    found = [
        c for c in (PHONE, PHONE_DIGITS, EMAIL, NAME, PRIVATE, NOTE, PENDING_TITLE) if c in text
    ]
    for lat, lon in ((LAT, LON), (LAT + 1, LON + 1)):
        for places in range(3, 8):
            rounded = (f"{lat:.{places}f}", f"{lon:.{places}f}")
            cut = (str(lat)[: 3 + places], str(lon)[: 4 + places])
            for pair in (rounded, cut):
                if pair[0] in text and pair[1] in text:
                    found.append(f"point at {places} decimals")
    return found


def test_the_crawl_covers_every_public_route(app, canaries):
    crawled = set()
    adapter = app.url_map.bind("localhost")
    for path in public_paths(*canaries):
        crawled.add(adapter.match(path.split("?")[0], method="GET")[0])
    public = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.endpoint.startswith(NOT_PUBLIC)
    }
    assert public - crawled == set()


def test_no_canary_reaches_any_public_output(client, canaries):
    published, _pending = canaries
    seen_published = False
    for path in public_paths(*canaries):
        response = client.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        text = response.get_data().decode("utf-8", "replace")  # images too
        assert leaks(text) == [], path
        seen_published |= published.reference in text
    assert seen_published, "the crawl never saw the published report: it proves nothing"


def test_no_canary_reaches_a_webhook(client, canaries):
    bodies = [d.body for d in db.session.query(WebhookDelivery)]
    assert len(bodies) == 1 and canaries[0].reference in bodies[0]
    assert leaks(bodies[0]) == []


def test_shrinking_the_box_never_reveals_more_than_the_public_point(client, canaries):
    # A box tight around the exact point finds nothing: filters act on the public point.
    tight = f"{LON - 0.0001},{LAT - 0.0001},{LON + 0.0001},{LAT + 0.0001}"
    assert client.get(f"/api/v1/reports?bbox={tight}").get_json()["features"] == []
    items = client.get(f"/ogc/collections/reports/items?bbox={tight}").get_json()
    assert items["numberMatched"] == 0
    assert canaries[0].reference not in client.get(f"/exports/reports.csv?bbox={tight}").text
