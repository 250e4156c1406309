"""submit(): validate, mask, deduplicate by idempotency key and store a report as pending."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import NamedTuple

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mapper.errors import MapperError, ValidationFailed
from mapper.extensions import db
from mapper.geo import displace
from mapper.geo.hexes import hex_of
from mapper.intake.places import Cached, placed
from mapper.intake.submission import CleanReport, Submission
from mapper.intake.validators import day_only, validate
from mapper.models import Category, Report

REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
REFERENCE_LENGTH = 8
IDEMPOTENCY_KEY_MAX = 255


@dataclass(frozen=True)
class IntakeResult:
    id: int
    reference: str
    status: str
    created: bool  # False when an idempotency key replayed an earlier submission
    contact_id: int | None = None


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def new_mask_seed() -> bytes:
    return secrets.token_bytes(16)


def public_point(lat: float, lon: float, seed: bytes) -> tuple[float, float]:
    """The masked point shown publicly, with the configured displacement range."""
    config = current_app.config
    return displace(
        lat, lon, seed, config["MAPPER_MASK_MIN_METERS"], config["MAPPER_MASK_MAX_METERS"]
    )


class _Categories(NamedTuple):
    ids: dict[str, int]  # by slug
    parents: dict[int, int | None]  # by id; None at the top level


def _load_categories() -> _Categories:
    rows = db.session.execute(select(Category.slug, Category.id, Category.parent_id)).all()
    return _Categories(
        {slug: id_ for slug, id_, _parent in rows}, {id_: parent for _slug, id_, parent in rows}
    )


class _CategoryCache:
    """Slug → id, and id → parent id, reloaded after a short while or when a slug is not
    found."""

    def __init__(self) -> None:
        self._loaded = Cached(_load_categories)

    def _current(self, wanted: object = ()) -> _Categories:
        named = wanted if isinstance(wanted, list | tuple) else ()
        slugs = [slug for slug in named if isinstance(slug, str)]
        return self._loaded(outdated=lambda kept: any(slug not in kept.ids for slug in slugs))

    def get(self, wanted: object) -> dict[str, int]:
        return self._current(wanted).ids

    def parents(self) -> dict[int, int | None]:
        """Each category's parent (None at the top level)."""
        return self._current().parents

    def clear(self) -> None:
        self._loaded.clear()


categories_cache = _CategoryCache()


def _fingerprint(sub: Submission) -> str:
    """A digest of what was submitted, to tell a retry from a different report."""
    data = {k: v for k, v in vars(sub).items() if k not in ("idempotency_key", "received_at")}
    if sub.contact is not None:
        data["contact"] = vars(sub.contact)
    canonical = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    # Halves of surrogate pairs (JSON can carry them) are hashed too, and refused later.
    return hashlib.sha256(canonical.encode(errors="surrogatepass")).hexdigest()


def _scoped_key(sub: Submission) -> str | None:
    key = sub.idempotency_key
    if key is None:
        return None
    if not key or len(key) > IDEMPOTENCY_KEY_MAX or not key.isprintable():
        raise MapperError(_("Must be 1 to 255 printable characters."), "Idempotency-Key", 422)
    return f"{sub.source}:{key}"


def _replay(key: str, fingerprint: str) -> IntakeResult | None:
    row = db.session.execute(
        select(Report.id, Report.reference, Report.status, Report.request_fingerprint).where(
            Report.idempotency_key == key
        )
    ).first()
    if row is None:
        return None
    if row.request_fingerprint != fingerprint:
        raise MapperError(
            _("This key was already used for a different report."), "Idempotency-Key", 422
        )
    return IntakeResult(row.id, row.reference, row.status, created=False)


# One round trip stores the report, its categories, its contact and its first audit event.
# ON CONFLICT covers the idempotency key and the (rare) collision of a random reference.
# Sent as driver SQL: this is the hot path of every channel, and compiling a construct
# per call costs more than the insert.
INSERT_REPORT = """
WITH new_report AS (
    INSERT INTO reports (
        reference, title, description, occurred_at, received_at, location, public_location,
        location_accuracy_m, place_name, source, status, language, custom_answers, mask_seed,
        idempotency_key, request_fingerprint, urgent, h3_public, h3_exact, form_version_id,
        submitted_by_id, location_hidden, time_hidden, category_ids)
    VALUES (
        %(reference)s, %(title)s, %(description)s, %(occurred_at)s, %(received_at)s,
        ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326),
        ST_SetSRID(ST_MakePoint(%(public_lon)s, %(public_lat)s), 4326),
        %(accuracy)s, %(place_name)s, %(source)s, 'pending', %(language)s,
        CAST(%(answers)s AS jsonb), %(mask_seed)s, %(idempotency_key)s, %(fingerprint)s,
        %(urgent)s, %(h3_public)s, %(h3_exact)s, %(form_version_id)s, %(submitted_by_id)s,
        %(location_hidden)s, %(time_hidden)s, CAST(%(category_ids)s AS integer[]))
    ON CONFLICT DO NOTHING
    RETURNING id
), new_categories AS (
    INSERT INTO report_categories (report_id, category_id)
    SELECT new_report.id, category_id
    FROM new_report, unnest(CAST(%(category_ids)s AS integer[])) AS category_id
), new_contact AS (
    INSERT INTO reporter_contacts (report_id, name, phone, email)
    SELECT new_report.id, %(contact_name)s, %(contact_phone)s, %(contact_email)s
    FROM new_report WHERE CAST(%(has_contact)s AS boolean)
    RETURNING id
), created_event AS (
    INSERT INTO audit_events (report_id, action, changes)
    SELECT new_report.id, 'create', '{"status": [null, "pending"]}'::jsonb FROM new_report
)
SELECT id, (SELECT id FROM new_contact) FROM new_report
"""


def _parameters(clean: CleanReport, key: str | None, fingerprint: str) -> dict:
    seed = new_mask_seed()
    has_location = clean.latitude is not None and clean.longitude is not None
    public_lat, public_lon = (
        public_point(clean.latitude, clean.longitude, seed)
        if has_location and not clean.hide_location
        else (None, None)
    )
    contact = clean.contact
    return {
        "title": clean.title,
        "description": clean.description,
        "occurred_at": day_only(clean.occurred_at) if clean.hide_time_of_day else clean.occurred_at,
        "received_at": clean.received_at,
        "lat": clean.latitude,
        "lon": clean.longitude,
        "public_lat": public_lat,
        "public_lon": public_lon,
        "accuracy": clean.location_accuracy,
        "place_name": clean.place_name,
        "source": clean.source,
        "language": clean.language,
        "answers": json.dumps(clean.custom_answers, ensure_ascii=False),
        "mask_seed": seed,
        "idempotency_key": key,
        "fingerprint": fingerprint if key else None,
        # In order, as the links' triggers write them into the report: they find nothing
        # to change.
        "category_ids": sorted(clean.category_ids),
        "urgent": clean.urgent,
        "form_version_id": clean.form_version_id,
        "submitted_by_id": clean.submitted_by_id,
        "location_hidden": has_location and clean.hide_location,
        "time_hidden": clean.hide_time_of_day,
        "h3_public": hex_of(public_lat, public_lon),
        "h3_exact": hex_of(clean.latitude, clean.longitude),
        "has_contact": contact is not None,
        "contact_name": contact.name if contact else None,
        "contact_phone": contact.phone if contact else None,
        "contact_email": contact.email if contact else None,
    }


def _insert(parameters: dict, key: str | None, fingerprint: str) -> IntakeResult:
    """Insert with a fresh reference, or return the earlier result stored under `key`."""
    for _attempt in range(5):
        reference = new_reference()
        values = {**parameters, "reference": reference}
        row = db.session.connection().exec_driver_sql(INSERT_REPORT, values).first()
        if row is not None:
            return IntakeResult(row[0], reference, "pending", created=True, contact_id=row[1])
        # A retry, or a concurrent copy that committed first while we waited on the index.
        if key is not None and (earlier := _replay(key, fingerprint)) is not None:
            return earlier
        # Otherwise the random reference collided: draw another.
    raise RuntimeError("could not allocate a unique reference")


def submit(sub: Submission) -> IntakeResult:
    """Validate and store `sub` as a pending report; the caller commits.

    With an idempotency key, a repeated submission returns the first result and
    stores nothing new, also when the copies race: the unique constraint decides.
    """
    key = _scoped_key(sub)
    fingerprint = _fingerprint(sub) if key is not None else ""
    located, place_problems = placed(sub)
    try:
        clean = validate(
            located,
            known_categories=categories_cache.get(sub.categories),
            phone_region=current_app.config.get("MAPPER_DEFAULT_PHONE_REGION"),
        )
    except ValidationFailed as failure:
        raise ValidationFailed(failure.pairs + place_problems) from None
    if place_problems:
        raise ValidationFailed(place_problems)
    try:
        return _insert(_parameters(clean, key, fingerprint), key, fingerprint)
    except IntegrityError as exc:
        constraint = getattr(getattr(exc.orig, "diag", None), "constraint_name", "") or ""
        if not constraint.startswith("fk_report_categories_category_id"):
            raise
        # A category deleted since the cache was loaded: refuse as any unknown category.
        # The caller's rollback discards the failed statement.
        categories_cache.clear()
        raise ValidationFailed([("categories", _("A category no longer exists."))]) from None
