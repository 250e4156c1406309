"""Admin actions on forms: create and edit a form's settings and fields. Changing the fields makes
a new version; earlier versions stay, so the answers given to them stay readable."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from mapper.errors import ValidationFailed
from mapper.extensions import db
from mapper.forms.definition import CODE, LANGUAGES
from mapper.forms.service import new_submission_token, save_version
from mapper.models import FORM_AUDIENCES, Form, User


@dataclass(frozen=True)
class FormSettings:
    """What the builder page sends, untrusted until `check` has read it."""

    code: str
    names: dict
    audience: str
    needs_approval: bool
    active: bool
    hide_location: bool
    hide_time_of_day: bool
    volunteer_emails: tuple[str, ...]
    fields: object


def _volunteers(emails: tuple[str, ...], problems: list) -> list[User]:
    wanted = [e.strip().lower() for e in emails if e.strip()]
    found = db.session.scalars(select(User).where(User.email.in_(wanted))).all() if wanted else []
    known = {u.email for u in found if u.role == "volunteer"}
    missing = [e for e in wanted if e not in known]
    if missing:
        problems.append(
            ("volunteers", _("No volunteer account for %(emails)s.", emails=", ".join(missing)))
        )
    return [u for u in found if u.email in known]


def _check(settings: FormSettings, form: Form | None) -> tuple[dict, list[User]]:
    problems: list[tuple[str, str]] = []
    code = settings.code.strip().upper()
    if not CODE.match(code):
        problems.append(("code", _("2 to 10 capital letters or digits, starting with a letter.")))
    else:
        taken = db.session.scalar(select(Form.id).where(Form.code == code))
        if taken is not None and (form is None or taken != form.id):
            problems.append(("code", _("Another form has this code.")))
    names = {
        lang: text.strip()[:200]
        for lang, text in settings.names.items()
        if lang in LANGUAGES and isinstance(text, str) and text.strip()
    }
    if not names.get("en"):
        problems.append(("name_en", _("The English name is required.")))
    if settings.audience not in FORM_AUDIENCES:
        problems.append(("audience", _("Choose who may submit this form.")))
    volunteers = _volunteers(settings.volunteer_emails, problems)
    if problems:
        raise ValidationFailed(problems)
    values = {
        "code": code,
        "names": names,
        "audience": settings.audience,
        "needs_approval": settings.needs_approval,
        "active": settings.active,
        "hide_location": settings.hide_location,
        "hide_time_of_day": settings.hide_time_of_day,
    }
    return values, volunteers


def save_form(settings: FormSettings, form: Form | None = None) -> Form:
    """Create (form None) or update a form; raises ValidationFailed with every problem."""
    values, volunteers = _check(settings, form)
    if form is None:
        form = Form(submission_token=new_submission_token(), **values)
        db.session.add(form)
    else:
        if form.code != values["code"]:
            # ODK phones know a form by its code: a new code would orphan their copies.
            raise ValidationFailed([("code", _("The code of a form in use cannot change."))])
        for name, value in values.items():
            setattr(form, name, value)
    form.volunteers = volunteers
    db.session.flush()
    save_version(form, settings.fields)
    return form


def all_forms() -> list[Form]:
    return db.session.scalars(select(Form).order_by(Form.code)).all()
