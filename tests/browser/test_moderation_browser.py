"""A moderator in a real browser: correct a location, publish, reject, check the public map."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from mapper.extensions import db
from mapper.models import Report
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def public_markers(page, live_server):
    page.goto(f"{live_server}/")
    page.wait_for_selector("#map[data-total]")
    return page.evaluate("window.mapperPublicMap.markers()")


def test_moderator_corrects_publishes_and_rejects(
    page, live_server, live_db, make_user, make_report
):
    moderator = make_user("moderator")
    to_publish = make_report(
        "pending", title="Boat crew held at sea", latitude=10.0, longitude=103.0
    )
    to_reject = make_report("pending", title="Obvious spam", latitude=11.0, longitude=104.0)

    sign_in(page, live_server, moderator, PASSWORD)
    page.wait_for_url(f"{live_server}/admin/reports")
    page.click(f"text={to_publish.reference}")

    page.fill("#edit-latitude", "10.6253")
    page.fill("#edit-longitude", "103.5234")
    page.click("#save-edit")
    page.wait_for_selector("text=Saved.")
    assert "10.6253, 103.5234" in page.text_content("#exact-location")
    page.click("#action-publish")
    page.wait_for_selector("#status:has-text('published')")

    page.goto(f"{live_server}/admin/reports/{to_reject.reference}")
    page.fill("input[name=reason]", "Spam")
    page.click("#action-reject")
    page.wait_for_selector("#status:has-text('rejected')")

    db.session.expire_all()
    public = db.session.execute(
        select(func.ST_Y(Report.public_location), func.ST_X(Report.public_location)).where(
            Report.id == to_publish.id
        )
    ).one()
    markers = public_markers(page, live_server)
    assert markers == [[public[0], public[1], "Boat crew held at sea"]]
    assert (public[0], public[1]) != (10.6253, 103.5234)


def test_the_quick_exit_stays_on_the_headers_first_row_beside_a_long_menu(
    page, live_server, live_db, make_user
):
    """An admin's menu in Spanish is longer than the row: it wraps within itself, and the
    quick exit stays level with the site's name instead of dropping to a row of its own."""
    sign_in(page, live_server, make_user("admin"), PASSWORD)
    page.goto(f"{live_server}/admin/forms?lang=es")
    brand = page.locator(".brand").bounding_box()
    leave = page.locator("#quick-exit").bounding_box()
    middle = lambda box: box["y"] + box["height"] / 2  # noqa: E731
    assert abs(middle(leave) - middle(brand)) < 2
    assert leave["x"] + leave["width"] > 1200  # at the end of the row


@pytest.mark.parametrize("zoned_page", ["Asia/Phnom_Penh"], indirect=True)
def test_a_moderator_edits_the_event_time_in_their_own_time(
    zoned_page, live_server, live_db, make_user, make_report
):
    page = zoned_page
    report = make_report("pending", occurred_at="2024-03-05T20:10:00+00:00")
    sign_in(page, live_server, make_user("moderator"), PASSWORD)
    page.goto(f"{live_server}/admin/reports/{report.reference}")
    # 20:10 UTC is 03:10 the next morning in Phnom Penh (UTC+7).
    assert page.input_value("#edit-occurred") == "2024-03-06T03:10"
    assert page.text_content("#edit-occurred-zone") == "(your time, Asia/Phnom_Penh)"
    # The page's other times are in the same zone, each with the UTC time as its title.
    assert page.text_content("#occurred") == "2024-03-06 03:10 (Asia/Phnom_Penh)"
    assert page.get_attribute("#occurred", "title") == "2024-03-05 20:10 UTC"
    received = report.received_at.astimezone(ZoneInfo("Asia/Phnom_Penh"))
    expected = f"{received:%Y-%m-%d %H:%M} (Asia/Phnom_Penh)"
    assert page.text_content("#received") == expected
    assert page.text_content("#history time") == expected
    page.fill("#edit-occurred", "2024-03-06T09:45")
    page.click("#save-edit")
    page.wait_for_selector("text=Saved.")
    # The page's script, last in the page, puts its times in the browser's zone and then
    # names that zone by the field: the message above can be drawn before it has run.
    page.wait_for_selector("#edit-occurred-zone:text('your time')")
    db.session.expire_all()
    stored = db.session.get(Report, report.id).occurred_at
    assert stored == datetime(2024, 3, 6, 2, 45, tzinfo=UTC)
    assert page.input_value("#edit-occurred") == "2024-03-06T09:45"
    assert page.text_content("#occurred") == "2024-03-06 09:45 (Asia/Phnom_Penh)"
