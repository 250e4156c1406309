"""The volunteer app in a real browser: forms filled offline wait on the phone, photos included,
and reach the server exactly once when the connection returns."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import delete, select

from benchmarks.common import gunicorn
from mapper.models import Form, Photo, Report
from tests.browser.conftest import sign_in, wait_until
from tests.conftest import PASSWORD
from tests.forms.test_photos import jpeg_with_gps


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized browser context with service workers, cut off from everything but the app."""
    context = browser.new_context(
        locale="en-GB", viewport={"width": 390, "height": 844}, service_workers="allow"
    )
    context.route(lambda url: not url.startswith(live_server), lambda route: route.abort())
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield context, page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


KEPT_TILES = (
    "() => caches.open('mapper-volunteer').then(c => c.keys())"
    ".then(keys => keys.map(k => k.url).filter(u => new URL(u).pathname.startsWith('/tiles/')))"
)


def fill_in(page, title: str, photo: bytes | None = None) -> None:
    page.fill("#answer-title", title)
    page.fill("#answer-what_happened", "Workers sleep inside the factory behind a locked gate.")
    page.check("#volunteer-form [data-field=site_type] input[value=factory]")
    page.fill("#answer-location-lat", "11.5564")
    page.fill("#answer-location-lon", "104.9282")
    if photo is not None:
        page.set_input_files(
            "#answer-photo", files=[{"name": "gate.jpg", "mimeType": "image/jpeg", "buffer": photo}]
        )
    page.click("#send-form")


def test_two_reports_sent_offline_arrive_once_each_when_back_online(
    phone, live_server, live_db, make_user
):
    context, page = phone
    volunteer = make_user("volunteer")
    sign_in(page, live_server, volunteer, PASSWORD)
    page.goto(f"{live_server}/volunteer/")
    page.get_by_role("link", name="Field report", exact=True).click()
    expect(page.locator("h1")).to_have_text("Field report")
    # The service worker has kept the app shell before the connection goes.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")

    context.set_offline(True)
    fill_in(page, "Locked gate, night shift", photo=jpeg_with_gps())
    expect(page.locator("#saved")).to_contain_text("Saved on this phone")
    fill_in(page, "Second visit, same factory")
    expect(page.locator("#queue-status")).to_have_text("2 waiting to send")

    # Offline, the app still opens from the phone, with its queue.
    page.reload()
    expect(page.locator("h1")).to_have_text("Field report")
    expect(page.locator("#queue-status")).to_have_text("2 waiting to send")
    assert live_db.scalars(select(Report).where(Report.submitted_by_id == volunteer.id)).all() == []

    context.set_offline(False)
    expect(page.locator("#queue-status")).to_have_text("Nothing waiting to send.", timeout=30_000)
    live_db.expire_all()
    reports = live_db.scalars(select(Report).where(Report.submitted_by_id == volunteer.id)).all()
    assert sorted(r.title for r in reports) == [
        "Locked gate, night shift",
        "Second visit, same factory",
    ]
    assert {r.source for r in reports} == {"volunteer"}
    with_photo = next(r for r in reports if r.title.startswith("Locked"))
    photo = live_db.scalar(select(Photo).where(Photo.report_id == with_photo.id))
    assert photo is not None and photo.media_type == "image/jpeg"

    page.goto(f"{live_server}/volunteer/reports")
    expect(page.locator("table.my-reports tbody tr")).to_have_count(2)


def test_online_submission_says_sent_and_missing_answers_are_marked(
    phone, live_server, live_db, make_user
):
    context, page = phone
    volunteer = make_user("volunteer")
    sign_in(page, live_server, volunteer, PASSWORD)
    page.goto(f"{live_server}/volunteer/forms/FR")
    page.click("#send-form")
    expect(page.locator("#answer-title-errors")).to_have_text("This field is required.")
    fill_in(page, "Seen at the port")
    expect(page.locator("#saved")).to_have_text("Sent. Thank you.", timeout=15_000)
    expect(page.locator("#queue-status")).to_have_text("Nothing waiting to send.")
    live_db.expire_all()
    titles = live_db.scalars(
        select(Report.title).where(Report.submitted_by_id == volunteer.id)
    ).all()
    assert titles == ["Seen at the port"]


def test_a_form_an_admin_builds_appears_in_the_app_and_in_odk_form_lists(
    page, browser, live_server, live_db, make_user
):
    sign_in(page, live_server, make_user("admin"), PASSWORD)
    page.goto(f"{live_server}/admin/forms/new")
    page.fill("#code", "BUILT")
    page.fill("#name_en", "Port check")
    page.fill("#name_es", "Control de puerto")
    page.click("#add-field")
    row = page.locator(".builder-row").last
    row.locator(".f-name").fill("boat")
    row.locator(".f-label[data-lang=en]").fill("Boat name")
    row.locator(".f-required").check()
    row.locator(".f-maps-to").select_option("title")
    page.click("#add-field")
    row = page.locator(".builder-row").last
    row.locator(".f-name").fill("flag")
    row.locator(".f-type").select_option("select_one")
    row.locator(".f-label[data-lang=en]").fill("Flag")
    row.locator(".f-choices").fill("kh | Cambodia | Camboya\nth | Thailand | Tailandia")
    page.click("#save-form")
    expect(page.locator(".notice")).to_contain_text("Form BUILT saved (version 1)")
    try:
        volunteer = make_user("volunteer")
        context = browser.new_context(locale="en-GB")
        other = context.new_page()
        sign_in(other, live_server, volunteer, PASSWORD)
        other.goto(f"{live_server}/volunteer/")
        other.get_by_role("link", name="Port check", exact=True).click()
        expect(other.locator("label[for=answer-boat]")).to_contain_text("Boat name")
        expect(other.locator("[data-field=flag] label")).to_have_text(["Cambodia", "Thailand"])
        context.close()

        auth = httpx.DigestAuth(volunteer.email, PASSWORD)
        listing = httpx.get(f"{live_server}/openrosa/formList", auth=auth)
        assert listing.status_code == 200
        assert "<formID>BUILT</formID>" in listing.text
    finally:
        live_db.execute(delete(Form).where(Form.code == "BUILT"))
        live_db.commit()


def test_waiting_forms_stay_with_their_volunteer_and_sign_out_clears_kept_pages(
    phone, live_server, live_db, make_user
):
    context, page = phone
    first, second = make_user("volunteer"), make_user("volunteer")
    sign_in(page, live_server, first, PASSWORD)
    page.goto(f"{live_server}/volunteer/forms/FR")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    # The server cannot be reached for submissions: the form waits on the phone.
    context.route("**/volunteer/api/submissions", lambda route: route.abort())
    fill_in(page, "Seen before signing out")
    expect(page.locator("#queue-status")).to_have_text("1 waiting to send")
    page.click("#sign-out")
    page.wait_for_url(lambda url: "/volunteer/" not in url)
    assert page.evaluate("caches.has('mapper-volunteer')") is False
    # Nothing left to fetch volunteer pages in the background while signed out.
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0

    context.unroute("**/volunteer/api/submissions")
    sign_in(page, live_server, second, PASSWORD)
    page.goto(f"{live_server}/volunteer/")
    expect(page.locator("#queue-status")).to_have_text("Nothing waiting to send.")
    page.wait_for_timeout(1500)  # a flush has run on this page
    live_db.expire_all()
    assert (
        live_db.scalars(select(Report.title).where(Report.submitted_by_id == second.id)).all() == []
    )

    page.click("#sign-out")
    page.wait_for_url(lambda url: "/volunteer/" not in url)
    sign_in(page, live_server, first, PASSWORD)
    page.goto(f"{live_server}/volunteer/")
    expect(page.locator("#queue-status")).to_have_text("Nothing waiting to send.", timeout=15_000)
    live_db.expire_all()
    titles = live_db.scalars(select(Report.title).where(Report.submitted_by_id == first.id)).all()
    assert titles == ["Seen before signing out"]


def test_the_map_of_places_looked_at_online_still_shows_offline(
    phone, live_server, live_db, make_user
):
    context, page = phone
    sign_in(page, live_server, make_user("volunteer"), PASSWORD)
    page.goto(f"{live_server}/volunteer/forms/FR")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now under the service worker, which keeps the tiles it passes on
    all_loaded = (
        "() => { const tiles = [...document.querySelectorAll('img.leaflet-tile')];"
        " return tiles.length > 0"
        " && tiles.every(t => t.classList.contains('leaflet-tile-loaded')); }"
    )
    page.wait_for_function(all_loaded)
    shown = page.eval_on_selector_all("img.leaflet-tile-loaded", "tiles => tiles.length")
    wait_until(page, f"n => ({KEPT_TILES})().then(k => k.length >= n)", shown)

    context.set_offline(True)
    page.reload()
    expect(page.locator("h1")).to_have_text("Field report")
    page.wait_for_function(all_loaded)
    assert page.locator("img.leaflet-tile-loaded").count() == shown
    assert page.get_attribute("#volunteer-form .leaflet-container", "data-outline") is None

    # Closer in, no tile was ever shown: land and borders, kept with the app, stand in.
    page.click(".leaflet-control-zoom-in")
    page.wait_for_selector(".leaflet-container[data-outline='drawn']")
    assert page.locator(".leaflet-outline-pane path").count() > 200


@pytest.fixture
def server_keeping_few_tiles(database_url, tmp_path, tile_server):
    with gunicorn(
        database_url,
        workers=1,
        MAPPER_VAR_DIR=str(tmp_path),
        MAPPER_ROLLUP_FOLD_SECONDS="0",
        MAPPER_TILE_URL=tile_server.template,
        MAPPER_VOLUNTEER_TILES="2",
    ) as url:
        yield url


def test_a_phone_keeps_only_the_latest_tiles_it_showed(
    browser, server_keeping_few_tiles, live_db, make_user
):
    server = server_keeping_few_tiles
    context = browser.new_context(
        locale="en-GB", viewport={"width": 390, "height": 844}, service_workers="allow"
    )
    context.route(lambda url: not url.startswith(server), lambda route: route.abort())
    page = context.new_page()
    try:
        sign_in(page, server, make_user("volunteer"), PASSWORD)
        page.goto(f"{server}/volunteer/forms/FR")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.reload()
        all_loaded = (
            "() => { const tiles = [...document.querySelectorAll('img.leaflet-tile')];"
            " return tiles.length > 2"
            " && tiles.every(t => t.classList.contains('leaflet-tile-loaded')); }"
        )
        page.wait_for_function(all_loaded)
        wait_until(page, f"() => ({KEPT_TILES})().then(k => k.length === 2)")

        # Another zoom: every tile is new, and the ones of the first view go first.
        page.click(".leaflet-control-zoom-in")
        page.wait_for_function(
            "() => [...document.querySelectorAll('img.leaflet-tile')]"
            ".every(t => new URL(t.src).pathname.startsWith('/tiles/4/'))"
        )
        page.wait_for_function(all_loaded)
        shown = set(page.eval_on_selector_all("img.leaflet-tile", "ts => ts.map(t => t.src)"))
        assert len(shown) > 2
        wait_until(
            page,
            f"shown => ({KEPT_TILES})().then(k => k.length === 2"
            " && k.every(u => shown.includes(u)))",
            sorted(shown),
        )
    finally:
        context.close()
