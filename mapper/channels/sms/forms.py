"""Compact form reports by SMS: a volunteer whose number is registered texts
`<FORMCODE> field=value; field=value` and the form's answers become a report, with no data
connection. Locations are `lat,lon` or a gazetteer place; errors are answered field by field."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import select

from mapper.channels.sms.parse import Gazetteer, find_coordinates
from mapper.errors import MapperError, ValidationFailed
from mapper.extensions import db
from mapper.forms import service
from mapper.intake import IntakeResult
from mapper.models import Form, User

COMPACT = re.compile(r"^\s*([A-Za-z][A-Za-z0-9]{1,9})\s+(.*\S)\s*$", re.DOTALL)


def volunteer_for(phone: str | None) -> User | None:
    """The active account registered with this number (E.164), if any."""
    if phone is None:
        return None
    user = db.session.scalar(select(User).where(User.phone == phone))
    return user if user is not None and user.active else None


def matching_form(user: User | None, body: str) -> Form | None:
    """The form whose code starts the message, when this sender may submit it."""
    match = COMPACT.match(body)
    if user is None or match is None or "=" not in match.group(2):
        return None
    form = db.session.scalar(select(Form).where(Form.code == match.group(1).upper()))
    return form if form is not None and service.may_submit(user, form) else None


def _location(value: str, gazetteer: Gazetteer) -> str:
    point = find_coordinates(value)
    if point is None:
        place = gazetteer.find(value)
        if place is None:
            return value  # refused by the answer check, naming the field
        point = (place.lat, place.lon)
    return f"{point[0]} {point[1]}"


def answers_of(body: str, form: Form, gazetteer: Gazetteer) -> dict:
    """`field=value` pairs after the code; raises ValidationFailed for a pair without `=`."""
    fields = {f.name: f for f in service.fields_of(form.current)}
    answers: dict = {}
    for part in COMPACT.match(body).group(2).split(";"):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        name, value = name.strip().lower(), value.strip()
        if not sep or not name:
            raise ValidationFailed([(part.strip()[:20], _("Write field=value."))])
        field = fields.get(name)
        if field is not None and field.type == "location":
            value = _location(value, gazetteer)
        elif field is not None and field.type == "select_many":
            value = value.replace(",", " ")
        answers[name] = value
    return answers


def submit_compact(
    user: User, form: Form, body: str, gazetteer: Gazetteer, key: str, language: str | None
) -> IntakeResult:
    """One report from the message; MapperError (naming the field) when an answer is wrong."""
    filled = service.FilledForm(
        version=form.current,
        answers=answers_of(body, form, gazetteer),
        instance_id=key,
        language=language,
    )
    result, _written = service.submit_form(filled, user, "sms")
    return result


def problem_reply(code: str, error: MapperError) -> str:
    """What was wrong, field by field, in as few words as an SMS allows."""
    problems = "; ".join(
        f"{(e['field'] or '').removeprefix('answers.')}: {e['message']}" for e in error.errors()
    )
    return _("%(code)s not sent. %(problems)s", code=code, problems=problems)
