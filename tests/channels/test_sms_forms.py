"""Compact form reports by SMS from registered volunteer numbers."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from mapper.auth.accounts import set_phone
from mapper.extensions import db
from mapper.models import InboundMessage, Report
from tests.channels.test_sms_gateways import twilio_params, twilio_post

PHONE = "+855 97 765 4321"


@pytest.fixture
def volunteer(db_session, make_user):
    user = make_user("volunteer")
    set_phone(user, PHONE)
    db.session.commit()
    return user


def text(client, app, body: str, sid: str = "SM-form-1", sender: str = PHONE) -> str:
    response = twilio_post(client, app, twilio_params(sid=sid, body=body, sender=sender))
    assert response.status_code == 200
    return re.search(r"<Message>(.*)</Message>", response.get_data(as_text=True), re.S).group(1)


MESSAGE = (
    "FR title=Crew kept on board; what_happened=Passports held by the captain; "
    "location=Poipet; categories=forced_labour,debt_bondage; people_seen=7; minors_seen=no"
)


def test_a_registered_volunteer_texts_a_form_and_gets_a_reference(app, client, places, volunteer):
    reply = text(client, app, MESSAGE)
    report = db.session.scalar(select(Report).where(Report.submitted_by_id == volunteer.id))
    assert f"Your reference is {report.reference}" in reply
    assert (report.source, report.title, report.status) == ("sms", "Crew kept on board", "pending")
    assert report.custom_answers["form"] == "FR"
    assert report.custom_answers["answers"]["people_seen"] == 7
    assert report.custom_answers["answers"]["minors_seen"] is False
    assert sorted(c.slug for c in report.categories) == ["debt-bondage", "forced-labour"]
    lat, lon = db.session.execute(
        select(func.ST_Y(Report.location), func.ST_X(Report.location)).where(Report.id == report.id)
    ).one()
    assert (round(lat, 1), round(lon, 1)) == (13.7, 102.6)  # Poipet, from the gazetteer
    message = db.session.scalar(select(InboundMessage).where(InboundMessage.report_id == report.id))
    assert message.status == "parsed"


def test_coordinates_and_a_gateway_retry(app, client, places, volunteer):
    body = "fr title=Night shift; what_happened=Gate locked; location=11.5564, 104.9282"
    first = text(client, app, body, sid="SM-form-2")
    again = twilio_post(client, app, twilio_params(sid="SM-form-2", body=body, sender=PHONE))
    assert "reference" in first and again.status_code == 200
    assert (
        db.session.scalar(
            select(func.count(Report.id)).where(Report.submitted_by_id == volunteer.id)
        )
        == 1
    )


@pytest.mark.parametrize(
    "body, expected",
    [
        (
            "FR title=Seen; what_happened=x; people_seen=many",
            "people_seen: Must be a whole number.",
        ),
        ("FR title=Seen; people_seen=3", "what_happened: This field is required."),
        ("FR title=Seen; what_happened=x; location=Atlantis", "location: Must be a point"),
        ("FR title=Seen; what_happened=x; colour=red", "colour: This form has no such field."),
        ("FR title=Seen; what_happened x", "Write field=value."),
    ],
)
def test_a_wrong_answer_is_answered_with_what_was_wrong(
    app, client, places, volunteer, body, expected
):
    reply = text(client, app, body, sid=f"SM-{abs(hash(body))}")
    assert reply.startswith("FR not sent.")
    assert expected in reply
    assert (
        db.session.scalar(
            select(func.count(Report.id)).where(Report.submitted_by_id == volunteer.id)
        )
        == 0
    )
    message = db.session.scalar(select(InboundMessage).order_by(InboundMessage.id.desc()))
    assert message.status == "failed" and message.body == body


def test_an_unregistered_number_is_read_as_a_free_text_report(app, client, places, volunteer):
    reply = text(client, app, MESSAGE, sid="SM-stranger", sender="+855 12 999 888")
    report = db.session.scalar(select(Report).order_by(Report.id.desc()))
    assert "reference" in reply
    assert report.submitted_by_id is None and report.custom_answers == {}
    assert report.description == MESSAGE


def test_volunteer_phones_are_checked_and_set_from_the_command_line(
    app, db_session, volunteer, make_user
):
    other = make_user("volunteer")
    runner = app.test_cli_runner()
    taken = runner.invoke(args=["set-phone", "--email", other.email, "--phone", PHONE])
    assert taken.exit_code == 1 and "Another account has this number" in taken.output
    bad = runner.invoke(args=["set-phone", "--email", other.email, "--phone", "12"])
    assert bad.exit_code == 1 and "phone" in bad.output
    done = runner.invoke(args=["set-phone", "--email", other.email, "--phone", "+66 81 234 5678"])
    assert done.exit_code == 0, done.output
    db.session.refresh(other)
    assert other.phone == "+66812345678"
