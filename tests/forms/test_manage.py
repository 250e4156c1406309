"""The form builder at /admin/forms: forms made and edited by admins, versioned on change."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from mapper.extensions import db
from mapper.forms import service
from mapper.models import Form
from tests.conftest import csrf_token_from

FIELDS = [
    {
        "name": "boat",
        "type": "text",
        "label": {"en": "Boat name", "es": "Nombre del barco"},
        "required": True,
        "maps_to": "title",
    },
    {"name": "crew", "type": "integer", "label": {"en": "Crew on board"}},
    {
        "name": "flag",
        "type": "select_one",
        "label": {"en": "Flag"},
        "choices": [
            {"value": "kh", "label": {"en": "Cambodia"}},
            {"value": "th", "label": {"en": "Thailand"}},
        ],
    },
]


@pytest.fixture
def admin(make_user, login):
    user = make_user("admin")
    login(user)
    return user


def save(client, path: str, **changes):
    token = csrf_token_from(client.get("/admin/forms/new").get_data(as_text=True))
    data = {
        "csrf_token": token,
        "code": "PORT",
        "name_en": "Port check",
        "name_es": "Control de puerto",
        "audience": "volunteers",
        "needs_approval": "on",
        "active": "on",
        "volunteers": "",
        "fields": json.dumps(FIELDS),
        **changes,
    }
    return client.post(path, data=data)


def test_an_admin_builds_a_form_and_edits_make_new_versions(client, admin):
    created = save(client, "/admin/forms/create")
    assert created.status_code == 302
    form = db.session.scalar(select(Form).where(Form.code == "PORT"))
    assert form.names == {"en": "Port check", "es": "Control de puerto"}
    assert [v.number for v in form.versions] == [1]

    # Saving the same fields again changes settings only.
    assert save(client, "/admin/forms/PORT/save", name_en="Port visit").status_code == 302
    db.session.refresh(form)
    assert form.name("en") == "Port visit" and [v.number for v in form.versions] == [1]

    changed = FIELDS + [
        {"name": "notes", "type": "long_text", "label": {"en": "Notes"}, "private": True}
    ]
    assert save(client, "/admin/forms/PORT/save", fields=json.dumps(changed)).status_code == 302
    db.session.refresh(form)
    assert [v.number for v in form.versions] == [1, 2]
    assert [f["name"] for f in form.versions[0].fields] == ["boat", "crew", "flag"]
    assert client.get("/admin/forms").get_data(as_text=True).count("PORT") >= 1


def test_answers_to_an_earlier_version_stay_valid_against_it(client, admin, make_user, login):
    save(client, "/admin/forms/create")
    renamed = [dict(FIELDS[0], name="vessel")] + FIELDS[1:]
    save(client, "/admin/forms/PORT/save", fields=json.dumps(renamed))
    login(make_user("volunteer"))
    meta = {
        "form": "PORT",
        "version": 1,
        "instance_id": str(uuid.uuid4()),
        "answers": {"boat": "Sea Star 7", "crew": "12", "flag": "th"},
    }
    response = client.post(
        "/volunteer/api/submissions",
        data={"meta": json.dumps(meta)},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    meta["version"], meta["instance_id"] = 2, str(uuid.uuid4())
    stale = client.post(
        "/volunteer/api/submissions",
        data={"meta": json.dumps(meta)},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert "answers.boat" in [e["field"] for e in stale.get_json()["errors"]]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"code": "p"}, "code"),
        ({"code": "FR"}, "code"),
        ({"name_en": ""}, "name_en"),
        ({"audience": "everyone"}, "audience"),
        ({"volunteers": "nobody@example.org"}, "volunteers"),
        ({"fields": "[]"}, "fields"),
        ({"fields": "{not json"}, "fields"),
        (
            {"fields": json.dumps([{"name": "x", "type": "video", "label": {"en": "X"}}])},
            "fields[0].type",
        ),
        (
            {"fields": json.dumps([{"name": "Bad Name", "type": "text", "label": {"en": "X"}}])},
            "fields[0].name",
        ),
        ({"fields": json.dumps([{"name": "x", "type": "text", "label": {}}])}, "fields[0].label"),
        (
            {"fields": json.dumps([{"name": "x", "type": "select_one", "label": {"en": "X"}}])},
            "fields[0].choices",
        ),
        (
            {
                "fields": json.dumps(
                    [{"name": "x", "type": "integer", "label": {"en": "X"}, "maps_to": "title"}]
                )
            },
            "fields[0].maps_to",
        ),
        (
            {
                "fields": json.dumps(
                    [
                        {
                            "name": "x",
                            "type": "select_many",
                            "label": {"en": "X"},
                            "maps_to": "categories",
                            "choices": [{"value": "not_a_category"}],
                        }
                    ]
                )
            },
            "fields[0].choices",
        ),
        ({"fields": json.dumps([FIELDS[0], FIELDS[0]])}, "fields[1].name"),
    ],
)
def test_bad_forms_are_refused_naming_the_field_and_nothing_is_saved(client, admin, changes, field):
    before = db.session.scalar(select(db.func.count(Form.id)))
    response = save(client, "/admin/forms/create", **changes)
    assert response.status_code == 422
    assert f'data-error-for="{field}"' in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(Form.id))) == before


def test_a_form_in_use_keeps_its_code(client, admin):
    response = save(client, "/admin/forms/FR/save", code="FX")
    assert response.status_code == 422
    assert 'data-error-for="code"' in response.get_data(as_text=True)


def test_named_volunteers_alone_see_a_named_form(client, admin, make_user):
    chosen, other = make_user("volunteer"), make_user("volunteer")
    save(client, "/admin/forms/create", audience="named", volunteers=chosen.email)
    form = db.session.scalar(select(Form).where(Form.code == "PORT"))
    assert service.may_submit(chosen, form) and not service.may_submit(other, form)
    assert form in service.forms_for(chosen) and form not in service.forms_for(other)


def test_the_builder_saves_what_public_outputs_hide(client, admin):
    save(client, "/admin/forms/create", hide_location="on")
    form = db.session.scalar(select(Form).where(Form.code == "PORT"))
    assert (form.hide_location, form.hide_time_of_day) == (True, False)
    page = client.get("/admin/forms/PORT").get_data(as_text=True)
    assert 'id="hide_location" checked' in page
