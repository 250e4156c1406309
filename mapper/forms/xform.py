"""A form version as an ODK XForm, built by pyxform from the XLSForm rows the fields describe, so
that ODK Collect and KoboCollect read it as they read any XLSForm-made form."""

from __future__ import annotations

import hashlib

from pyxform.xls2xform import convert

from mapper.forms.definition import LANGUAGES, Field
from mapper.i18n import LANGUAGE_NAMES as SITE_LANGUAGES

# XLSForm's "Name (code)" spelling of each language, which ODK Collect shows in its menu.
LANGUAGE_NAMES = {code: f"{name} ({code})" for code, name in SITE_LANGUAGES.items()}
XLSFORM_TYPES = {
    "text": "text",
    "long_text": "text",
    "number": "decimal",
    "integer": "integer",
    "date": "date",
    "datetime": "dateTime",
    "location": "geopoint",
    "photo": "image",
    "yes_no": "select_one yes_no",
}
YES_NO = (
    ("yes", {"en": "Yes", "es": "Sí", "km": "បាទ/ចាស"}),
    ("no", {"en": "No", "es": "No", "km": "ទេ"}),
)


def _labelled(row: dict, column: str, texts: dict[str, str], fallback: str) -> dict:
    """One column per language; a missing translation shows the English text, not a dash."""
    for language in LANGUAGES:
        row[f"{column}::{LANGUAGE_NAMES[language]}"] = texts.get(language) or fallback
    return row


def _survey_row(field: Field) -> dict:
    if field.type in ("select_one", "select_many"):
        kind = f"{field.type.replace('many', 'multiple')} {field.name}_choices"
    else:
        kind = XLSFORM_TYPES[field.type]
    row = {"type": kind, "name": field.name}
    _labelled(row, "label", field.label, field.text("label", "en"))
    if field.hint:
        _labelled(row, "hint", field.hint, field.text("hint", "en"))
    if field.required:
        row["required"] = "yes"
    if field.type == "long_text":
        row["appearance"] = "multiline"
    return row


def _choice_rows(fields: tuple[Field, ...]) -> list[dict]:
    rows = []
    if any(f.type == "yes_no" for f in fields):
        rows += [
            _labelled({"list_name": "yes_no", "name": v}, "label", texts, texts["en"])
            for v, texts in YES_NO
        ]
    for field in fields:
        for value, texts in field.choices:
            row = {"list_name": f"{field.name}_choices", "name": value}
            rows.append(_labelled(row, "label", texts, texts.get("en") or value))
    return rows


def build_xform(code: str, title: str, version: int, fields: tuple[Field, ...]) -> bytes:
    """The XForm XML of one form version; its meta/instanceID is filled in by the phone."""
    workbook = {
        "survey": [_survey_row(f) for f in fields],
        "choices": _choice_rows(fields),
        "settings": [
            {
                "form_title": title,
                "form_id": code,
                "version": str(version),
                "default_language": LANGUAGE_NAMES["en"],
            }
        ],
    }
    return convert(workbook, form_name="data").xform.encode()


def md5_hash(xform: bytes) -> str:
    """The formList hash of a form file: clients fetch the form again when it changes."""
    return "md5:" + hashlib.md5(xform, usedforsecurity=False).hexdigest()
