"""The volunteer app's endpoint: one report per UUID, photos cleaned, answers checked by type."""

from __future__ import annotations

import io
import json
import os
import uuid

import pytest
from PIL import Image
from sqlalchemy import func, select

from mapper.extensions import db
from mapper.models import Form, Photo, Report
from tests.conftest import count_rows
from tests.forms.test_photos import jpeg_with_gps

SAME_SITE = {"Sec-Fetch-Site": "same-origin"}


def answers(**extra) -> dict:
    base = {
        "title": "Boat crew not allowed ashore",
        "what_happened": "Crew said passports are held by the captain.",
        "occurred_at": "2026-11-20T21:30:00+07:00",
        "location": {"lat": "10.6093", "lon": "103.5296", "accuracy": "12"},
        "categories": ["forced_labour", "debt_bondage"],
        "site_type": "port",
        "people_seen": "7",
        "minors_seen": "yes",
    }
    return {**base, **extra}


def post(client, meta: dict, photos=(), headers=SAME_SITE):
    data = {"meta": json.dumps(meta)}
    files = [("photos", (io.BytesIO(content), name)) for name, content in photos]
    return client.post(
        "/volunteer/api/submissions",
        data={**data, "photos": [f[1] for f in files]} if files else data,
        headers=headers,
        content_type="multipart/form-data",
    )


@pytest.fixture
def volunteer(make_user, login):
    user = make_user("volunteer")
    login(user)
    return user


def meta(**extra) -> dict:
    return {
        "form": "FR",
        "version": 1,
        "instance_id": str(uuid.uuid4()),
        "answers": answers(),
        **extra,
    }


def test_the_default_field_report_form_exists_out_of_the_box(app, client):
    form = db.session.scalar(select(Form).where(Form.code == "FR"))
    assert form.names == {"en": "Field report", "es": "Informe de campo", "km": "របាយការណ៍ពីទីវាល"}
    names = [f["name"] for f in form.current.fields]
    assert {"title", "what_happened", "location", "photo", "notes_for_moderators"} <= set(names)


def test_a_filled_form_becomes_one_pending_report_with_typed_answers(client, volunteer):
    response = post(client, meta())
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    report = db.session.scalar(select(Report).where(Report.reference == body["reference"]))
    assert (report.status, report.source, report.submitted_by_id) == (
        "pending",
        "volunteer",
        volunteer.id,
    )
    assert report.title == "Boat crew not allowed ashore"
    assert report.description.startswith("Crew said")
    assert report.occurred_at.isoformat() == "2026-11-20T14:30:00+00:00"
    assert sorted(c.slug for c in report.categories) == ["debt-bondage", "forced-labour"]
    assert report.location_accuracy_m == 12
    point = db.session.execute(
        select(func.ST_Y(Report.location), func.ST_X(Report.location)).where(Report.id == report.id)
    ).one()
    assert point == pytest.approx((10.6093, 103.5296))
    stored = report.custom_answers
    assert (stored["form"], stored["version"]) == ("FR", 1)
    assert stored["answers"]["people_seen"] == 7
    assert stored["answers"]["minors_seen"] is True
    assert stored["answers"]["categories"] == ["forced_labour", "debt_bondage"]


def test_the_same_uuid_sent_twice_is_stored_once(client, volunteer):
    sent = meta()
    before = count_rows("reports")
    first = post(client, sent)
    again = post(client, sent)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["reference"] == again.get_json()["reference"]
    assert again.get_json()["created"] is False
    assert count_rows("reports") == before + 1


def test_a_photo_is_stored_clean_under_a_random_name_and_served_only_to_those_allowed(
    app, client, volunteer, make_user, login
):
    raw = jpeg_with_gps()
    sent = meta(answers=answers(photo="photo-crew.jpg"))
    response = post(client, sent, photos=[("photo-crew.jpg", raw)])
    assert response.status_code == 201, response.get_data(as_text=True)
    report = db.session.scalar(
        select(Report).where(Report.reference == response.get_json()["reference"])
    )
    photo = db.session.scalar(select(Photo).where(Photo.report_id == report.id))
    assert photo.name != "photo-crew.jpg" and photo.name.endswith(".jpg")
    assert photo.private is True  # the default form's photo answer is for moderators only
    assert report.custom_answers["answers"]["photo"] == photo.digest

    own = client.get(f"/volunteer/photos/{photo.name}")
    assert own.status_code == 200
    assert own.headers["X-Content-Type-Options"] == "nosniff"
    assert own.mimetype == "image/jpeg"
    assert b"Canary Camera" not in own.data and b"GPS" not in own.data

    login(make_user("volunteer"))
    assert client.get(f"/volunteer/photos/{photo.name}").status_code == 404
    login(make_user("analyst"))
    assert client.get(f"/volunteer/photos/{photo.name}").status_code == 404
    login(make_user("moderator"))
    assert client.get(f"/volunteer/photos/{photo.name}").status_code == 200
    # Replaying the same submission stores no second photo.
    login(volunteer)
    assert post(client, sent, photos=[("photo-crew.jpg", raw)]).status_code == 200
    assert count_rows("photos") == 1


@pytest.mark.parametrize(
    "changed, field",
    [
        ({"title": ""}, "answers.title"),
        ({"people_seen": "several"}, "answers.people_seen"),
        ({"site_type": "castle"}, "answers.site_type"),
        ({"categories": ["forced_labour", "nope"]}, "answers.categories"),
        ({"minors_seen": "maybe"}, "answers.minors_seen"),
        ({"occurred_at": "yesterday"}, "answers.occurred_at"),
        ({"location": {"lat": "95", "lon": "10"}}, "answers.location"),
        ({"unknown_field": "x"}, "answers.unknown_field"),
        ({"photo": "not-sent.jpg"}, "answers.photo"),
    ],
)
def test_bad_answers_get_a_422_naming_the_field_and_store_nothing(
    client, volunteer, changed, field
):
    before = count_rows("reports")
    response = post(client, meta(answers=answers(**changed)))
    assert response.status_code == 422
    assert field in [e["field"] for e in response.get_json()["errors"]]
    assert count_rows("reports") == before


@pytest.mark.parametrize("sent", ["crew", ["crew"], 7, True])
def test_answers_that_are_not_an_object_get_a_400_naming_them(client, volunteer, sent):
    before = count_rows("reports")
    response = post(client, meta(answers=sent))
    assert response.status_code == 400
    assert [e["field"] for e in response.get_json()["errors"]] == ["answers"]
    assert count_rows("reports") == before


def test_missing_answers_name_each_required_field(client, volunteer):
    sent = meta()
    del sent["answers"]
    response = post(client, sent)
    assert response.status_code == 422
    assert "answers.title" in [e["field"] for e in response.get_json()["errors"]]


def test_a_photo_of_several_megabytes_is_accepted(client, volunteer):
    noise = Image.frombytes("RGB", (1600, 1200), os.urandom(1600 * 1200 * 3))
    out = io.BytesIO()
    noise.save(out, format="JPEG", quality=95)
    assert 2 * 2**20 < len(out.getvalue()) < 10 * 2**20
    sent = meta(answers=answers(photo="big.jpg"))
    response = post(client, sent, photos=[("big.jpg", out.getvalue())])
    assert response.status_code == 201, response.get_data(as_text=True)[:200]


def test_a_refused_photo_stores_neither_report_nor_file(app, client, volunteer):
    before = count_rows("reports")
    files = set(os.listdir(app.config["MAPPER_UPLOAD_DIR"]))
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"/>'
    response = post(client, meta(answers=answers(photo="x.jpg")), photos=[("x.jpg", svg)])
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "answers.photo"
    assert count_rows("reports") == before
    assert set(os.listdir(app.config["MAPPER_UPLOAD_DIR"])) == files


@pytest.mark.parametrize(
    "headers",
    [{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://elsewhere.example"}],
)
def test_writes_from_another_site_are_refused(client, volunteer, headers):
    before = count_rows("reports")
    assert post(client, meta(), headers=headers).status_code == 403
    assert count_rows("reports") == before


def test_unknown_form_version_and_missing_uuid_are_clear_errors(client, volunteer):
    assert post(client, meta(version=9)).get_json()["errors"][0]["field"] == "version"
    assert post(client, meta(instance_id="")).get_json()["errors"][0]["field"] == "instance_id"
    assert post(client, meta(form="NOPE")).status_code == 404


def test_my_reports_lists_what_this_volunteer_sent(client, volunteer):
    reference = post(client, meta()).get_json()["reference"]
    page = client.get("/volunteer/reports").get_data(as_text=True)
    assert reference in page and "Pending" in page


def test_a_form_that_needs_no_approval_is_published_at_once(client, volunteer):
    form = db.session.scalar(select(Form).where(Form.code == "FR"))
    form.needs_approval = False
    db.session.commit()
    reference = post(client, meta()).get_json()["reference"]
    assert (
        db.session.scalar(select(Report.status).where(Report.reference == reference)) == "published"
    )


def test_reviewers_see_the_answers_by_label_private_ones_only_with_permission(
    client, volunteer, make_user, login
):
    sent = meta(answers=answers(photo="crew.jpg", notes_for_moderators="Informant: cook"))
    reference = post(client, sent, photos=[("crew.jpg", jpeg_with_gps())]).get_json()["reference"]

    login(make_user("moderator"))
    page = client.get(f"/admin/reports/{reference}").get_data(as_text=True)
    assert "How many people seemed affected?" in page and ">7<" in page
    assert "Informant: cook" in page
    photo = db.session.scalar(select(Photo.name).join(Report).where(Report.reference == reference))
    assert f"/volunteer/photos/{photo}" in page

    login(make_user("analyst"))
    page = client.get(f"/admin/reports/{reference}").get_data(as_text=True)
    assert "How many people seemed affected?" in page
    assert "Informant: cook" not in page and photo not in page


def test_a_form_can_keep_location_and_time_of_day_off_every_public_output(
    client, volunteer, make_user, login
):
    from mapper.moderation.service import apply_action, edit_report

    form = db.session.scalar(select(Form).where(Form.code == "FR"))
    form.hide_location = form.hide_time_of_day = True
    db.session.commit()
    reference = post(client, meta()).get_json()["reference"]
    report = db.session.scalar(select(Report).where(Report.reference == reference))
    apply_action(report, "publish", None, report.version)
    db.session.commit()

    feature = client.get(f"/api/v1/reports/{reference}").get_json()
    assert feature["geometry"] is None
    # 21:30 at UTC+7 on the 20th: the public learn the day, at noon UTC, never the hour.
    assert feature["properties"]["occurred_at"] == "2026-11-20T12:00:00+00:00"
    assert reference not in client.get("/api/v1/reports?bbox=103,10,104,11").get_data(as_text=True)
    # Reviewers still have the exact point and, in the answers, the exact time.
    exact = db.session.execute(
        select(func.ST_Y(Report.location), Report.public_location).where(Report.id == report.id)
    ).one()
    assert exact[0] == pytest.approx(10.6093) and exact[1] is None
    assert report.custom_answers["answers"]["occurred_at"] == "2026-11-20T21:30:00+07:00"

    # A moderator's later edit keeps them hidden.
    edit_report(
        report,
        make_user("moderator"),
        report.version,
        {
            "title": report.title,
            "description": report.description,
            "latitude": "10.7",
            "longitude": "103.6",
            "categories": ["forced-labour"],
            "occurred_at": "2026-11-21T08:15:00+00:00",
        },
    )
    db.session.commit()
    db.session.refresh(report)
    assert report.public_location is None and report.h3_public is None
    assert report.occurred_at.isoformat() == "2026-11-21T12:00:00+00:00"
