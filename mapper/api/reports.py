"""Report endpoints: JSON in, intake, GeoJSON out through the privacy gate (or, for
analysts who ask with `audience=reviewer`, at exact points and in every status they chose)."""

from __future__ import annotations

from flask import Request, jsonify, url_for
from flask_babel import gettext as _
from flask_login import current_user

from mapper import jsontext
from mapper.api.answers import json_answer
from mapper.errors import MapperError, NotFound, ValidationFailed
from mapper.extensions import db
from mapper.intake import ContactInput, Submission, submit
from mapper.query.filters import parse_filters
from mapper.query.maps import audience_of
from mapper.query.public import DEFAULT_LIMIT, MAX_LIMIT, find_reports, get_public_report

REPORT_FIELDS = {
    "title",
    "description",
    "occurred_at",
    "location",
    "categories",
    "contact",
    "language",
    "place_name",
}
CONTACT_FIELDS = {"name", "phone", "email"}


def read_json_object(request: Request) -> dict:
    """The request body as a JSON object, or a 415/400 naming what is wrong."""
    if request.mimetype != "application/json":
        raise MapperError(_("Send the body as application/json."), "Content-Type", 415)
    raw = request.get_data(cache=False)
    try:
        body = jsontext.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise MapperError(_("The body is not valid JSON."), "body", 400) from None
    if not isinstance(body, dict):
        raise MapperError(_("The body must be a JSON object."), "body", 400)
    return body


def _location(value: object, problems: list) -> tuple[object, object, object]:
    """Accept {lat, lon[, accuracy]} or a GeoJSON Point; return raw (lat, lon, accuracy)."""
    if value is None:
        return None, None, None
    if isinstance(value, dict) and value.get("type") == "Point":
        coords = value.get("coordinates")
        if isinstance(coords, list) and len(coords) in (2, 3):
            return coords[1], coords[0], None
        problems.append(("location", _("A GeoJSON Point needs [longitude, latitude].")))
        return None, None, None
    if isinstance(value, dict) and set(value) <= {"lat", "lon", "accuracy"}:
        return value.get("lat"), value.get("lon"), value.get("accuracy")
    problems.append(("location", _('Must be {"lat", "lon"} or a GeoJSON Point.')))
    return None, None, None


def _contact(value: object, problems: list) -> ContactInput | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not set(value) <= CONTACT_FIELDS:
        problems.append(("contact", _("Must be an object with name, phone and email.")))
        return None
    return ContactInput(value.get("name"), value.get("phone"), value.get("email"))


def submission_from_json(body: dict, idempotency_key: str | None) -> Submission:
    problems: list[tuple[str, str]] = [
        (name, _("Unknown field.")) for name in sorted(set(body) - REPORT_FIELDS)
    ]
    lat, lon, accuracy = _location(body.get("location"), problems)
    contact = _contact(body.get("contact"), problems)
    if problems:
        raise ValidationFailed(problems)
    return Submission(
        source="api",
        title=body.get("title"),
        description=body.get("description"),
        occurred_at=body.get("occurred_at"),
        latitude=lat,
        longitude=lon,
        location_accuracy=accuracy,
        place_name=body.get("place_name"),
        categories=body.get("categories", ()),
        contact=contact,
        language=body.get("language"),
        idempotency_key=idempotency_key,
    )


def create(request: Request):
    body = read_json_object(request)
    result = submit(submission_from_json(body, request.headers.get("Idempotency-Key")))
    db.session.commit()
    response = jsonify({"id": result.id, "reference": result.reference, "status": result.status})
    response.status_code = 201
    if not result.created:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def _limit(value: str | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    try:
        limit = int(value)
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_LIMIT:
        raise MapperError(_("Must be a whole number from 1 to %(max)d.", max=MAX_LIMIT), "limit")
    return limit


def list_reports(request: Request):
    filters = parse_filters(request.args)
    audience = audience_of(request.args, current_user)
    limit = _limit(request.args.get("limit"))
    page = find_reports(filters, audience, limit, request.args.get("cursor"))
    next_url = None
    if page.next_cursor:
        args = {k: v for k, v in request.args.items() if k != "cursor"}
        next_url = url_for("api.list_reports", cursor=page.next_cursor, _external=True, **args)
    return json_answer(
        {
            "type": "FeatureCollection",
            "features": page.features,
            "numberReturned": len(page.features),
            "next": next_url,
        },
        request,
    )


def show_public(reference: str):
    feature = get_public_report(reference)
    if feature is None:
        raise NotFound(_("No public report has this reference."), "reference")
    return jsonify(feature)


__all__ = ["create", "list_reports", "show_public"]
