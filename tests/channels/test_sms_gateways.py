"""SMS webhooks: each provider's request shape, authentication, exactly-once, replies."""

import json
import logging
import threading

import pytest
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from mapper.extensions import db
from mapper.models import InboundMessage, OutboundMessage, Report
from mapper.sample import load_places

PUBLIC = "https://mapper.example.org"
SENDER = "+855 12 345 678"
SENDER_E164 = "+85512345678"


def twilio_post(client, app, params, path="/sms/twilio", signature=None):
    if signature is None:
        validator = RequestValidator(app.config["MAPPER_TWILIO_AUTH_TOKEN"])
        signature = validator.compute_signature(PUBLIC + path, params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def twilio_params(sid="SM0001", body="Boys kept on a boat in Poipet", sender=SENDER):
    return {
        "MessageSid": sid,
        "AccountSid": "AC1",
        "From": sender,
        "To": "+15550001111",
        "Body": body,
        "NumMedia": "0",
    }


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_twilio_message_becomes_a_pending_report_and_a_twiml_reply(app, client, places):
    response = twilio_post(client, app, twilio_params())
    assert response.status_code == 200 and response.mimetype == "application/xml"
    text = response.get_data(as_text=True)
    report = db.session.scalar(select(Report))
    assert f"<Message>Received. Your reference is {report.reference}." in text
    assert (report.status, report.source, report.place_name) == ("pending", "sms", "Poipet")
    assert [c.slug for c in report.categories] == ["forced-labour-fishing"]
    assert report.contact.phone == SENDER_E164
    message = db.session.scalar(select(InboundMessage))
    assert (message.status, message.report_id) == ("parsed", report.id)
    assert SENDER_E164 not in (message.sender_key, message.body)


@pytest.mark.parametrize("signature", ["", "bm90IGEgc2lnbmF0dXJl"])
def test_twilio_without_a_valid_signature_is_refused(app, client, places, signature):
    response = twilio_post(client, app, twilio_params(), signature=signature)
    assert response.status_code == 403
    assert count(InboundMessage) == 0


def test_twilio_signature_is_checked_against_the_public_url(app, client, places):
    validator = RequestValidator(app.config["MAPPER_TWILIO_AUTH_TOKEN"])
    wrong_url = validator.compute_signature("http://localhost/sms/twilio", twilio_params())
    assert twilio_post(client, app, twilio_params(), signature=wrong_url).status_code == 403
    with_port = validator.compute_signature(PUBLIC + ":443/sms/twilio", twilio_params())
    assert twilio_post(client, app, twilio_params(), signature=with_port).status_code == 200


def test_a_replayed_signed_request_stores_one_message_and_replies_once(app, client, places):
    first = twilio_post(client, app, twilio_params())
    again = twilio_post(client, app, twilio_params())
    assert "<Message>" in first.get_data(as_text=True)
    assert "<Message>" not in again.get_data(as_text=True) and again.status_code == 200
    assert (count(InboundMessage), count(Report)) == (1, 1)


def test_same_text_again_under_a_new_id_is_kept_and_flagged(app, client, places):
    twilio_post(client, app, twilio_params(sid="SM1"))
    twilio_post(client, app, twilio_params(sid="SM2"))
    flags = db.session.scalars(
        select(InboundMessage.probable_duplicate).order_by(InboundMessage.id)
    ).all()
    assert flags == [False, True] and count(Report) == 2


def test_six_concurrent_deliveries_make_one_message_one_report(app, live_db):
    load_places()
    db.session.commit()
    barrier = threading.Barrier(6)
    statuses = []

    def deliver():
        client = app.test_client()
        barrier.wait()
        statuses.append(twilio_post(client, app, twilio_params(sid="SMrace")).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 6
    assert (count(InboundMessage), count(Report)) == (1, 1)


def test_help_marks_the_report_urgent_and_lists_nearby_services(app, client, places):
    response = twilio_post(client, app, twilio_params(body="HELP locked in room Poipet"))
    text = response.get_data(as_text=True)
    assert "Help nearby: Sample shelter Poipet" in text
    assert db.session.scalar(select(Report.urgent)) is True


def test_help_without_a_place_gives_the_national_hotline(app, client, places):
    app.config["MAPPER_DEFAULT_COUNTRY"] = "KH"
    try:
        text = twilio_post(client, app, twilio_params(body="help")).get_data(as_text=True)
    finally:
        app.config["MAPPER_DEFAULT_COUNTRY"] = None
    assert "1288" in text
    assert db.session.scalar(select(InboundMessage.status)) == "needs_location"


def test_status_answers_with_the_public_status(app, client, places, make_report):
    report = make_report("published")
    text = twilio_post(client, app, twilio_params(body=f"STATUS {report.reference}")).get_data(
        as_text=True
    )
    assert f"Report {report.reference} is published on the map." in text
    assert count(Report) == 1


def test_replies_are_in_the_senders_language(app, client, places):
    spanish = twilio_post(
        client, app, twilio_params(sid="S1", body="hay niños en Medellín")
    ).get_data(as_text=True)
    khmer = twilio_post(client, app, twilio_params(sid="S2", body="មានកុមារនៅភ្នំពេញ")).get_data(
        as_text=True
    )
    assert "Recibido" in spanish and "ទទួល" in khmer


@pytest.mark.parametrize(
    "body",
    [
        "",
        "x" * 2000,
        "😀😀😀",
        "ช่วยด้วย มีเด็กทำงาน",
        "ជួយផង",
        "price €100 [x] {y} ^~|\\",
        "\x00\x01 bad bytes",
    ],
)
def test_awkward_messages_are_kept_never_a_500(app, client, places, body):
    response = twilio_post(client, app, twilio_params(body=body))
    assert response.status_code == 200
    assert count(InboundMessage) == 1
    message = db.session.scalar(select(InboundMessage))
    assert message.body == body.replace("\x00", "\ufffd")
    assert message.status in ("parsed", "needs_location") and count(Report) == 1


def test_smssync_inbound_reply_and_delivery_receipt(app, client, places):
    form = {
        "secret": "smssync-test-secret",
        "from": SENDER,
        "message": "boat in Poipet",
        "message_id": "m-1",
        "sent_timestamp": "1735689600000",
        "sent_to": "+85599000000",
        "device_id": "phone-1",
    }
    body = client.post("/sms/smssync", data=form).get_json()
    assert body["payload"]["success"] is True and body["payload"]["task"] == "send"
    [queued] = body["payload"]["messages"]
    assert queued["to"] == SENDER_E164 and "Received" in queued["message"]
    message = db.session.scalar(select(InboundMessage))
    assert message.sent_at.year == 2025
    polled = client.get("/sms/smssync?task=send&secret=smssync-test-secret").get_json()
    assert polled["payload"]["messages"] == [queued]
    assert "smssync-test-secret" not in str(polled)
    sent = client.post(
        "/sms/smssync?task=sent&secret=smssync-test-secret",
        json={"queued_messages": [queued["uuid"]]},
    ).get_json()
    assert sent == {"queued_messages": [queued["uuid"]]}
    assert db.session.scalar(select(OutboundMessage.status)) == "sent"


def test_smssync_seconds_instead_of_milliseconds(app, client, places):
    client.post(
        "/sms/smssync",
        data={
            "secret": "smssync-test-secret",
            "from": SENDER,
            "message": "hi",
            "sent_timestamp": "1735689600",
        },
    )
    assert db.session.scalar(select(InboundMessage.sent_at)).year == 2025


@pytest.mark.parametrize(
    "form, status",
    [
        ({"secret": "wrong", "from": SENDER, "message": "x"}, 403),
        ({"from": SENDER, "message": "x"}, 403),
        ({"secret": "smssync-test-secret", "message": "x"}, 400),
        ({"secret": "smssync-test-secret", "from": SENDER}, 400),
    ],
)
def test_smssync_refusals(client, places, form, status):
    assert client.post("/sms/smssync", data=form).status_code == status
    assert count(InboundMessage) == 0


def test_smssync_polling_needs_the_secret(client):
    assert client.get("/sms/smssync?task=send").status_code == 403


def test_frontlinesms_json_and_form(client, places):
    json_reply = client.post(
        "/sms/frontlinesms",
        json={"secret": "frontline-test-secret", "from": SENDER, "message": "boat", "id": "f-1"},
    )
    form_reply = client.post(
        "/sms/frontlinesms",
        data={"secret": "frontline-test-secret", "from": SENDER, "message": "boat again"},
    )
    assert json_reply.get_json()["payload"]["messages"][0]["to"] == SENDER
    assert form_reply.status_code == 200 and count(InboundMessage) == 2
    assert (
        client.post(
            "/sms/frontlinesms", json={"secret": "no", "from": SENDER, "message": "x"}
        ).status_code
        == 403
    )


def frontline_json(**changes) -> bytes:
    """A FrontlineSMS JSON body written out by hand: JSON's escapes can carry a half of a
    surrogate pair, which no encoder of real text writes."""
    values = {"secret": "frontline-test-secret", "from": SENDER, "message": "boat", **changes}
    return json.dumps(values).encode()


def test_a_text_holding_what_postgresql_cannot_keep_is_kept_with_a_stand_in(client, places):
    response = client.post(
        "/sms/frontlinesms",
        data=frontline_json(message="boat \ud800 in Poipet \x00", id="f-2"),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert db.session.scalar(select(InboundMessage.body)) == "boat \ufffd in Poipet \ufffd"
    assert count(Report) == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"from": "\ud800"},
        {"to": "12\x0034"},
        {"id": "f-\x00"},
        {"id": "f-\udc00"},
        {"secret": "\ud800"},
    ],
)
def test_senders_recipients_and_ids_that_cannot_be_stored_are_refused(client, places, changes):
    response = client.post(
        "/sms/frontlinesms", data=frontline_json(**changes), content_type="application/json"
    )
    assert response.status_code == (403 if "secret" in changes else 400)
    assert count(InboundMessage) == 0 and count(Report) == 0


def test_smssync_receipts_naming_ids_that_cannot_be_stored_are_refused(client):
    response = client.post(
        "/sms/smssync?task=sent&secret=smssync-test-secret",
        json={"queued_messages": ["\x00"]},
    )
    assert response.status_code == 400


def test_africastalking_token_in_the_path(client, places):
    form = {
        "from": SENDER,
        "to": "21525",
        "text": "boat Poipet",
        "date": "2025-01-01 10:00:00",
        "id": "at-1",
        "linkId": "link-1",
    }
    assert client.post("/sms/africastalking/wrong-token", data=form).status_code == 403
    assert client.post("/sms/africastalking", data=form).status_code == 404
    response = client.post("/sms/africastalking/africastalking-test-token", data=form)
    assert response.status_code == 200
    assert db.session.scalar(select(OutboundMessage.status)) == "queued"


def test_unknown_or_unconfigured_gateways_answer_404(app, client):
    assert client.post("/sms/carrier-pigeon", data={}).status_code == 404
    app.config["MAPPER_SMSSYNC_SECRET"] = None
    try:
        assert client.post("/sms/smssync", data={}).status_code == 404
    finally:
        app.config["MAPPER_SMSSYNC_SECRET"] = "smssync-test-secret"


def test_database_down_gets_503_so_the_gateway_retries(app, tmp_path):
    from mapper import create_app

    down = create_app(
        {
            **{k: v for k, v in app.config.items() if k.startswith("MAPPER_")},
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://nobody@/none?host={tmp_path}&port=1",
        }
    )
    response = twilio_post(down.test_client(), down, twilio_params())
    assert response.status_code == 503


def test_the_webhook_flow_logs_no_number_and_no_text(app, client, places, caplog):
    caplog.set_level(logging.DEBUG)
    body = "HELP they took our passports near Poipet"
    twilio_post(client, app, twilio_params(sid="L1", body=body))
    twilio_post(client, app, twilio_params(sid="L1", body=body))
    client.post("/sms/smssync", data={"secret": "wrong", "from": SENDER, "message": body})
    client.post(
        "/sms/smssync", data={"secret": "smssync-test-secret", "from": SENDER, "message": body}
    )
    for secret in (SENDER, SENDER_E164, "12345678", body, "passports"):
        assert secret not in caplog.text
