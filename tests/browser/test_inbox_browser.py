"""The SMS inbox in a real browser: an unlocated message is placed on the map."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from mapper.channels.sms import service
from mapper.channels.sms.base import InboundSms
from mapper.extensions import db
from mapper.models import InboundMessage, Report
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_moderator_places_an_unlocated_message(app, page, live_server, live_db, make_user):
    moderator = make_user("moderator")
    with app.test_request_context():
        outcome = service.receive(
            InboundSms(
                "twilio",
                "SMbrowser",
                "+85512345678",
                None,
                "they keep us in a house, no address",
                datetime.now(UTC),
            )
        )
    db.session.commit()
    message = db.session.get(InboundMessage, outcome.inbound_id)
    assert message.status == "needs_location"

    sign_in(page, live_server, moderator, PASSWORD)
    page.goto(f"{live_server}/admin/inbox?status=needs_location")
    page.click(f"text={message.sender_key[:10]}")
    page.wait_for_selector(".locate-map.leaflet-container")
    page.click(".locate-map", position={"x": 150, "y": 100})
    assert page.input_value(".locate-form input[name=latitude]") != ""
    page.click("text=Place on the map")
    page.wait_for_selector("text=Saved.")

    db.session.expire_all()
    report_id = db.session.get(InboundMessage, message.id).report_id
    located = db.session.scalar(
        select(func.ST_AsText(Report.location)).where(Report.id == report_id)
    )
    assert located is not None and located.startswith("POINT(")
    assert db.session.get(InboundMessage, message.id).status == "parsed"
