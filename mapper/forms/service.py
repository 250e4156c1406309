"""Forms: who may use them, their versions, and a filled form turned into one intake submission
(photos re-encoded first, the client's instance id as the idempotency key). Services flush; the
caller commits."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from mapper.auth.permissions import can
from mapper.errors import MapperError, NotFound
from mapper.extensions import db
from mapper.forms.definition import (
    CODE,
    Field,
    category_slug,
    clean_answers,
    event_moment,
    field_to_json,
    parse_fields,
)
from mapper.forms.photos import discard, reencode, store
from mapper.intake import IntakeResult, Submission, submit
from mapper.models import Category, Form, FormVersion, Photo, Report
from mapper.moderation.service import apply_action


def upload_dir() -> str:
    return current_app.config["MAPPER_UPLOAD_DIR"]


def fields_of(version: FormVersion) -> tuple[Field, ...]:
    return parse_fields(version.fields)


def may_submit(user, form: Form) -> bool:
    """Public forms take anyone's answers; the others volunteers' (named ones, if named)."""
    if not form.active:
        return False
    if form.audience == "public":
        return True
    if user is None or not user.is_authenticated or not can(user, "submit_volunteer_report"):
        return False
    return form.audience == "volunteers" or user in form.volunteers or user.role == "admin"


def forms_for(user) -> list[Form]:
    forms = db.session.scalars(select(Form).where(Form.active).order_by(Form.code)).all()
    return [f for f in forms if may_submit(user, f)]


def find_form(code: str) -> Form:
    # A code no form can have is not looked up: it may hold what the database cannot read.
    form = None
    if CODE.match(code.upper()):
        form = db.session.scalar(select(Form).where(Form.code == code.upper()))
    if form is None:
        raise NotFound(_("No such form."), "form")
    return form


def version_of(form: Form, number: object) -> FormVersion:
    """The version a client filled in; answers to an old version stay valid against it."""
    for version in form.versions:
        if str(version.number) == str(number):
            return version
    raise MapperError(_("This form version is unknown."), "version", 422)


def save_version(form: Form, raw_fields: object) -> FormVersion:
    """A new version when the fields changed; the current one otherwise."""
    known = set(db.session.scalars(select(Category.slug)))
    fields = parse_fields(raw_fields, known_categories=known)
    definition = [field_to_json(f) for f in fields]
    if form.versions and form.current.fields == definition:
        return form.current
    number = form.versions[-1].number + 1 if form.versions else 1
    version = FormVersion(form=form, number=number, fields=definition)
    db.session.add(version)
    db.session.flush()
    return version


def new_submission_token() -> str:
    return secrets.token_urlsafe(24)


@dataclass
class FilledForm:
    """A form as a client sent it: raw answers and the uploads the photo answers name."""

    version: FormVersion
    answers: dict
    uploads: dict[str, bytes] = field(default_factory=dict)
    instance_id: str | None = None
    language: str | None = None


def _photos(fields: tuple[Field, ...], filled: FilledForm) -> tuple[dict, dict]:
    """Re-encode every photo answer's upload; the answers then name each by its digest."""
    answers, cleaned = dict(filled.answers), {}
    for f in fields:
        name = answers.get(f.name)
        if f.type != "photo" or not name:
            continue
        if not isinstance(name, str) or name not in filled.uploads:
            raise MapperError(_("The photo did not arrive."), f"answers.{f.name}", 422)
        raw = filled.uploads[name]
        digest = hashlib.sha256(raw).hexdigest()
        cleaned[f.name] = (digest, reencode(raw, f"answers.{f.name}"))
        answers[f.name] = digest
    return answers, cleaned


def _report_fields(form: Form, fields: tuple[Field, ...], answers: dict) -> dict:
    """The report's own fields, taken from the answers of the fields mapped to them."""
    mapped = {f.maps_to: answers.get(f.name) for f in fields if f.maps_to}
    values: dict = {
        "title": mapped.get("title") or form.name("en"),
        "description": mapped.get("description") or "",
        "occurred_at": event_moment(mapped["occurred_at"]) if mapped.get("occurred_at") else None,
    }
    if isinstance(mapped.get("location"), dict):
        point = mapped["location"]
        values.update(
            latitude=point["lat"], longitude=point["lon"], location_accuracy=point.get("accuracy")
        )
    chosen = mapped.get("categories") or []
    chosen = [chosen] if isinstance(chosen, str) else chosen
    values["categories"] = [category_slug(choice) for choice in chosen]
    return values


def submit_form(filled: FilledForm, user, source: str) -> tuple[IntakeResult, list[str]]:
    """Store a filled form as one report (once per instance id); returns the intake result and
    the names of photo files written, which the caller removes if its commit fails."""
    version = filled.version
    form = version.form
    fields = fields_of(version)
    answers, photos = _photos(fields, filled)
    clean = clean_answers(fields, answers, photos={digest for digest, _p in photos.values()})
    values = _report_fields(form, fields, clean)
    if values["occurred_at"] is None:
        values["occurred_at"] = datetime.now(UTC)
    author = user.id if user is not None and user.is_authenticated else None
    submission = Submission(
        source=source,
        language=filled.language,
        custom_answers={"form": form.code, "version": version.number, "answers": clean},
        idempotency_key=filled.instance_id,
        form_version_id=version.id,
        submitted_by_id=author,
        hide_location=form.hide_location,
        hide_time_of_day=form.hide_time_of_day,
        **values,
    )
    result = submit(submission)
    written: list[str] = []
    if not result.created:
        return result, written
    directory = upload_dir()
    private = {f.name for f in fields if f.private}
    try:
        for name, (digest, photo) in photos.items():
            written.append(store(photo, directory))
            db.session.add(
                Photo(
                    name=written[-1],
                    digest=digest,
                    media_type=photo.media_type,
                    width=photo.width,
                    height=photo.height,
                    size=len(photo.content),
                    report_id=result.id,
                    field=name,
                    private=name in private,
                    uploaded_by_id=author,
                )
            )
        db.session.flush()
        if not form.needs_approval:
            report = db.session.get(Report, result.id)
            apply_action(report, "publish", None, report.version)
    except Exception:
        discard(written, directory)
        raise
    return result, written
