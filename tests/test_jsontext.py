"""JSON from clients nested deeper than Python reads (a few thousand brackets fit in any
request) is malformed JSON: each reader answers it with its 4xx, never a 500."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import select

from mapper.extensions import db
from mapper.models import Form, InboundMessage
from tests.conftest import count_rows
from tests.forms.test_manage import save as save_form

DEEP = "[" * 5000 + "]" * 5000


def test_a_report_nested_too_deep_is_a_400_naming_the_body(client):
    response = client.post("/api/v1/reports", data=DEEP, content_type="application/json")
    assert response.status_code == 400
    assert [e["field"] for e in response.get_json()["errors"]] == ["body"]
    assert count_rows("reports") == 0


def test_a_volunteer_meta_part_nested_too_deep_is_a_400_naming_it(client, make_user, login):
    login(make_user("volunteer"))
    response = client.post(
        "/volunteer/api/submissions",
        data={"meta": DEEP},
        headers={"Sec-Fetch-Site": "same-origin"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.get_json()["errors"]] == ["meta"]
    assert count_rows("reports") == 0


def test_a_frontlinesms_body_nested_too_deep_is_a_400(client):
    response = client.post("/sms/frontlinesms", data=DEEP, content_type="application/json")
    assert response.status_code == 400
    assert db.session.scalar(select(InboundMessage.id)) is None


@pytest.mark.parametrize("body", [DEEP, "[1, 2]", '"text"'])
def test_smssync_receipts_whose_body_is_no_json_object_are_refused(client, body):
    response = client.post(
        "/sms/smssync?task=sent&secret=smssync-test-secret",
        data=body,
        content_type="application/json",
    )
    assert response.status_code == 400


def test_form_fields_nested_too_deep_are_refused_and_nothing_is_made(client, make_user, login):
    login(make_user("admin"))
    response = save_form(client, "/admin/forms/create", fields=DEEP)
    assert response.status_code == 422
    assert "The fields are not valid JSON." in response.get_data(as_text=True)
    assert db.session.scalar(select(Form).where(Form.code == "PORT")) is None


def test_a_cursor_nested_too_deep_is_a_400_naming_it(client):
    cursor = base64.urlsafe_b64encode(b"[" * 2000).decode().rstrip("=")
    response = client.get(f"/api/v1/reports?cursor={cursor}")
    assert response.status_code == 400
    assert [e["field"] for e in response.get_json()["errors"]] == ["cursor"]
