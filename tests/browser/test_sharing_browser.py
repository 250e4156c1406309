"""Sharing in a real browser: the map framed by another site, the embed builder's snippet, and
the offline HTML map opened with the network cut off."""

import re
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@contextmanager
def partner_site(html: str):
    """Another site, on another origin, whose page frames the map."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("localhost", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def reports(live_db, make_report):
    for i in range(6):
        make_report(
            "published",
            title=f"Report {i}",
            latitude=11.55 + 0.01 * i,
            longitude=104.90,
            categories=["forced-labour"],
            occurred_at="2024-03-01T10:00:00Z",
        )
    make_report("published", title="Other category", categories=["sexual-exploitation"])
    make_report("pending", title="Pending", latitude=11.56, longitude=104.9)


def test_another_site_frames_the_filtered_map_and_sees_its_clusters(page, live_server, reports):
    src = f"{live_server}/embed/map?category=forced-labour&z=8&lat=11.6&lon=104.9"
    partner = f'<h1>Partner site</h1><iframe src="{src}" width="800" height="500"></iframe>'
    with partner_site(partner) as elsewhere:
        page.route(f"{elsewhere}/**", lambda route: route.continue_())
        page.goto(f"{elsewhere}/news")
    frame = page.frame_locator("iframe")
    frame.locator("#map[data-total]").wait_for()
    assert frame.locator("#map").get_attribute("data-total") == "6"
    assert frame.locator(".site-header").count() == 0
    # The partner chose the filters: the embed shows the map, not the filter panel.
    assert frame.locator("#map-filters").is_hidden()
    map_box = frame.locator("#map").bounding_box()
    assert map_box["height"] >= 300
    assert frame.locator(".marker-cluster").count() >= 1


def test_builder_preview_and_snippet_follow_the_chosen_options(page, live_server, reports):
    page.goto(f"{live_server}/embed")
    page.select_option("select[name=layer]", "heatmap")
    page.select_option("select[name=category]", "forced-labour")
    page.select_option("select[name=lang]", "km")
    page.fill("input[name=width]", "640")
    snippet = page.input_value("#embed-snippet")
    assert snippet.startswith(f'<iframe src="{live_server}/embed/map?')
    assert "layer=heatmap" in snippet and "category=forced-labour" in snippet
    assert "lang=km" in snippet and 'width="640"' in snippet
    # The preview reloads after each change: wait for the last one rather than read the first.
    expect(page.locator("#embed-preview")).to_have_attribute("src", re.compile("lang=km"))
    preview = page.frame_locator("#embed-preview")
    # A slow machine may take a while to load the last of several quick reloads.
    expect(preview.locator("html")).to_have_attribute("lang", "km", timeout=15_000)
    expect(preview.locator("#map")).to_have_attribute("data-total", "6")


def test_builder_takes_the_view_the_preview_was_moved_to(page, live_server, reports):
    page.goto(f"{live_server}/embed")
    preview = page.frame_locator("#embed-preview")
    expect(preview.locator("#map")).to_have_attribute("data-total", "7")
    assert "z=" not in page.input_value("#embed-snippet")
    # The preview opens on the reports; zoomed out one step, it keeps its view in its own
    # address (without the builder's language), and the builder reads the view from there.
    frame = page.frame(url=re.compile("/embed/map"))
    zoom = frame.evaluate("window.mapperPublicMap.map.getZoom()")
    preview.locator(".leaflet-control-zoom-out").click()
    in_frame = "document.getElementById('embed-preview').contentWindow.location.search"
    moved = f"z={zoom - 1}"
    on_view = f"/[?&]{moved}(&|$)/.test({in_frame})"
    page.wait_for_function(f"() => {on_view} && !{in_frame}.includes('lang=')")
    page.click("#use-view")
    snippet = page.input_value("#embed-snippet")
    assert re.search(rf"[?;]{moved}\b", snippet) and "lat=" in snippet and "lon=" in snippet
    # The preview reopens from the new address, on that view.
    expect(page.locator("#embed-preview")).to_have_attribute("src", re.compile(rf"[?&]{moved}\b"))
    page.wait_for_function(f"() => {on_view} && {in_frame}.includes('lang=en')")
    expect(preview.locator("#map")).to_have_attribute("data-total", "7")


def test_offline_map_file_opens_with_no_network_and_shows_clusters(
    browser, live_server, reports, tmp_path, tile_server
):
    import urllib.request

    with urllib.request.urlopen(f"{live_server}/exports/map.html?category=forced-labour") as r:
        html = r.read()
    path = tmp_path / "map.html"
    path.write_bytes(html)
    context = browser.new_context(offline=True)
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    page.wait_for_selector(".marker-cluster")
    assert page.get_attribute(".folium-map", "data-reports") == "6"
    counts = page.eval_on_selector_all(".marker-cluster span", "els => els.map(e => e.textContent)")
    markers = page.locator("path.leaflet-interactive").count()
    assert sum(int(c) for c in counts) + markers == 6
    assert errors == []
    # Only map tiles are asked for (and fail offline); no script or style from anywhere.
    tiles = tile_server.template.split("{z}")[0]
    assert [u for u in requested if not u.startswith(("file:", tiles))] == []
    context.close()
