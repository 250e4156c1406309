from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from mapper.errors import MapperError, ValidationFailed
from mapper.extensions import db
from mapper.geo import distance_m
from mapper.intake import ContactInput, Submission, submit
from mapper.intake.service import REFERENCE_ALPHABET
from mapper.models import Report, ReporterContact
from tests.conftest import count_rows


def coordinates(geometry_column, report_id):
    return db.session.execute(
        select(func.ST_Y(geometry_column), func.ST_X(geometry_column)).where(Report.id == report_id)
    ).one()


def test_submit_stores_a_pending_report_with_a_reference(db_session):
    result = submit(
        Submission(
            source="web",
            title="Girls kept in a karaoke bar",
            latitude=13.66,
            longitude=102.56,
            categories=["other"],
        )
    )
    report = db.session.get(Report, result.id)
    assert result.created and report.status == "pending" and report.source == "web"
    assert len(result.reference) == 8 and set(result.reference) <= set(REFERENCE_ALPHABET)
    assert [c.slug for c in report.categories] == ["other"]


def test_public_location_is_displaced_within_the_configured_ring(db_session):
    result = submit(Submission(source="api", title="t", latitude=11.5564, longitude=104.9282))
    exact = coordinates(Report.location, result.id)
    public = coordinates(Report.public_location, result.id)
    assert exact == (11.5564, 104.9282)
    assert public != exact
    assert 500 <= distance_m(*exact, *public) <= 2000


def test_public_location_is_the_same_on_every_read(db_session, client):
    result = submit(Submission(source="api", title="t", latitude=11.5564, longitude=104.9282))
    db.session.get(Report, result.id).status = "published"
    db.session.commit()
    reads = {
        tuple(
            client.get(f"/api/v1/reports/{result.reference}").get_json()["geometry"]["coordinates"]
        )
        for _ in range(3)
    }
    assert len(reads) == 1
    assert reads.pop() != (104.9282, 11.5564)


def test_a_report_without_location_has_no_public_location(db_session):
    result = submit(Submission(source="sms", title="No place given"))
    report = db.session.get(Report, result.id)
    assert report.location is None and report.public_location is None


def test_contact_is_stored_privately_with_the_phone_in_e164(db_session):
    result = submit(
        Submission(
            source="web",
            title="t",
            contact=ContactInput(
                name="Sokha", phone="+855 12 345 678", email="Someone@Example.org"
            ),
        )
    )
    contact = db.session.scalar(
        select(ReporterContact).where(ReporterContact.report_id == result.id)
    )
    assert (contact.name, contact.phone, contact.email) == (
        "Sokha",
        "+85512345678",
        "someone@example.org",
    )


def test_empty_contact_stores_nothing(db_session):
    submit(Submission(source="web", title="t", contact=ContactInput("", "  ", None)))
    assert count_rows("reporter_contacts") == 0


def test_idempotency_key_returns_the_first_result_and_stores_nothing_new(db_session):
    sub = Submission(source="api", title="Same", latitude=1, longitude=2, idempotency_key="k-1")
    first, second = submit(sub), submit(sub)
    assert (second.id, second.reference, second.created) == (first.id, first.reference, False)
    assert count_rows("reports") == 1


def test_same_key_from_another_channel_is_a_different_report(db_session):
    submit(Submission(source="api", title="Same", idempotency_key="k-1"))
    submit(Submission(source="web", title="Same", idempotency_key="k-1"))
    assert count_rows("reports") == 2


def test_reusing_a_key_for_different_content_is_refused(db_session):
    submit(Submission(source="api", title="First", idempotency_key="k-2"))
    with pytest.raises(MapperError) as info:
        submit(Submission(source="api", title="Second", idempotency_key="k-2"))
    assert info.value.field == "Idempotency-Key" and info.value.status == 422


def test_all_problems_are_reported_together_and_nothing_is_stored(db_session):
    with pytest.raises(ValidationFailed) as info:
        submit(
            Submission(
                source="api",
                title="",
                latitude=91,
                longitude="east",
                occurred_at="2999-01-01T00:00:00Z",
                categories=["no-such"],
                contact=ContactInput(phone="12"),
            )
        )
    fields = [field for field, _message in info.value.pairs]
    assert fields == [
        "title",
        "occurred_at",
        "location.lat",
        "location.lon",
        "categories",
        "contact.phone",
    ]
    assert count_rows("reports") == 0 and count_rows("reporter_contacts") == 0


def test_event_time_defaults_to_now_and_is_kept_in_utc(db_session):
    before = datetime.now(UTC)
    result = submit(Submission(source="api", title="t"))
    stored = db.session.get(Report, result.id).occurred_at
    assert before - timedelta(seconds=1) <= stored <= datetime.now(UTC)
    result = submit(Submission(source="api", title="t", occurred_at="2024-03-01T10:00:00+07:00"))
    assert db.session.get(Report, result.id).occurred_at == datetime(2024, 3, 1, 3, tzinfo=UTC)


def test_a_category_deleted_after_caching_is_refused_not_a_crash(db_session):
    from mapper.intake.service import categories_cache
    from mapper.models import Category

    categories_cache.get([])  # kept in memory before the category exists
    category = Category(slug="short-lived", names={"en": "Short-lived"}, position=99)
    db.session.add(category)
    db.session.flush()
    # A slug not found reads the categories again at once, not after the time limit.
    assert "short-lived" in categories_cache.get(["short-lived"])
    db.session.delete(category)
    db.session.flush()
    with pytest.raises(ValidationFailed) as info:
        submit(Submission(source="api", title="t", categories=["short-lived"]))
    assert info.value.pairs[0][0] == "categories"
    db.session.rollback()
    assert "short-lived" not in categories_cache.get([])


@pytest.mark.parametrize("named", ["Poipet", "ប៉ោយប៉ែត", "near the market of Paoy Paet"])
def test_a_known_place_without_coordinates_places_the_report_there(db_session, places, named):
    result = submit(Submission(source="web", title="Cards taken at the border", place_name=named))
    report = db.session.get(Report, result.id)
    assert coordinates(Report.location, result.id) == pytest.approx((13.6593, 102.5635))
    assert report.public_location is not None and report.place_name == named


def test_an_unknown_place_is_kept_as_written_without_a_location(db_session, places):
    result = submit(Submission(source="web", title="t", place_name="the brick kiln by the river"))
    report = db.session.get(Report, result.id)
    assert report.location is None and report.public_location is None
    assert report.place_name == "the brick kiln by the river"


def test_coordinates_given_win_over_the_place_named(db_session, places):
    result = submit(
        Submission(source="api", title="t", latitude=11.55, longitude=104.92, place_name="Poipet")
    )
    assert coordinates(Report.location, result.id) == pytest.approx((11.55, 104.92))
