"""Logs carry no phone numbers, emails, names, report text or coordinates, even on errors."""

import logging

from tests.conftest import csrf_token_from

PHONE, EMAIL, NAME = "+855 12 345 678", "private.person@example.org", "Private Person"
TEXT = "Girls locked in the back room of the Golden Karaoke"
SECRETS = (PHONE, "85512345678", "12345678", EMAIL, NAME, TEXT, "13.654321", "102.123456")


BODY = {
    "title": TEXT,
    "description": TEXT,
    "location": {"lat": 13.654321, "lon": 102.123456},
    "contact": {"name": NAME, "phone": PHONE, "email": EMAIL},
}


def test_nothing_private_reaches_the_logs(app, client, caplog):
    caplog.set_level(logging.DEBUG)
    body = BODY
    assert client.post("/api/v1/reports", json=body).status_code == 201
    assert client.post("/api/v1/reports", json={**body, "categories": ["x"]}).status_code == 422
    assert (
        client.post("/api/v1/reports", data=TEXT, content_type="application/json").status_code
        == 400
    )
    token = csrf_token_from(client.get("/report").get_data(as_text=True))
    client.post(
        "/report",
        data={
            "csrf_token": token,
            "title": TEXT,
            "contact_phone": PHONE,
            "contact_email": EMAIL,
            "latitude": "13.654321",
            "longitude": "102.123456",
        },
    )
    for secret in SECRETS:
        assert secret not in caplog.text


def test_database_errors_are_logged_without_the_submission(caplog, tmp_path):
    from mapper import create_app

    caplog.set_level(logging.DEBUG)
    down = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://nobody@/none?host={tmp_path}&port=1",
        }
    )
    assert down.test_client().post("/api/v1/reports", json=BODY).status_code == 503
    assert any(record.levelno >= logging.ERROR for record in caplog.records)
    for secret in SECRETS:
        assert secret not in caplog.text
