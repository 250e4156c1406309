"""submit(): validate, mask, deduplicate by idempotency key and store a report as pending."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import asdict, dataclass

from flask import current_app
from flask_babel import gettext as _
from geoalchemy2 import WKTElement
from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from mapper.errors import MapperError
from mapper.extensions import db
from mapper.geo import displace
from mapper.intake.submission import CleanReport, Submission
from mapper.intake.validators import validate
from mapper.models import Category, Report, ReporterContact, report_categories

REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
REFERENCE_LENGTH = 8
IDEMPOTENCY_KEY_MAX = 255


@dataclass(frozen=True)
class IntakeResult:
    id: int
    reference: str
    status: str
    created: bool  # False when an idempotency key replayed an earlier submission


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def new_mask_seed() -> bytes:
    return secrets.token_bytes(16)


def point(lat: float, lon: float) -> WKTElement:
    return WKTElement(f"POINT({lon!r} {lat!r})", srid=4326)


def public_point(lat: float, lon: float, seed: bytes) -> tuple[float, float]:
    """The masked point shown publicly, with the configured displacement range."""
    config = current_app.config
    return displace(
        lat, lon, seed, config["MAPPER_MASK_MIN_METERS"], config["MAPPER_MASK_MAX_METERS"]
    )


def known_categories() -> dict[str, int]:
    return {slug: id_ for slug, id_ in db.session.execute(select(Category.slug, Category.id))}


def _fingerprint(sub: Submission) -> str:
    data = asdict(sub)
    data.pop("idempotency_key", None)
    data.pop("received_at", None)
    canonical = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


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


def _report_values(clean: CleanReport, seed: bytes) -> dict:
    values = {
        "title": clean.title,
        "description": clean.description,
        "occurred_at": clean.occurred_at,
        "received_at": clean.received_at,
        "location_accuracy_m": clean.location_accuracy,
        "place_name": clean.place_name,
        "source": clean.source,
        "status": "pending",
        "language": clean.language,
        "custom_answers": clean.custom_answers,
        "mask_seed": seed,
        "location": None,
        "public_location": None,
    }
    if clean.latitude is not None and clean.longitude is not None:
        values["location"] = point(clean.latitude, clean.longitude)
        values["public_location"] = point(*public_point(clean.latitude, clean.longitude, seed))
    return values


def _insert_report(values: dict, key: str | None, fingerprint: str) -> tuple[int, str] | None:
    """Insert with a fresh reference; None when the idempotency key already exists."""
    for _attempt in range(5):
        reference = new_reference()
        stmt = (
            pg_insert(Report)
            .values(
                reference=reference,
                idempotency_key=key,
                request_fingerprint=fingerprint if key else None,
                **values,
            )
            .on_conflict_do_nothing()
            .returning(Report.id)
        )
        report_id = db.session.execute(stmt).scalar()
        if report_id is not None:
            return report_id, reference
        if key is not None and db.session.scalar(
            select(Report.id).where(Report.idempotency_key == key)
        ):
            return None
        # Otherwise the random reference collided: draw another.
    raise RuntimeError("could not allocate a unique reference")


def submit(sub: Submission) -> IntakeResult:
    """Validate and store `sub` as a pending report; the caller commits.

    With an idempotency key, a repeated submission returns the first result and
    stores nothing new, also when the copies race: the unique constraint decides.
    """
    key = _scoped_key(sub)
    fingerprint = _fingerprint(sub)
    if key is not None and (earlier := _replay(key, fingerprint)) is not None:
        return earlier
    clean = validate(
        sub,
        known_categories=known_categories(),
        phone_region=current_app.config.get("MAPPER_DEFAULT_PHONE_REGION"),
    )
    inserted = _insert_report(_report_values(clean, new_mask_seed()), key, fingerprint)
    if inserted is None:
        # A concurrent copy committed first while we waited on the unique index.
        earlier = _replay(key, fingerprint)
        assert earlier is not None
        return earlier
    report_id, reference = inserted
    if clean.category_ids:
        db.session.execute(
            insert(report_categories),
            [{"report_id": report_id, "category_id": cid} for cid in clean.category_ids],
        )
    if clean.contact is not None:
        db.session.execute(
            insert(ReporterContact).values(report_id=report_id, **asdict(clean.contact))
        )
    return IntakeResult(report_id, reference, "pending", created=True)
