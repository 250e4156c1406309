"""The report form in a real browser: pin on the map, submit, reference, quick exit, phones."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from mapper.extensions import db
from mapper.models import Report

pytestmark = pytest.mark.browser


def test_visitor_drops_a_pin_fills_the_form_and_gets_a_reference(page, live_server, live_db):
    page.goto(f"{live_server}/report")
    page.wait_for_selector("#report-map.leaflet-container")
    page.click("#report-map", position={"x": 200, "y": 120})
    pinned = float(page.input_value("#latitude")), float(page.input_value("#longitude"))
    page.fill("#title", "Boys working on a fishing boat")
    page.fill("#description", "They have not been ashore for months.")
    page.check("input[value='forced-labour-fishing']")
    page.click("#submit-report")
    reference = page.text_content("#reference").strip()
    assert len(reference) == 8

    report = db.session.scalar(select(Report).where(Report.reference == reference))
    assert report.status == "pending" and report.source == "web"
    assert report.title == "Boys working on a fishing boat"
    stored = db.session.execute(
        select(func.ST_Y(Report.location), func.ST_X(Report.location)).where(Report.id == report.id)
    ).one()
    assert tuple(stored) == pinned
    assert [c.slug for c in report.categories] == ["forced-labour-fishing"]


@pytest.mark.parametrize("zoned_page", ["Europe/Madrid"], indirect=True)
def test_the_event_time_is_read_in_the_visitors_zone_on_that_date(zoned_page, live_server, live_db):
    """Noon on a summer day in Madrid is 10:00 UTC (CEST, UTC+2), whatever the season of the
    day the form is sent: winter's offset would make it 11:00."""
    page = zoned_page
    page.goto(f"{live_server}/report")
    page.wait_for_selector("#report-map.leaflet-container")
    page.click("#report-map", position={"x": 200, "y": 120})
    page.fill("#title", "Workers kept in a packing house")
    page.fill("#occurred_at", "2026-07-01T12:00")
    page.click("#submit-report")
    reference = page.text_content("#reference").strip()
    report = db.session.scalar(select(Report).where(Report.reference == reference))
    assert report.occurred_at == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)


def test_visitor_finds_their_town_by_name_and_the_pin_goes_there(
    page, live_server, live_db, live_places
):
    page.goto(f"{live_server}/report")
    page.wait_for_selector("#report-map.leaflet-container")
    page.fill("#title", "Passports kept by the employer")
    page.fill("#place_name", "paoy")  # another name of Poipet
    choice = page.locator("#place-suggestions button")
    expect(choice).to_have_count(1)
    expect(choice).to_have_text("Poipet Banteay Meanchey, KH")
    page.press("#place_name", "Enter")  # picks the town listed, and does not send the form
    assert page.input_value("#place_name") == "Poipet"
    assert (page.input_value("#latitude"), page.input_value("#longitude")) == (
        "13.659300",
        "102.563500",
    )
    expect(page.locator("#report-map .leaflet-marker-icon")).to_have_count(1)
    assert page.locator("#reference").count() == 0
    page.click("#clear-location")  # clears the town too, which would place the report
    assert page.input_value("#place_name") == page.input_value("#latitude") == ""
    expect(page.locator("#report-map .leaflet-marker-icon")).to_have_count(0)
    page.fill("#place_name", "paoy")
    page.click("#place-suggestions button")

    page.click("#submit-report")
    reference = page.text_content("#reference").strip()
    report = db.session.scalar(select(Report).where(Report.reference == reference))
    assert report.place_name == "Poipet"
    stored = db.session.execute(
        select(func.ST_Y(Report.location), func.ST_X(Report.location)).where(Report.id == report.id)
    ).one()
    assert tuple(stored) == (13.6593, 102.5635)


def test_field_errors_appear_next_to_the_field(page, live_server, live_db):
    page.goto(f"{live_server}/report?lang=es")
    page.fill("#latitude", "95")
    page.fill("#longitude", "10")
    page.click("#submit-report")
    assert "Este campo es obligatorio." in page.text_content("#title-errors")
    assert "Fuera de rango." in page.text_content("#location-errors")
    assert db.session.scalar(select(func.count()).select_from(Report)) == 0


def test_quick_exit_leaves_and_replaces_the_history_entry(page, live_server):
    page.goto(f"{live_server}/")
    page.goto(f"{live_server}/report")
    page.click("#quick-exit")
    page.wait_for_url("about:blank")
    page.go_back()
    # The form is gone from history: going back lands on the page before it.
    assert page.url == f"{live_server}/"


def test_form_fits_a_narrow_phone_screen(browser, live_server):
    context = browser.new_context(
        viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True
    )
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(live_server) else route.abort()
        ),
    )
    page = context.new_page()
    page.goto(f"{live_server}/report")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert page.is_visible("#quick-exit")
    page.locator("#submit-report").scroll_into_view_if_needed()
    assert page.is_visible("#submit-report")
    context.close()


@pytest.mark.parametrize("path", ["/report", "/"])
def test_the_map_shows_its_base_layer_without_the_browser_leaving_the_site(
    page, live_server, tile_server, path
):
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(f"{live_server}{path}")
    page.wait_for_selector("img.leaflet-tile-loaded")
    sources = page.eval_on_selector_all("img.leaflet-tile-loaded", "tiles => tiles.map(t => t.src)")
    assert sources and all(src.startswith(f"{live_server}/tiles/") for src in sources)
    assert [url for url in asked if not url.startswith(live_server)] == []


def drawn_in(page, selector: str) -> set[str]:
    """The fonts the browser drew `selector`'s text in."""
    page.evaluate("async () => { await document.fonts.ready; }")
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return {font["familyName"] for font in fonts}


@pytest.mark.parametrize(
    "path, selector",
    [
        ("/report?lang=km", "h1"),
        ("/report?lang=km", ".site-nav a"),
        ("/report?lang=en", ".languages [lang=km]"),
        ("/?lang=km", "select[name=bucket]"),
    ],
)
def test_khmer_letters_are_drawn_in_a_font_the_app_serves(
    page, live_server, live_db, path, selector
):
    """A phone without a Khmer font still shows Khmer: the heading and menu of the Khmer
    form, Khmer's own name in the language menu of any page, and the choices of a list
    (form controls do not take the page's font unless told). The font comes late, as on a
    slow connection: text laid out before it arrived once kept the system's boxes."""

    held: list = []
    page.route(
        "**/*.woff2", lambda route: held.append(route) if held is not None else route.continue_()
    )
    page.goto(f"{live_server}{path}", wait_until="domcontentloaded")
    page.wait_for_timeout(400)  # the page is laid out while its font is on its way
    waiting, held = held, None
    for route in waiting:
        route.continue_()
    page.wait_for_selector(".leaflet-container")
    assert "Noto Sans Khmer" in drawn_in(page, selector)


def test_code_stays_in_a_fixed_width_font_on_khmer_pages(page, live_server, live_db):
    """Khmer pages name the Khmer font first for all their text, but not for code (such
    as the addresses the forms page gives for ODK Collect)."""
    page.goto(f"{live_server}/report?lang=km")
    family = page.evaluate(
        "() => getComputedStyle(document.body.appendChild(document.createElement('code')))"
        ".fontFamily"
    )
    assert family.endswith("monospace") and "Khmer" not in family
    assert "Noto Sans Khmer" in page.evaluate(
        "() => getComputedStyle(document.querySelector('h1')).fontFamily"
    )
