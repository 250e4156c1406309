"""Validate and normalise a Submission, collecting every (field, message) problem at once."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, time, timedelta, timezone

import phonenumbers
from flask_babel import gettext as _

from mapper.errors import ValidationFailed
from mapper.geo import GeoValueError, parse_latitude, parse_longitude
from mapper.intake.submission import CleanContact, CleanReport, ContactInput, Submission
from mapper.models import REPORT_SOURCES

TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
PLACE_MAX = 200
NAME_MAX = 200
EMAIL_MAX = 254
MAX_CATEGORIES = 20
EARLIEST_EVENT = datetime(1950, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = timedelta(days=1)
# C0 control characters other than tab, newline and carriage return (NUL cannot be stored), and
# halves of surrogate pairs standing alone, which JSON's escapes can carry and UTF-8 cannot.
FORBIDDEN_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# Of those, what PostgreSQL cannot keep in text at all: text kept as it came (an SMS) has these
# replaced, and an id or a number holding them is refused.
UNSTORABLE_CHARACTERS = re.compile(r"[\x00\ud800-\udfff]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


class Problems:
    """Collects (field, message) pairs; raises them together."""

    def __init__(self) -> None:
        self.pairs: list[tuple[str, str]] = []

    def add(self, field: str, message: str) -> None:
        self.pairs.append((field, message))

    def raise_if_any(self) -> None:
        if self.pairs:
            raise ValidationFailed(self.pairs)


def clean_text(
    value: object, field: str, problems: Problems, *, limit: int, required: bool = False
) -> str | None:
    """Return stripped text (as written otherwise), None when empty and optional."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.add(field, _("This field is required."))
        return None
    if not isinstance(value, str):
        problems.add(field, _("Must be text."))
        return None
    text = value.strip()
    if len(text) > limit:
        problems.add(field, _("Must be at most %(limit)d characters.", limit=limit))
        return None
    if FORBIDDEN_CHARACTERS.search(text):
        problems.add(field, _("Contains characters that are not allowed."))
        return None
    return text


def parse_datetime(value: object) -> datetime:
    """Parse an RFC 3339 timestamp or accept an aware datetime; raise ValueError otherwise."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        if text.endswith(("z", "Z")):
            text = text[:-1] + "+00:00"
        moment = datetime.fromisoformat(text)
    else:
        raise ValueError("not a date")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive")
    return moment


def day_only(moment: datetime) -> datetime:
    """The day of `moment` (as the reporter's clock had it) at noon UTC: no time of day."""
    return datetime.combine(moment.date(), time(12), tzinfo=UTC)


def event_time(form) -> datetime | str | None:
    """The event time of an HTML form: its `occurred_at` as the browser's date-time input
    gives it (local, with no zone) at the form's `tz_offset` (minutes behind UTC, as
    JavaScript's getTimezoneOffset gives them; none is UTC). A time that names its own zone
    keeps it, and a date alone is that day in UTC. None when empty; text that is no date is
    passed on for intake to reject in the reader's language."""
    local = (form.get("occurred_at") or "").strip()
    if not local:
        return None
    try:
        moment = datetime.fromisoformat(local)
    except ValueError:
        return local
    if moment.tzinfo is not None:
        return moment
    if "T" not in local.upper() and " " not in local:
        return moment.replace(tzinfo=UTC)
    try:
        offset = -int(form.get("tz_offset") or "0")
    except ValueError:
        offset = 0
    if not -14 * 60 <= offset <= 14 * 60:
        offset = 0
    return moment.replace(tzinfo=timezone(timedelta(minutes=offset)))


def clean_occurred_at(value: object, now: datetime, problems: Problems) -> datetime | None:
    if value is None or value == "":
        return now
    try:
        moment = parse_datetime(value)
    except ValueError as exc:
        if str(exc) == "naive":
            problems.add("occurred_at", _("Must include a time zone offset."))
        else:
            problems.add("occurred_at", _("Not a valid date and time (use RFC 3339)."))
        return None
    if moment > now + FUTURE_TOLERANCE:
        problems.add("occurred_at", _("Cannot be in the future."))
        return None
    if moment < EARLIEST_EVENT:
        problems.add("occurred_at", _("Cannot be before 1950."))
        return None
    return moment.astimezone(UTC)


def _coordinate_message(code: str) -> str:
    if code == "out_of_range":
        return _("Out of range.")
    if code == "not_finite":
        return _("Must be a finite number.")
    return _("Must be a number.")


def clean_location(
    sub: Submission, problems: Problems
) -> tuple[float | None, float | None, float | None]:
    """Return (lat, lon, accuracy); a location is optional but must be complete."""
    present = [v is not None and v != "" for v in (sub.latitude, sub.longitude)]
    if not any(present):
        return None, None, None
    if not all(present):
        missing = "location.lon" if present[0] else "location.lat"
        problems.add(missing, _("Both latitude and longitude are needed."))
        return None, None, None
    lat = lon = accuracy = None
    for field, parse in (("location.lat", parse_latitude), ("location.lon", parse_longitude)):
        try:
            value = parse(sub.latitude if field == "location.lat" else sub.longitude)
        except GeoValueError as exc:
            problems.add(field, _coordinate_message(exc.code))
            continue
        if field == "location.lat":
            lat = value
        else:
            lon = value
    if sub.location_accuracy not in (None, ""):
        accuracy = _clean_accuracy(sub.location_accuracy, problems)
    return lat, lon, accuracy


def _clean_accuracy(value: object, problems: Problems) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        problems.add("location.accuracy", _("Must be a number."))
        return None
    try:
        number = float(value)
    except ValueError:
        problems.add("location.accuracy", _("Must be a number."))
        return None
    if not math.isfinite(number) or not 0 <= number <= 100_000:
        problems.add("location.accuracy", _("Must be between 0 and 100,000 metres."))
        return None
    return number


def clean_categories(value: object, known: dict[str, int], problems: Problems) -> tuple[int, ...]:
    """Map category slugs to ids; every slug must exist."""
    if value is None or value == "":
        return ()
    if isinstance(value, str) or not isinstance(value, list | tuple):
        problems.add("categories", _("Must be a list of category identifiers."))
        return ()
    if len(value) > MAX_CATEGORIES:
        problems.add("categories", _("At most %(limit)d categories.", limit=MAX_CATEGORIES))
        return ()
    ids: list[int] = []
    for slug in value:
        if not isinstance(slug, str) or slug not in known:
            problems.add("categories", _("Unknown category: %(slug)s", slug=str(slug)[:64]))
        elif known[slug] not in ids:
            ids.append(known[slug])
    return tuple(ids)


def clean_phone(value: object, region: str | None, problems: Problems) -> str | None:
    raw = clean_text(value, "contact.phone", problems, limit=40)
    if raw is None:
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        problems.add(
            "contact.phone",
            _("Not a valid phone number; include the country code, e.g. +855 12 345 678."),
        )
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_contact(
    contact: ContactInput | None, region: str | None, problems: Problems
) -> CleanContact | None:
    if contact is None:
        return None
    name = clean_text(contact.name, "contact.name", problems, limit=NAME_MAX)
    phone = clean_phone(contact.phone, region, problems)
    email = clean_text(contact.email, "contact.email", problems, limit=EMAIL_MAX)
    if email is not None and not _EMAIL.match(email):
        problems.add("contact.email", _("Not a valid email address."))
        email = None
    if name is None and phone is None and email is None:
        return None
    return CleanContact(name=name, phone=phone, email=email.lower() if email else None)


def clean_language(value: object, problems: Problems) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 16 or not _LANGUAGE.match(value):
        problems.add("language", _("Not a valid language code."))
        return None
    primary, _sep, rest = value.partition("-")
    return primary.lower() + (f"-{rest}" if rest else "")


def validate(
    sub: Submission,
    *,
    known_categories: dict[str, int],
    phone_region: str | None = None,
    now: datetime | None = None,
) -> CleanReport:
    """Return the clean report or raise ValidationFailed with every problem found."""
    if sub.source not in REPORT_SOURCES:
        raise ValueError(f"unknown source {sub.source!r}")
    now = now or datetime.now(UTC)
    problems = Problems()
    title = clean_text(sub.title, "title", problems, limit=TITLE_MAX, required=True)
    description = clean_text(sub.description, "description", problems, limit=DESCRIPTION_MAX)
    occurred_at = clean_occurred_at(sub.occurred_at, now, problems)
    lat, lon, accuracy = clean_location(sub, problems)
    place_name = clean_text(sub.place_name, "place_name", problems, limit=PLACE_MAX)
    category_ids = clean_categories(sub.categories, known_categories, problems)
    contact = clean_contact(sub.contact, phone_region, problems)
    language = clean_language(sub.language, problems)
    if not isinstance(sub.custom_answers, dict):
        problems.add("custom_answers", _("Must be an object."))
    problems.raise_if_any()
    return CleanReport(
        source=sub.source,
        title=title or "",
        description=description or "",
        occurred_at=occurred_at or now,
        received_at=sub.received_at or now,
        latitude=lat,
        longitude=lon,
        location_accuracy=accuracy,
        place_name=place_name,
        category_ids=category_ids,
        contact=contact,
        language=language,
        custom_answers=dict(sub.custom_answers),
        urgent=bool(sub.urgent),
        form_version_id=sub.form_version_id,
        submitted_by_id=sub.submitted_by_id,
        hide_location=bool(sub.hide_location),
        hide_time_of_day=bool(sub.hide_time_of_day),
    )
