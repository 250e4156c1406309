"""The public report form: CSRF, per-field errors in the visitor's language, confirmation."""

import re

import pytest
from sqlalchemy import func, select

from mapper.extensions import db
from mapper.models import Report
from tests.conftest import count_rows

VALID = {
    "title": "Children begging at the market",
    "description": "Dropped off by a van every morning.",
    "occurred_at": "2025-02-01T08:30",
    "tz_offset": "-420",
    "latitude": "13.3633",
    "longitude": "103.8564",
    "categories": ["forced-begging"],
    "submission_id": "form-1",
}


def submit_form(client, token, **changes):
    data = {**VALID, **changes, "csrf_token": token}
    return client.post("/report", data={k: v for k, v in data.items() if v is not None})


def test_form_shows_every_field_and_the_categories(client):
    html = client.get("/report").get_data(as_text=True)
    for name in (
        "title",
        "description",
        "occurred_at",
        "latitude",
        "longitude",
        "categories",
        "contact_name",
        "contact_phone",
        "contact_email",
        "csrf_token",
    ):
        assert f'name="{name}"' in html
    assert 'id="quick-exit"' in html and 'id="use-location"' in html
    assert "Forced labour" in html and "Fishing and seafood" in html


def test_valid_submission_shows_the_reference_and_stores_it_pending(client, form_token):
    response = submit_form(client, form_token)
    assert response.status_code == 200
    reference = re.search(r'id="reference">([A-Z0-9]{8})<', response.get_data(as_text=True))[1]
    report = db.session.scalar(select(Report).where(Report.reference == reference))
    assert report.status == "pending" and report.source == "web" and report.language == "en"
    # 08:30 in UTC+7 (the browser's offset of -420 minutes) is 01:30 UTC.
    assert report.occurred_at.hour == 1 and report.occurred_at.minute == 30
    assert [c.slug for c in report.categories] == ["forced-begging"]


def test_resubmitting_the_same_form_stores_one_report(client, form_token):
    first = submit_form(client, form_token).get_data(as_text=True)
    second = submit_form(client, form_token).get_data(as_text=True)
    assert (
        re.search(r'id="reference">(\w+)<', first)[1]
        == re.search(r'id="reference">(\w+)<', second)[1]
    )
    assert count_rows("reports") == 1


def test_missing_csrf_token_is_refused(client):
    response = client.post("/report", data=VALID)
    assert response.status_code == 400
    assert count_rows("reports") == 0


def test_errors_are_shown_next_to_each_field(client, form_token):
    response = submit_form(
        client, form_token, title="", latitude="95", contact_phone="12", categories=["nope"]
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="title-errors"><li>This field is required\.', html)
    assert re.search(r'id="location-errors"><li>Out of range\.', html)
    assert 'id="contact_phone-errors"' in html and 'id="categories-errors"' in html
    assert 'aria-invalid="true"' in html
    assert count_rows("reports") == 0


@pytest.mark.parametrize(
    "lang, expected", [("es", "Este campo es obligatorio."), ("km", "ត្រូវតែបំពេញប្រអប់នេះ។")]
)
def test_errors_are_in_the_visitors_language(client, lang, expected):
    token = re.search(
        r'name="csrf_token" value="([^"]+)"',
        client.get(f"/report?lang={lang}").get_data(as_text=True),
    )[1]
    html = submit_form(client, token, title="").get_data(as_text=True)
    assert expected in html
    assert f'<html lang="{lang}">' in html


@pytest.mark.parametrize(
    "hostile", ['"><script>alert(1)</script>', "</textarea><img src=x onerror=alert(1)>"]
)
def test_entered_values_are_kept_and_escaped_after_an_error(client, form_token, hostile):
    fields = {
        name: hostile
        for name in ("title", "description", "contact_name", "contact_email", "occurred_at")
    }
    html = submit_form(client, form_token, latitude="abc", **fields).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert html.count("alert(1)") >= len(fields)  # every value is kept, escaped


def test_hostile_text_is_stored_exactly_as_written(client, form_token):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    submit_form(client, form_token, title=hostile, description=hostile, contact_name=hostile)
    report = db.session.scalar(select(Report))
    assert report.title == report.description == report.contact.name == hostile


def test_location_is_optional_but_must_be_complete(client, form_token):
    assert submit_form(client, form_token, latitude=None, longitude=None).status_code == 200
    response = submit_form(client, form_token, submission_id="form-2", longitude=None)
    assert response.status_code == 422
    assert "Both latitude and longitude are needed." in response.get_data(as_text=True)


def test_a_town_named_without_a_pin_places_the_report_at_the_town(client, form_token, places):
    response = submit_form(client, form_token, latitude=None, longitude=None, place_name="Poipet")
    assert response.status_code == 200
    report = db.session.scalar(select(Report))
    assert report.place_name == "Poipet"
    point = db.session.execute(select(func.ST_Y(Report.location), func.ST_X(Report.location)))
    assert tuple(point.one()) == pytest.approx((13.6593, 102.5635))


def test_the_form_keeps_only_the_name_of_the_town_given(client, form_token, places):
    # A reporter's own words might pin a house: only the town's name is ever kept.
    submit_form(client, form_token, place_name="behind the karaoke bar, Paoy Paet")
    report = db.session.scalar(select(Report))
    assert report.place_name == "Poipet"
    point = db.session.execute(select(func.ST_Y(Report.location), func.ST_X(Report.location)))
    assert tuple(point.one()) == pytest.approx((13.3633, 103.8564))  # the pin given stays


def test_a_place_that_is_no_known_town_is_refused_with_the_other_errors(client, form_token, places):
    response = submit_form(client, form_token, title="", place_name="house 12, street 5")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="place_name-errors"[^>]*>\s*<li>We do not know this place', html)
    assert re.search(r'id="title-errors"', html)
    assert 'value="house 12, street 5"' in html  # kept in the form, to correct
    assert count_rows("reports") == 0


def test_a_place_name_too_long_is_shown_next_to_its_field(client, form_token):
    response = submit_form(client, form_token, place_name="x" * 201)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="place_name-errors"[^>]*>\s*<li>Must be at most 200', html), html
    assert count_rows("reports") == 0


def test_contact_details_go_to_the_private_table(client, form_token):
    submit_form(client, form_token, contact_phone="+66 81 234 5678", contact_name="Malee")
    report = db.session.scalar(select(Report))
    assert report.contact.phone == "+66812345678" and report.contact.name == "Malee"
