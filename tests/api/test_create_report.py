"""POST /api/v1/reports: the happy path, every kind of bad input, and safe retries."""

import json
import threading

import pytest
from sqlalchemy import select

from mapper.extensions import db
from mapper.models import Report, ReporterContact
from tests.conftest import count_rows

HOSTILE = ['<script>alert("x")</script>', '<img src=x onerror="alert(1)">']
VALID = {
    "title": "Workers locked in a factory",
    "description": "The gate is locked from outside at night.",
    "occurred_at": "2025-03-14T21:30:00+07:00",
    "location": {"lat": 11.5564, "lon": 104.9282},
    "categories": ["forced-labour-factory"],
}


def post(client, body, **kwargs):
    if not isinstance(body, str | bytes):
        body = json.dumps(body)
    kwargs.setdefault("content_type", "application/json")
    return client.post("/api/v1/reports", data=body, **kwargs)


def assert_nothing_stored():
    assert count_rows("reports") == 0
    assert count_rows("reporter_contacts") == 0
    assert count_rows("report_categories") == 0


def test_valid_report_is_created_pending(client):
    response = post(client, {**VALID, "contact": {"phone": "+52 55 1234 5678"}})
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"id", "reference", "status"} and body["status"] == "pending"
    report = db.session.get(Report, body["id"])
    assert report.reference == body["reference"] and report.source == "api"
    assert db.session.scalar(select(ReporterContact.phone)) == "+525512345678"


def test_geojson_point_is_accepted(client):
    body = {**VALID, "location": {"type": "Point", "coordinates": [104.9282, 11.5564]}}
    assert post(client, body).status_code == 201


@pytest.mark.parametrize(
    "change, field",
    [
        ({"location": {"lat": 91, "lon": 0}}, "location.lat"),
        ({"location": {"lat": 0, "lon": -181}}, "location.lon"),
        ({"location": {"lat": "north", "lon": 0}}, "location.lat"),
        ({"location": {"lat": 10}}, "location.lon"),
        ({"location": {"type": "Point", "coordinates": [1]}}, "location"),
        ({"location": [1, 2]}, "location"),
        ({"title": None}, "title"),
        ({"description": "x" * 10_001}, "description"),
        ({"categories": ["smuggling-of-unicorns"]}, "categories"),
        ({"occurred_at": "2999-01-01T00:00:00Z"}, "occurred_at"),
        ({"occurred_at": "last Tuesday"}, "occurred_at"),
        ({"contact": {"phone": "555-0199"}}, "contact.phone"),
        ({"contact": {"email": "nobody"}}, "contact.email"),
        ({"contact": "call me"}, "contact"),
        ({"colour": "red"}, "colour"),
        # Half a surrogate pair (JSON's escapes can carry one; UTF-8 cannot) and NUL.
        ({"title": "Boat \ud800"}, "title"),
        ({"description": "a\x00b"}, "description"),
        ({"place_name": "\udc00"}, "place_name"),
        ({"contact": {"name": "\ud83d"}}, "contact.name"),
    ],
)
def test_invalid_data_gets_422_naming_the_field_and_stores_nothing(client, change, field):
    body = {**VALID, **change}
    if change.get("title", "") is None:
        body.pop("title")
    response = post(client, body)
    assert response.status_code == 422
    assert field in [error["field"] for error in response.get_json()["errors"]]
    assert_nothing_stored()


@pytest.mark.parametrize(
    "literal, field",
    [("NaN", "location.lat"), ("Infinity", "location.lon"), ("-Infinity", "location.lat")],
)
def test_non_finite_json_numbers_are_refused(client, literal, field):
    lat, lon = (literal, "1") if field.endswith("lat") else ("1", literal)
    raw = f'{{"title": "t", "location": {{"lat": {lat}, "lon": {lon}}}}}'
    response = post(client, raw)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == field
    assert_nothing_stored()


@pytest.mark.parametrize("raw", ['{"title": "x"', "not json", "", '["a list"]', "\xff\xfe"])
def test_malformed_json_gets_400(client, raw):
    response = post(client, raw.encode("latin-1"))
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] == "body"
    assert_nothing_stored()


def test_body_over_one_mebibyte_gets_413(client):
    response = post(client, json.dumps({**VALID, "description": "x" * (2 * 1024 * 1024)}))
    assert response.status_code == 413
    assert response.get_json()["errors"][0]["field"] == "body"
    assert_nothing_stored()


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
def test_wrong_content_type_gets_415(client, content_type):
    response = post(client, json.dumps(VALID), content_type=content_type)
    assert response.status_code == 415
    assert response.get_json()["errors"][0]["field"] == "Content-Type"
    assert_nothing_stored()


def test_hostile_text_is_stored_exactly_as_written(client):
    for text in HOSTILE:
        body = {
            **VALID,
            "title": text,
            "description": text,
            "place_name": text,
            "contact": {"name": text},
        }
        reference = post(client, body).get_json()["reference"]
        report = db.session.scalar(select(Report).where(Report.reference == reference))
        assert (report.title, report.description, report.place_name) == (text, text, text)
        assert report.contact.name == text


def test_retry_with_the_same_idempotency_key_returns_the_first_result(client):
    first = post(client, VALID, headers={"Idempotency-Key": "retry-1"})
    second = post(client, VALID, headers={"Idempotency-Key": "retry-1"})
    assert first.status_code == second.status_code == 201
    assert first.get_json() == second.get_json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert count_rows("reports") == 1


def test_a_keyed_retry_holding_half_a_surrogate_pair_is_refused_like_any_other(client):
    for _attempt in range(2):
        body = {**VALID, "language": "\ud800"}
        response = post(client, body, headers={"Idempotency-Key": "odd-1"})
        assert response.status_code == 422
        assert response.get_json()["errors"][0]["field"] == "language"
    assert_nothing_stored()


def test_same_key_with_a_different_body_is_refused(client):
    post(client, VALID, headers={"Idempotency-Key": "retry-2"})
    response = post(client, {**VALID, "title": "Other"}, headers={"Idempotency-Key": "retry-2"})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "Idempotency-Key"
    assert count_rows("reports") == 1


def test_ten_concurrent_requests_with_one_key_store_one_report(app, live_db):
    barrier = threading.Barrier(10)
    results = []

    def send():
        client = app.test_client()
        barrier.wait()
        response = post(client, VALID, headers={"Idempotency-Key": "concurrent-1"})
        results.append((response.status_code, response.get_json()["reference"]))

    threads = [threading.Thread(target=send) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 10
    assert {status for status, _ in results} == {201}
    assert len({reference for _, reference in results}) == 1
    assert count_rows("reports") == 1


def test_database_down_gets_503_and_never_a_false_success(database_url, tmp_path):
    from mapper import create_app

    down = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://nobody@/none?host={tmp_path}&port=1",
        }
    )
    response = down.test_client().post("/api/v1/reports", json=VALID)
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert "Traceback" not in response.get_data(as_text=True)
