"""The public map in a real browser: published reports only, at public locations, escaped."""

import pytest
from sqlalchemy import func, select

from mapper.extensions import db
from mapper.models import Report

pytestmark = pytest.mark.browser
HOSTILE = '<img src=x onerror="window.__xss = 1"><script>window.__xss = 2</script>'


def test_map_shows_published_reports_at_public_locations_only(
    page, live_server, live_db, make_report
):
    published = make_report(
        "published", title=HOSTILE, description=HOSTILE, latitude=11.5564, longitude=104.9282
    )
    make_report("pending", title="Pending must not show", latitude=11.6, longitude=104.9)
    make_report("rejected", title="Rejected must not show", latitude=11.5, longitude=104.8)
    public = db.session.execute(
        select(func.ST_Y(Report.public_location), func.ST_X(Report.public_location)).where(
            Report.id == published.id
        )
    ).one()

    page.goto(f"{live_server}/")
    page.wait_for_selector("#map[data-loaded]")
    assert page.get_attribute("#map", "data-loaded") == "1"
    markers = page.evaluate("""() => {
        const found = [];
        window.mapperPublicMap.cluster.eachLayer(m => found.push(
            [m.getLatLng().lat, m.getLatLng().lng, m.feature.properties.title]));
        return found;
    }""")
    assert markers == [[public[0], public[1], HOSTILE]]
    assert (public[0], public[1]) != (11.5564, 104.9282)

    page.evaluate("""() => {
        const m = window.mapperPublicMap.cluster.getLayers()[0];
        window.mapperPublicMap.map.setView(m.getLatLng(), 16);
        m.openPopup();
    }""")
    popup = page.wait_for_selector(".report-popup")
    assert popup.query_selector("h3").text_content() == HOSTILE
    assert popup.query_selector("img") is None and popup.query_selector("script") is None
    assert page.evaluate("window.__xss") is None
    assert "Pending must not show" not in page.content()
