"""Admin pages for volunteer forms: the list, and the builder that creates or edits one."""

from __future__ import annotations

import json

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from mapper import jsontext
from mapper.errors import ValidationFailed
from mapper.extensions import db
from mapper.forms import manage, service
from mapper.forms.definition import FIELD_TYPES, LANGUAGES, STANDARD_FIELDS
from mapper.models import FORM_AUDIENCES

NO_STORE = {"Cache-Control": "private, no-store"}


def form_list():
    forms = manage.all_forms()
    return render_template("admin/forms.html", forms=forms), 200, NO_STORE


def builder(form=None, sent: dict | None = None, errors: dict | None = None, status: int = 200):
    """The builder, filled from `form` or from what the admin sent (after an error)."""
    if sent is None:
        sent = {
            "code": form.code if form else "",
            "names": dict(form.names) if form else {},
            "audience": form.audience if form else "volunteers",
            "needs_approval": form.needs_approval if form else True,
            "active": form.active if form else True,
            "hide_location": form.hide_location if form else False,
            "hide_time_of_day": form.hide_time_of_day if form else False,
            "volunteers": "\n".join(u.email for u in form.volunteers) if form else "",
            "fields": json.dumps(form.current.fields if form else [], ensure_ascii=False, indent=1),
        }
    page = render_template(
        "admin/form_builder.html",
        form=form,
        sent=sent,
        errors=errors or {},
        field_types=FIELD_TYPES,
        standard_fields=STANDARD_FIELDS,
        audiences=FORM_AUDIENCES,
        languages=LANGUAGES,
    )
    return page, status, NO_STORE


def _sent() -> dict:
    return {
        "code": request.form.get("code", ""),
        "names": {lang: request.form.get(f"name_{lang}", "") for lang in LANGUAGES},
        "audience": request.form.get("audience", ""),
        "needs_approval": request.form.get("needs_approval") == "on",
        "active": request.form.get("active") == "on",
        "hide_location": request.form.get("hide_location") == "on",
        "hide_time_of_day": request.form.get("hide_time_of_day") == "on",
        "volunteers": request.form.get("volunteers", ""),
        "fields": request.form.get("fields", ""),
    }


def save(code: str | None = None):
    form = service.find_form(code) if code else None
    sent = _sent()
    try:
        fields = jsontext.loads(sent["fields"] or "null")
    except ValueError:
        return builder(form, sent, {"fields": [_("The fields are not valid JSON.")]}, 422)
    settings = manage.FormSettings(
        code=sent["code"],
        names=sent["names"],
        audience=sent["audience"],
        needs_approval=sent["needs_approval"],
        active=sent["active"],
        hide_location=sent["hide_location"],
        hide_time_of_day=sent["hide_time_of_day"],
        volunteer_emails=tuple(sent["volunteers"].split()),
        fields=fields,
    )
    try:
        saved = manage.save_form(settings, form)
    except ValidationFailed as failed:
        db.session.rollback()
        return builder(form, sent, failed.by_field(), 422)
    db.session.commit()
    flash(_("Form %(code)s saved (version %(n)d).", code=saved.code, n=saved.current.number))
    return redirect(url_for("admin.edit_form", code=saved.code))


def edit(code: str):
    return builder(service.find_form(code))
