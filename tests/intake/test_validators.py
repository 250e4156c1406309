from datetime import UTC, datetime

import pytest

from mapper.errors import ValidationFailed
from mapper.intake import ContactInput, Submission
from mapper.intake.validators import validate

KNOWN = {"forced-labour": 1, "other": 2}
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def problems(**fields):
    fields.setdefault("title", "A title")
    with pytest.raises(ValidationFailed) as info:
        validate(Submission(source="api", **fields), known_categories=KNOWN, now=NOW)
    return dict(info.value.pairs)


def clean(**fields):
    fields.setdefault("title", "A title")
    return validate(Submission(source="api", **fields), known_categories=KNOWN, now=NOW)


@pytest.fixture(autouse=True)
def _context(app):
    with app.test_request_context():
        yield


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"latitude": 91, "longitude": 0}, "location.lat"),
        ({"latitude": 0, "longitude": -181}, "location.lon"),
        ({"latitude": float("nan"), "longitude": 0}, "location.lat"),
        ({"latitude": 0, "longitude": float("inf")}, "location.lon"),
        ({"latitude": "abc", "longitude": 0}, "location.lat"),
        ({"latitude": 10}, "location.lon"),
        ({"longitude": 10}, "location.lat"),
        ({"title": None}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": 42}, "title"),
        ({"description": "x" * 10_001}, "description"),
        ({"title": "nul \x00 byte"}, "title"),
        ({"categories": ["no-such-category"]}, "categories"),
        ({"categories": "forced-labour"}, "categories"),
        ({"occurred_at": "2999-01-01T00:00:00Z"}, "occurred_at"),
        ({"occurred_at": "1949-12-31T23:59:59Z"}, "occurred_at"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"occurred_at": "2024-01-01T10:00:00"}, "occurred_at"),
        ({"contact": ContactInput(phone="12345")}, "contact.phone"),
        ({"contact": ContactInput(phone="not a phone")}, "contact.phone"),
        ({"contact": ContactInput(email="no-at-sign")}, "contact.email"),
        ({"language": "english please"}, "language"),
        ({"latitude": 1, "longitude": 1, "location_accuracy": -5}, "location.accuracy"),
    ],
)
def test_bad_values_are_named(fields, field):
    assert field in problems(**fields)


def test_limits_are_inclusive():
    report = clean(title="x" * 200, description="y" * 10_000)
    assert len(report.title) == 200 and len(report.description) == 10_000


def test_text_is_kept_as_written_apart_from_outer_whitespace():
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    report = clean(title=f"  {hostile}  ", description=hostile)
    assert report.title == hostile and report.description == hostile


def test_up_to_a_day_ahead_is_accepted_for_clock_skew():
    assert clean(occurred_at="2026-06-02T11:00:00Z").occurred_at.day == 2


def test_categories_are_mapped_to_ids_without_duplicates():
    assert clean(categories=["other", "forced-labour", "other"]).category_ids == (2, 1)


def test_language_is_normalised():
    assert clean(language="KM").language == "km"
    assert clean(language="es-MX").language == "es-MX"
