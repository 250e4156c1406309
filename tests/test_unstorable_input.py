"""Input PostgreSQL cannot keep (NUL anywhere; halves of surrogate pairs, which JSON's escapes
can carry; ids past its integers) gets a 4xx naming where it was, never a 500, and changes
nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from mapper.extensions import db
from mapper.models import Form, Report
from tests.channels.test_volunteer import SAME_SITE, meta
from tests.channels.test_volunteer import post as post_filled_form
from tests.conftest import count_rows, csrf_token_from
from tests.forms.test_manage import FIELDS
from tests.forms.test_manage import save as save_form


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/reports/R%00",
        "/admin/reports/R%00",
        "/ogc/collections/reports/items/R%00",
        "/openrosa/forms/FR%00.xml",
        "/volunteer/forms/FR%00",
    ],
)
def test_an_address_holding_nul_finds_nothing(client, make_user, login, path):
    login(make_user("admin"))
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "url, field",
    [
        ("/api/v1/reports?q=boat%00", "q"),
        ("/api/v1/reports?category=forced-labour%00", "category"),
        ("/api/v1/histogram?bbox=1,2,3,4&source=%00", "source"),
        ("/ogc/collections/reports/items?datetime=%00", "datetime"),
        ("/exports/reports.csv?to=%00", "to"),
        ("/?q=%00", "q"),
    ],
)
def test_a_parameter_holding_nul_is_named(client, url, field):
    response = client.get(url, headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == [field]


def test_an_edit_holding_nul_is_refused_and_changes_nothing(client, make_user, login, make_report):
    report = make_report("pending", title="Boat crew held")
    login(make_user("moderator"))
    token = csrf_token_from(client.get(f"/admin/reports/{report.reference}").get_data(as_text=True))
    response = client.post(
        f"/admin/reports/{report.reference}/edit",
        data={"csrf_token": token, "version": report.version, "title": "Boat\x00crew",
              "description": report.description, "categories": "forced-labour"},
        headers={"Accept": "application/json"},
    )  # fmt: skip
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["title"]
    db.session.expire_all()
    stored = db.session.get(Report, report.id)
    assert (stored.title, stored.version) == ("Boat crew held", report.version)


def test_a_sign_in_holding_nul_is_refused(client, make_user):
    token = csrf_token_from(client.get("/auth/login").get_data(as_text=True))
    response = client.post(
        "/auth/login",
        data={"csrf_token": token, "email": "a\x00@example.org", "password": "x"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "email"


# What the refusal shows: the error page's line for a form field, the builder's for a part of
# the definition.
@pytest.mark.parametrize(
    "changes, shown",
    [
        ({"name_en": "Port\x00check"}, "name_en: Contains characters that are not allowed."),
        (
            {"fields": json.dumps([{**FIELDS[0], "label": {"en": "Boat \x00"}}])},
            'data-error-for="fields[0].label"',
        ),
        (
            {"fields": json.dumps([{**FIELDS[0], "hint": {"en": "\ud800"}}])},
            'data-error-for="fields[0].hint"',
        ),
    ],
)
def test_a_form_definition_holding_them_is_refused(client, make_user, login, changes, shown):
    login(make_user("admin"))
    before = count_rows("forms")
    response = save_form(client, "/admin/forms/create", **changes)
    assert response.status_code == 422
    assert shown in response.get_data(as_text=True)
    assert count_rows("forms") == before
    assert db.session.scalar(select(Form).where(Form.code == "PORT")) is None


@pytest.mark.parametrize(
    "changes, status",
    [({"form": "FR\x00"}, 404), ({"form": "\ud800"}, 404), ({"language": "\ud800"}, 422)],
)
def test_a_filled_form_holding_them_is_refused(client, make_user, login, changes, status):
    login(make_user("volunteer"))
    before = count_rows("reports")
    response = post_filled_form(client, meta(**changes), headers=SAME_SITE)
    assert response.status_code == status
    assert count_rows("reports") == before


@pytest.mark.parametrize(
    "path",
    [
        "/admin/inbox/messages/99999999999999999999/locate",
        "/admin/partners/tokens/99999999999999999999/revoke",
        "/admin/partners/webhooks/99999999999999999999/disable",
    ],
)
def test_an_id_no_row_can_have_finds_nothing(client, make_user, login, path):
    login(make_user("admin"))
    token = csrf_token_from(client.get("/admin/partners").get_data(as_text=True))
    assert client.post(path, data={"csrf_token": token}).status_code == 404
