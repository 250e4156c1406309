"""The maps in a real browser: server clusters, zoom on click, a time range dragged on the
histogram, heatmap and hotspot layers, escaped popups, and what analysts see besides."""

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from PIL import Image

from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
HOSTILE = '<img src=x onerror="window.__xss = 1"><script>window.__xss = 2</script>'


@pytest.fixture
def town(live_db, make_report):
    start = datetime(2023, 1, 10, tzinfo=UTC)
    for i in range(8):
        make_report(
            "published" if i % 2 else "verified",
            title=f"Report {i}",
            latitude=11.55 + 0.02 * (i % 4),
            longitude=104.90 + 0.02 * (i // 4),
            occurred_at=(start + timedelta(days=100 * i)).isoformat(),
        )
    make_report(
        "published",
        title=HOSTILE,
        description=HOSTILE,
        latitude=13.75,
        longitude=100.50,
        occurred_at=start.isoformat(),
    )
    make_report("pending", title="Pending must not show", latitude=11.6, longitude=104.9)


def total(page) -> int:
    return int(page.get_attribute("#map", "data-total"))


def wait_redrawn(page, after: str) -> None:
    page.wait_for_function(
        "n => document.querySelector('#map').dataset.drawn !== n"
        " && !document.querySelector('#map').hasAttribute('aria-busy')",
        arg=after,
    )


def test_clusters_zoom_time_range_and_layers(page, live_server, town):
    page.goto(f"{live_server}/?z=5&lat=12.5&lon=103")
    page.wait_for_selector("#map[data-total]")
    assert total(page) == 9
    assert "9 matching reports" in page.text_content("#map-status")

    title = page.get_attribute(".marker-cluster[data-count='8']", "title")
    assert title == "8 reports — Forced labour: 8"
    zoom = page.evaluate("window.mapperPublicMap.map.getZoom()")
    drawn = page.get_attribute("#map", "data-drawn")
    page.click(".marker-cluster[data-count='8']")
    wait_redrawn(page, drawn)
    assert page.evaluate("window.mapperPublicMap.map.getZoom()") > zoom

    page.goto(f"{live_server}/?z=5&lat=12.5&lon=103")
    page.wait_for_selector("#map[data-total]")
    page.wait_for_selector("#histogram[data-buckets]")
    box = page.locator("#histogram").bounding_box()
    drawn = page.get_attribute("#map", "data-drawn")
    page.mouse.move(box["x"] + 2, box["y"] + 20)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + 20, steps=5)
    page.mouse.up()
    wait_redrawn(page, drawn)
    assert 0 < total(page) < 9
    assert "from=2023-01" in page.url and "to=" in page.url

    page.check("input[name=layer][value=heatmap]")
    page.wait_for_selector("canvas.heat-layer")
    page.check("input[name=layer][value=hotspots]")
    page.wait_for_selector(".leaflet-overlay-pane path")
    assert page.is_visible("#hotspot-legend")
    assert "layer=hotspots" in page.url


@pytest.mark.parametrize(
    "language, shape",
    [("es", "8 informes — {name}: 8"), ("km", "របាយការណ៍ 8 — {name}៖ 8")],
)
def test_a_clusters_title_speaks_the_page_language(page, live_server, town, language, shape):
    page.goto(f"{live_server}/?z=5&lat=12.5&lon=103&lang={language}")
    page.wait_for_selector(".marker-cluster[data-count='8']")
    name = page.text_content("select[name=category] option[value=forced-labour]").strip()
    title = page.get_attribute(".marker-cluster[data-count='8']", "title")
    assert title == shape.format(name=name)


def test_the_heatmap_has_a_legend_of_its_colours(page, live_server, town):
    page.goto(f"{live_server}/?z=5&lat=12.5&lon=103")
    page.wait_for_selector("#map[data-total]")
    assert page.is_hidden("#heat-legend")
    with page.expect_response(lambda r: "/api/v1/heatmap" in r.url) as heat:
        page.check("input[name=layer][value=heatmap]")
    most = heat.value.json()["max"]
    page.wait_for_selector("canvas.heat-layer")
    assert page.is_visible("#heat-legend") and most > 1
    assert page.text_content("#heat-most") == f"Most in one place: {most} reports"
    ramp = page.eval_on_selector("#heat-legend .ramp", "e => getComputedStyle(e).backgroundImage")
    legend = [tuple(int(v) for v in c.split(", ")) for c in re.findall(r"rgb\(([^)]*)\)", ramp)]
    # One hue path, light to dark (colour-blind safe), and the layer is drawn in it: its
    # darkest pixel (the busiest place) has the legend's last colour, its faintest the first.
    assert legend[0] == (255, 237, 160) and legend[-1] == (128, 0, 38)
    assert all(sum(a) > sum(b) for a, b in pairwise(legend))
    # Pixels drawn at least a quarter opaque (fainter ones keep too little of their colour in
    # the canvas to be read back).
    drawn = page.eval_on_selector(
        "canvas.heat-layer",
        """c => {
            const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data, out = [];
            for (let i = 3; i < d.length; i += 4) {
                if (d[i] >= 64) out.push([d[i - 3], d[i - 2], d[i - 1]]);
            }
            return out;
        }""",
    )
    ramp_colours = [
        tuple(a + (b - a) * k / 32 for a, b in zip(low, high, strict=True))
        for low, high in pairwise(legend)
        for k in range(33)
    ]

    def off_ramp(colour):
        return min(max(abs(a - b) for a, b in zip(colour, r, strict=True)) for r in ramp_colours)

    assert drawn and max(off_ramp(c) for c in {tuple(c) for c in drawn}) <= 16
    darkest = min(drawn, key=sum)
    assert max(abs(a - b) for a, b in zip(darkest, legend[-1], strict=True)) <= 16
    page.check("input[name=layer][value=hotspots]")
    page.wait_for_selector("#hotspot-legend:not([hidden])")
    assert page.is_hidden("#heat-legend")


@pytest.fixture
def straddling(live_db, make_report):
    """Four reports just west of the prime meridian and one just east: a line between map
    cells at every zoom, so the west is a cluster and the east a single report."""
    for i in range(5):
        make_report(
            "published",
            title=f"Straddling {i}",
            latitude=20.0 + 0.01 * i,
            longitude=-0.1 if i < 4 else 0.1,
            categories=["forced-labour-fishing"] if i == 4 else ["forced-labour"],
        )


DISC_GAPS = """() => {
  const m = window.mapperPublicMap.map;
  const at = window.mapperPublicMap.markers()
    .map(([lat, lon]) => m.latLngToContainerPoint([lat, lon]));
  const gaps = [];
  at.forEach((a, i) => at.slice(i + 1).forEach(b => gaps.push(a.distanceTo(b))));
  return gaps;
}"""


def test_clusters_whose_discs_would_overlap_are_drawn_as_one(page, live_server, straddling):
    answer = page.request.get(f"{live_server}/api/v1/clusters?bbox=-10,10,10,30&zoom=5").json()
    # A cluster and a report some 4 pixels apart at zoom 5: drawn apart, one would hide the
    # other.
    assert sorted(f["properties"]["count"] for f in answer["features"]) == [1, 4]

    page.goto(f"{live_server}/?z=5&lat=20&lon=0")
    page.wait_for_selector("#map[data-total='5']")
    assert [title for _lat, _lon, title in page.evaluate("window.mapperPublicMap.markers()")] == [
        "5"
    ]
    # Its counts per category are the two's together; the report's subcategory counts
    # under its parent, as the server counts them.
    title = page.get_attribute(".marker-cluster[data-count='5']", "title")
    assert title == "5 reports — Forced labour: 5"

    # A click brings its reports into view as far apart as they fit: no disc on another.
    drawn = page.get_attribute("#map", "data-drawn")
    page.click(".marker-cluster[data-count='5']")
    wait_redrawn(page, drawn)
    assert page.evaluate("window.mapperPublicMap.map.getZoom()") >= 9
    assert total(page) == 5
    markers = page.evaluate("window.mapperPublicMap.markers()")
    assert len(markers) >= 2
    assert sum(1 if title.startswith("Straddling") else int(title) for *_, title in markers) == 5
    assert min(page.evaluate(DISC_GAPS)) >= 40


def test_reports_at_one_point_open_as_a_list(page, live_server, live_db, make_report, make_user):
    """Reports that name a town share its point: no zoom parts them, so their cluster lists
    them, the newest 50 when there are more."""
    start = datetime(2024, 3, 1, tzinfo=UTC)
    for i in range(52):
        make_report(
            "pending" if i % 2 else "published",
            title=HOSTILE if i == 51 else f"At the market {i}",
            description=f"Seen at the market, day {i}",
            latitude=12.25,
            longitude=105.5,
            occurred_at=(start + timedelta(days=i)).isoformat(),
        )
    sign_in(page, live_server, make_user("analyst"), PASSWORD)
    page.goto(f"{live_server}/analyst?z=9&lat=12.25&lon=105.5")
    page.wait_for_selector("#map[data-total='52']")
    zoom = page.evaluate("window.mapperPublicMap.map.getZoom()")
    page.click(".marker-cluster[data-count='52']")
    page.wait_for_selector(".report-list details")
    popup = page.locator(".report-list")
    assert popup.locator("h3").text_content() == "52 reports"
    assert "newest 50" in popup.locator(".newest").text_content()
    titles = popup.locator("summary").all_text_contents()
    assert len(titles) == 50 and titles[0] == HOSTILE and titles[-1] == "At the market 2"
    assert page.evaluate("window.__xss") is None
    assert page.evaluate("window.mapperPublicMap.map.getZoom()") == zoom

    popup.locator("summary").first.click()
    assert (
        popup.locator("details[open] .description").text_content() == "Seen at the market, day 51"
    )


@pytest.mark.parametrize("width", [1280, 390])
def test_with_no_view_in_the_address_the_map_opens_on_the_reports(page, live_server, town, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server}/")
    page.wait_for_selector("#map[data-total]")
    assert total(page) == 9
    view = page.evaluate(
        "(() => { const m = window.mapperPublicMap.map, b = m.getBounds();"
        " return [m.getZoom(), b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; })()"
    )
    zoom, west, south, east, north = view
    assert zoom >= 5
    # Every public point (the town near 104.9 E, 11.6 N and the one at 100.5 E, 13.75 N) is
    # in view, give or take the 2 km their public points may move.
    assert west < 100.48 and east > 104.98 and south < 11.53 and north > 13.77


def test_without_tiles_the_map_still_shows_land_and_borders(page, live_server, town):
    page.route("**/tiles/**", lambda route: route.abort())
    page.goto(f"{live_server}/?z=5&lat=12&lon=104")
    page.wait_for_selector("#map[data-outline='drawn']")
    # Every country of Natural Earth's 1:50m map is one shape, under the clusters.
    assert page.locator(".leaflet-outline-pane path").count() > 200
    assert "Natural Earth" in page.text_content(".leaflet-control-attribution")
    assert total(page) == 9


# Container pixels along Fiji's latitude over the open Pacific, and of open ocean.
FIJI_ROW = """() => {
  const m = window.mapperPublicMap.map;
  const at = (lat, lon) => m.latLngToContainerPoint([lat, lon]);
  return { row: [at(-16.5, -175), at(-16.5, -90)], ocean: at(-45, -130) };
}"""


def test_the_outline_draws_no_line_across_the_world(page, live_server, town):
    """Natural Earth keeps the shapes that cross the antimeridian (Fiji, Russia's far east)
    whole: drawn flat as they come, each ran a line from one side of the world to the
    other, across the Pacific."""
    page.route("**/tiles/**", lambda route: route.abort())
    page.goto(f"{live_server}/?z=2&lat=0&lon=-130")
    page.wait_for_selector("#map[data-outline='drawn']")
    where = page.evaluate(FIJI_ROW)
    picture = Image.open(io.BytesIO(page.locator("#map").screenshot())).convert("RGB")
    ocean = picture.getpixel((round(where["ocean"]["x"]), round(where["ocean"]["y"])))
    (start, end), y = [round(p["x"]) for p in where["row"]], round(where["row"][0]["y"])
    drawn = [
        x
        for x in range(start, end)
        if any(picture.getpixel((x, y + dy)) != ocean for dy in (-1, 0, 1))
    ]
    assert len(drawn) < 0.05 * (end - start), "a line runs across the Pacific"


def test_a_town_found_by_name_brings_the_map_to_it(page, live_server, town, live_places):
    page.goto(f"{live_server}/")
    page.wait_for_selector("#map[data-total]")
    page.fill("#go-to-place", "siem")
    page.click("#go-to-suggestions button:has-text('Siem Reap')")
    page.wait_for_url(re.compile(r"[?&]z=12\b"))
    centre = page.evaluate("(() => window.mapperPublicMap.map.getCenter())()")
    assert centre["lat"] == pytest.approx(13.3633, abs=1e-3)
    assert centre["lng"] == pytest.approx(103.8564, abs=1e-3)
    # Going somewhere filters nothing: the count is of the reports in the new view.
    page.wait_for_selector("#map[data-total='0']")


def test_a_hostile_title_shows_as_text_in_its_popup(page, live_server, town):
    page.goto(f"{live_server}/?z=12&lat=13.75&lon=100.5")
    page.wait_for_selector("#map[data-total='1']")
    page.click(".leaflet-marker-icon:not(.marker-cluster)")
    popup = page.wait_for_selector(".report-popup")
    assert popup.query_selector("h3").text_content() == HOSTILE
    assert popup.query_selector("img") is None and popup.query_selector("script") is None
    assert page.evaluate("window.__xss") is None
    assert "Pending must not show" not in page.content()
    assert popup.query_selector("a") is None  # the reference opens nothing for the public


def test_on_the_analysts_map_a_reference_opens_the_whole_report(page, live_server, town, make_user):
    sign_in(page, live_server, make_user("analyst"), PASSWORD)
    page.goto(f"{live_server}/analyst?z=12&lat=13.75&lon=100.5")
    page.wait_for_selector("#map[data-total='1']")
    page.click(".leaflet-marker-icon:not(.marker-cluster)")
    link = page.wait_for_selector(".report-popup .reference a")
    reference = link.text_content()
    assert link.get_attribute("href") == f"/admin/reports/{reference}"
    link.click()
    page.wait_for_url(f"{live_server}/admin/reports/{reference}")
    assert HOSTILE in page.text_content("h1")


def test_analysts_see_pending_reports_on_their_map(page, live_server, town, make_user):
    sign_in(page, live_server, make_user("analyst"), PASSWORD)
    page.goto(f"{live_server}/analyst?z=5&lat=12.5&lon=103")
    page.wait_for_selector("#map[data-total]")
    assert total(page) == 10
    drawn = page.get_attribute("#map", "data-drawn")
    page.uncheck("input[name=status][value=pending]")
    wait_redrawn(page, drawn)
    assert total(page) == 9


def test_the_public_map_arrives_compressed(page, live_server, town):
    encodings: dict[str, str | None] = {}

    def note(response):
        path = response.url.removeprefix(live_server).split("?")[0]
        encodings[path] = response.headers.get("content-encoding")

    page.on("response", note)
    page.goto(f"{live_server}/?z=5&lat=12.5&lon=103")
    page.wait_for_selector("#map[data-total='9']")
    page.wait_for_selector("#histogram[data-buckets]")
    # Chromium asks for zstd and brotli; the scripts, styles and answers come that way.
    assert encodings["/vendor/leaflet/leaflet.js"] in ("zstd", "br")
    assert encodings["/vendor/leaflet/leaflet.css"] in ("zstd", "br")
    assert encodings["/api/v1/clusters"] in ("zstd", "br", "gzip")
    assert encodings["/api/v1/histogram"] in ("zstd", "br", "gzip")
    assert encodings["/"] is None


def inside(inner: dict, outer: dict) -> bool:
    return (
        inner["x"] >= outer["x"]
        and inner["y"] >= outer["y"]
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"]
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"]
    )


@pytest.mark.parametrize("width", [1280, 1024])
def test_the_analysts_map_fits_a_laptop_screen(page, live_server, town, make_user, width):
    """The filter panel wraps to more rows on the analysts' map; the map gives up the room,
    so the timeline stays on screen and the count and legend stay on the map."""
    page.set_viewport_size({"width": width, "height": 768})
    sign_in(page, live_server, make_user("analyst"), PASSWORD)
    page.goto(f"{live_server}/analyst?z=5&lat=12.5&lon=103&layer=hotspots")
    page.wait_for_selector("#map[data-total]")
    screen = {"x": 0, "y": 0, "width": width, "height": 768}
    for control in ("#play", "#histogram", "#time-slider"):
        assert inside(page.locator(control).bounding_box(), screen), control
    assert page.evaluate("document.documentElement.scrollHeight") <= 768
    map_box = page.locator("#map").bounding_box()
    assert map_box["height"] >= 300
    for overlay in ("#map-status", "#hotspot-legend"):
        assert inside(page.locator(overlay).bounding_box(), map_box), overlay


def downloaded_titles(page, live_server, fmt: str = "csv") -> list[str]:
    href = page.get_attribute(f"#downloads a[href*='reports.{fmt}']", "href")
    response = page.request.get(live_server + href)
    assert response.ok, href
    return [row["title"] for row in csv.DictReader(io.StringIO(response.text()))]


def test_the_downloads_hold_the_reports_the_map_counts(page, live_server, town):
    page.goto(f"{live_server}/?z=5&lat=12.5&lon=103")
    page.wait_for_selector("#map[data-total]")
    titles = downloaded_titles(page, live_server)
    assert len(titles) == total(page) == 9
    assert "Pending must not show" not in titles

    page.goto(f"{live_server}/?z=5&lat=12.5&lon=103&from=2023-01-01&to=2023-12-31")
    page.wait_for_selector("#map[data-total]")
    titles = downloaded_titles(page, live_server)
    assert len(titles) == total(page) == 5

    # A view of one town: the other town's report is neither counted nor downloaded.
    page.goto(f"{live_server}/?z=11&lat=11.6&lon=104.93")
    page.wait_for_selector("#map[data-total]")
    titles = downloaded_titles(page, live_server)
    assert len(titles) == total(page) == 8
    assert all(title.startswith("Report ") for title in titles)


def test_the_downloads_include_hxl_and_an_offline_map(page, live_server, town):
    page.goto(f"{live_server}/?z=5&lat=12.5&lon=103&from=2023-01-01&to=2023-12-31")
    page.wait_for_selector("#map[data-total]")
    links = page.eval_on_selector_all("#downloads a", "links => links.map(a => a.textContent)")
    assert links == ["CSV", "HXL", "GeoJSON", "KML", "Offline map"]

    hxl = page.request.get(live_server + page.get_attribute("#downloads a[href*='.hxl.']", "href"))
    rows = list(csv.reader(io.StringIO(hxl.text())))
    assert all(tag.startswith("#") for tag in rows[1])
    assert len(rows) - 2 == total(page) == 5

    href = page.get_attribute("#downloads a[href*='map.html']", "href")
    offline = page.request.get(live_server + href)
    assert offline.ok and "from=2023-01-01" in href
    assert "Report 0" in offline.text() and "Report 4" not in offline.text()
    assert "Pending must not show" not in offline.text()


def test_analysts_download_the_statuses_they_chose(page, live_server, town, make_user):
    sign_in(page, live_server, make_user("analyst"), PASSWORD)
    page.goto(f"{live_server}/analyst?z=5&lat=12.5&lon=103")
    page.wait_for_selector("#map[data-total]")
    titles = downloaded_titles(page, live_server)
    assert len(titles) == total(page) == 10 and "Pending must not show" in titles
    drawn = page.get_attribute("#map", "data-drawn")
    page.uncheck("input[name=status][value=pending]")
    wait_redrawn(page, drawn)
    titles = downloaded_titles(page, live_server)
    assert len(titles) == total(page) == 9 and "Pending must not show" not in titles


def test_hotspots_offer_the_fdr_correction_and_explain_each_hexagon(page, live_server, town):
    page.goto(f"{live_server}/?z=7&lat=11.6&lon=104.9&layer=hotspots")
    page.wait_for_selector(".leaflet-overlay-pane path")
    assert page.is_visible("#fdr-option") and "fdr=" not in page.url
    with page.expect_response(
        lambda r: "/api/v1/hotspots" in r.url and "fdr=true" in r.url
    ) as asked:
        page.check("input[name=fdr]")
    page.wait_for_function("location.search.includes('fdr=true')")
    # The download gives the hexagons drawn, as the map asked for them.
    with page.expect_download() as saved:
        page.click("#hotspot-download")
    assert saved.value.suggested_filename == "hotspots.geojson"
    assert json.loads(Path(saved.value.path()).read_text()) == asked.value.json()
    assert len(asked.value.json()["features"]) == page.locator(".leaflet-overlay-pane path").count()

    page.hover(".leaflet-overlay-pane path")
    tip = page.wait_for_selector(".leaflet-tooltip").text_content()
    bins = page.locator("#hotspot-legend .bin").all_text_contents()
    shape = r"\d+ reports? · Gi\* z = -?\d+\.\d\d · p = (< 0\.001|[01]\.\d{3}) · (.+)"
    assert re.fullmatch(shape, tip)
    assert tip.split(" · ")[-1] in bins

    drawn = page.get_attribute("#map", "data-drawn")
    page.check("input[name=layer][value=clusters]")
    wait_redrawn(page, drawn)
    assert page.is_hidden("#fdr-option")


@pytest.mark.parametrize("zoom", [3, 7, 12])
def test_hotspot_hexagons_are_drawn_large_enough_to_see_at_every_zoom(
    page, live_server, town, zoom
):
    page.goto(f"{live_server}/?z={zoom}&lat=11.6&lon=104.93&layer=hotspots")
    page.wait_for_selector(".leaflet-overlay-pane path")
    widths = [
        box["width"]
        for path in page.locator(".leaflet-overlay-pane path").all()
        if (box := path.bounding_box())
    ]
    assert widths and all(12 <= width <= 120 for width in widths), widths


def test_on_a_phone_the_filters_fold_behind_a_button_that_counts_them(page, live_server, town):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/?z=7&lat=12.5&lon=103&from=2023-06-01")
    page.wait_for_selector("#map[data-total='6']")
    toggle = page.locator("#filters-toggle")
    assert not page.is_visible("select[name=category]")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.text_content("#filters-active") == "1"  # the date in the shared address
    assert page.locator("#map").bounding_box()["height"] >= 500

    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.is_visible("select[name=category]")
    screen = {"x": 0, "y": 0, "width": 390, "height": 844}
    assert inside(page.locator("#map-filters button[type=submit]").bounding_box(), screen)
    page.fill("input[name=to]", "2024-01-01")
    page.wait_for_load_state("networkidle")
    drawn = page.get_attribute("#map", "data-drawn")
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/api/v1/clusters" in r.url else None)
    page.click("#map-filters button[type=submit]")
    wait_redrawn(page, drawn)
    page.wait_for_load_state("networkidle")
    assert total(page) == 2
    assert len(asked) == 1, asked  # one answer for the view, on a slow connection too
    assert not page.is_visible("select[name=category]")
    assert page.text_content("#filters-active") == "2"


def test_on_a_wide_screen_the_filters_stay_open(page, live_server, town):
    page.goto(f"{live_server}/?z=7&lat=12.5&lon=103")
    page.wait_for_selector("#map[data-total]")
    assert not page.is_visible("#filters-toggle")
    assert page.is_visible("select[name=category]")


def test_a_view_across_the_antimeridian_draws_both_sides_of_it_in_view(
    page, live_server, live_db, make_report
):
    """Over the Pacific the view runs past 180°: Suva (178.4° E) and Apia (171.8° W) are both
    drawn in it, side by side, as clusters, heat and hexagons; not one of them a world away."""
    make_report("published", title="Suva", latitude=-18.14, longitude=178.44)
    make_report("published", title="Apia", latitude=-13.83, longitude=-171.76)
    page.goto(f"{live_server}/?z=5&lat=-16&lon=-177")
    page.wait_for_selector("#map[data-total]")
    assert total(page) == 2
    frame = page.locator("#map").bounding_box()

    def inside(box) -> bool:
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        return (
            frame["x"] <= x <= frame["x"] + frame["width"]
            and frame["y"] <= y <= frame["y"] + frame["height"]
        )

    markers = {title: lon for _lat, lon, title in page.evaluate("mapperPublicMap.markers()")}
    assert set(markers) == {"Suva", "Apia"}
    assert -182 < markers["Suva"] < markers["Apia"] < -171  # Suva one world west, beside Apia
    icons = page.locator(".leaflet-marker-icon")
    assert icons.count() == 2 and all(inside(icons.nth(i).bounding_box()) for i in range(2))

    drawn = page.get_attribute("#map", "data-drawn")
    page.check("input[name=layer][value=heatmap]")
    wait_redrawn(page, drawn)
    # Two warm spots in the view's middle band: the canvas has colour either side of 180°.
    halves = page.eval_on_selector(
        "canvas.heat-layer",
        """c => {
            const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
            const seen = [0, 0];
            for (let i = 3; i < d.length; i += 4) {
                if (d[i]) seen[((i - 3) / 4) % c.width < c.width / 2 ? 0 : 1] += 1;
            }
            return seen;
        }""",
    )
    assert halves[0] > 0 and halves[1] > 0

    # A report a kilometre west of 180°: its hexagon crosses the line, and comes cut in two.
    make_report("published", title="Taveuni", latitude=-17.0, longitude=179.99)
    drawn = page.get_attribute("#map", "data-drawn")
    with page.expect_response(lambda r: "/api/v1/hotspots" in r.url) as hotspots:
        page.check("input[name=layer][value=hotspots]")
    wait_redrawn(page, drawn)
    kinds = [f["geometry"]["type"] for f in hotspots.value.json()["features"]]
    assert kinds.count("MultiPolygon") == 1
    hexagons = page.locator("#map .leaflet-overlay-pane path")
    assert hexagons.count() == len(kinds) >= 3
    for i in range(hexagons.count()):
        box = hexagons.nth(i).bounding_box()
        assert box["width"] < frame["width"] / 4 and inside(box)
        # One outline each: the cut hexagon is drawn whole, with no line along the cut.
        assert hexagons.nth(i).get_attribute("d").count("M") == 1
