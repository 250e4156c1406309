"""The SMS inbox: conversations, masked numbers, placing unlocated messages, replies."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from mapper.channels.sms import service
from mapper.channels.sms.base import InboundSms
from mapper.extensions import db
from mapper.models import InboundMessage, OutboundMessage, Report
from tests.conftest import csrf_token_from

PHONE = "+85512345678"


@pytest.fixture
def unlocated(app, db_session):
    with app.test_request_context():
        outcome = service.receive(
            InboundSms(
                "twilio",
                "SMinbox",
                PHONE,
                "+15550001111",
                "workers locked in, no place given",
                datetime.now(UTC),
            )
        )
    db.session.commit()
    return db.session.get(InboundMessage, outcome.inbound_id)


def test_moderators_see_the_number_analysts_a_masked_one(client, make_user, login, unlocated):
    login(make_user("analyst"))
    html = client.get(f"/admin/inbox/{unlocated.sender_key}").get_data(as_text=True)
    assert PHONE not in html and "+855******78" in html
    assert 'id="reply-form"' not in html and "locate-form" not in html
    login(make_user("moderator"))
    html = client.get(f"/admin/inbox/{unlocated.sender_key}").get_data(as_text=True)
    assert PHONE in html and 'id="reply-form"' in html and "locate-form" in html


def test_inbox_lists_conversations_needing_a_location(client, make_user, login, unlocated):
    login(make_user("moderator"))
    html = client.get("/admin/inbox?status=needs_location").get_data(as_text=True)
    assert unlocated.sender_key[:10] in html and "Needs location" in html
    assert unlocated.sender_key[:10] not in client.get("/admin/inbox?status=failed").get_data(
        as_text=True
    )


def test_placing_a_message_gives_its_report_a_location(client, make_user, login, unlocated):
    login(make_user("moderator"))
    page = client.get(f"/admin/inbox/{unlocated.sender_key}").get_data(as_text=True)
    report = db.session.get(Report, unlocated.report_id)
    response = client.post(
        f"/admin/inbox/messages/{unlocated.id}/locate",
        data={
            "csrf_token": csrf_token_from(page),
            "version": report.version,
            "latitude": "13.6593",
            "longitude": "102.5635",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    lat = db.session.scalar(select(func.ST_Y(Report.location)).where(Report.id == report.id))
    assert lat == 13.6593
    assert db.session.get(InboundMessage, unlocated.id).status == "parsed"


def test_placing_without_a_point_is_refused(client, make_user, login, unlocated):
    login(make_user("moderator"))
    page = client.get(f"/admin/inbox/{unlocated.sender_key}").get_data(as_text=True)
    response = client.post(
        f"/admin/inbox/messages/{unlocated.id}/locate",
        data={"csrf_token": csrf_token_from(page), "version": "1"},
    )
    assert response.status_code == 422


def test_a_reply_is_queued_for_the_senders_gateway(client, make_user, login, unlocated):
    login(make_user("moderator"))
    page = client.get(f"/admin/inbox/{unlocated.sender_key}").get_data(as_text=True)
    response = client.post(
        f"/admin/inbox/{unlocated.sender_key}/reply",
        data={"csrf_token": csrf_token_from(page), "text": "Are you safe now?"},
    )
    assert response.status_code == 302
    queued = db.session.scalar(select(OutboundMessage))
    assert (queued.provider, queued.body, queued.status) == (
        "twilio",
        "Are you safe now?",
        "queued",
    )


def test_urgent_reports_come_first_in_the_queue(app, client, make_user, login, make_report):
    make_report("pending", title="Ordinary report")
    with app.test_request_context():
        service.receive(
            InboundSms("twilio", "SMhelp", PHONE, None, "HELP they hit us", datetime.now(UTC))
        )
    db.session.commit()
    login(make_user("moderator"))
    html = client.get("/admin/reports").get_data(as_text=True)
    assert html.index("HELP they hit us") < html.index("Ordinary report")
    assert 'class="urgent"' in html


def test_inbox_filter_for_repeated_messages(app, client, make_user, login):
    with app.test_request_context():
        repeated = [
            service.receive(InboundSms("twilio", sid, PHONE, None, "same words", datetime.now(UTC)))
            for sid in ("SMa", "SMb")
        ]
        single = service.receive(
            InboundSms("twilio", "SMc", "+85512345699", None, "only once", datetime.now(UTC))
        )
    db.session.commit()
    keys = {
        o.inbound_id: db.session.get(InboundMessage, o.inbound_id).sender_key
        for o in (*repeated, single)
    }
    login(make_user("moderator"))
    table = (
        client.get("/admin/inbox?status=duplicate")
        .get_data(as_text=True)
        .split('id="conversations"')[1]
    )
    assert keys[repeated[0].inbound_id][:10] in table
    assert keys[single.inbound_id][:10] not in table
