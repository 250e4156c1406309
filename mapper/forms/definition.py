"""Form definitions and their answers: field types, checks of a definition, and the validation of
answers by type. Pure: no Flask request, no database."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _

from mapper.geo import GeoValueError, parse_latitude, parse_longitude
from mapper.i18n import LANGUAGE_NAMES
from mapper.intake.validators import FORBIDDEN_CHARACTERS, Problems, day_only, parse_datetime

FIELD_TYPES = (
    "text",
    "long_text",
    "number",
    "integer",
    "select_one",
    "select_many",
    "yes_no",
    "date",
    "datetime",
    "location",
    "photo",
)
LANGUAGES = tuple(LANGUAGE_NAMES)
# The report's own fields a form field may fill, and the field types that can fill each.
STANDARD_FIELDS = {
    "title": ("text",),
    "description": ("text", "long_text"),
    "occurred_at": ("datetime", "date"),
    "location": ("location",),
    "categories": ("select_one", "select_many"),
}
TEXT_LIMITS = {"text": 1000, "long_text": 10_000}
MAX_FIELDS = 100
MAX_CHOICES = 200
NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
CODE = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")
YES = {"yes", "true", "1", "y", "si", "sí", "on"}
NO = {"no", "false", "0", "n", "off"}


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    label: dict[str, str]
    hint: dict[str, str]
    required: bool
    private: bool
    choices: tuple[tuple[str, dict[str, str]], ...]
    maps_to: str | None

    def text(self, what: str, language: str) -> str:
        texts = self.label if what == "label" else self.hint
        return texts.get(language) or texts.get("en") or (self.name if what == "label" else "")

    def choice_values(self) -> tuple[str, ...]:
        return tuple(value for value, _label in self.choices)


def _texts(raw: object, where: str, problems: Problems, required: bool = False) -> dict:
    if raw is None:
        raw = {}
    if isinstance(raw, str):
        raw = {"en": raw}
    if not isinstance(raw, dict):
        problems.add(where, _("Must be text in each language."))
        return {}
    texts = {}
    for language, text in raw.items():
        if language not in LANGUAGES or not isinstance(text, str):
            problems.add(where, _("Must be text in each language."))
            continue
        if FORBIDDEN_CHARACTERS.search(text):
            problems.add(where, _("Contains characters that are not allowed."))
            continue
        if text.strip():
            texts[language] = text.strip()[:500]
    if required and not texts.get("en"):
        problems.add(where, _("The English text is required."))
    return texts


def _choices(raw: object, where: str, problems: Problems) -> tuple:
    if not isinstance(raw, list) or not raw or len(raw) > MAX_CHOICES:
        problems.add(where, _("Give between 1 and %(most)d choices.", most=MAX_CHOICES))
        return ()
    choices, seen = [], set()
    for item in raw:
        value = item.get("value") if isinstance(item, dict) else None
        if not isinstance(value, str) or not NAME.match(value) or value in seen:
            problems.add(where, _("Each choice needs its own short name (a-z, 0-9, _)."))
            continue
        seen.add(value)
        choices.append((value, _texts(item.get("label") or value, where, problems)))
    return tuple(choices)


def category_slug(choice: str) -> str:
    """The category a choice of a categories field names (choice names cannot hold '-')."""
    return choice.replace("_", "-")


def parse_fields(raw: object, known_categories: set[str] | None = None) -> tuple[Field, ...]:
    """The fields of a definition, checked; raises ValidationFailed naming `fields[i].part`."""
    problems = Problems()
    if not isinstance(raw, list) or not raw or len(raw) > MAX_FIELDS:
        problems.add("fields", _("Give between 1 and %(most)d fields.", most=MAX_FIELDS))
        problems.raise_if_any()
    fields, names, mapped = [], set(), set()
    for index, item in enumerate(raw):
        where = f"fields[{index}]"
        if not isinstance(item, dict):
            problems.add(where, _("Must be an object."))
            continue
        name, kind = item.get("name"), item.get("type")
        if not isinstance(name, str) or not NAME.match(name) or name in names:
            problems.add(f"{where}.name", _("Needs its own short name (a-z, 0-9, _)."))
        if kind not in FIELD_TYPES:
            problems.add(f"{where}.type", _("Unknown field type."))
            continue
        names.add(name)
        choices = ()
        if kind in ("select_one", "select_many"):
            choices = _choices(item.get("choices"), f"{where}.choices", problems)
        maps_to = item.get("maps_to") or None
        if maps_to is not None:
            if kind not in STANDARD_FIELDS.get(maps_to, ()) or maps_to in mapped:
                problems.add(f"{where}.maps_to", _("This field cannot fill that report field."))
            elif maps_to == "categories" and known_categories is not None:
                unknown = [v for v, _label in choices if category_slug(v) not in known_categories]
                if unknown:
                    problems.add(f"{where}.choices", _("Choices must be category names."))
            mapped.add(maps_to)
        fields.append(
            Field(
                name=name,
                type=kind,
                label=_texts(item.get("label"), f"{where}.label", problems, required=True),
                hint=_texts(item.get("hint"), f"{where}.hint", problems),
                required=bool(item.get("required")),
                private=bool(item.get("private")),
                choices=choices,
                maps_to=maps_to,
            )
        )
    problems.raise_if_any()
    return tuple(fields)


def field_to_json(field: Field) -> dict:
    return {
        "name": field.name,
        "type": field.type,
        "label": field.label,
        "hint": field.hint,
        "required": field.required,
        "private": field.private,
        "choices": [{"value": v, "label": label} for v, label in field.choices],
        "maps_to": field.maps_to,
    }


# --- answers -------------------------------------------------------------------------------


def _text(field: Field, value: object, where: str, problems: Problems) -> str | None:
    if not isinstance(value, str):
        problems.add(where, _("Must be text."))
        return None
    text = value.strip()
    if len(text) > TEXT_LIMITS[field.type]:
        problems.add(
            where, _("Must be at most %(limit)d characters.", limit=TEXT_LIMITS[field.type])
        )
    elif FORBIDDEN_CHARACTERS.search(text):
        problems.add(where, _("Contains characters that are not allowed."))
    else:
        return text
    return None


def _number(field: Field, value: object, where: str, problems: Problems):
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(value) if field.type == "number" else int(str(value).strip())
    except (TypeError, ValueError):
        message = _("Must be a number.") if field.type == "number" else _("Must be a whole number.")
        problems.add(where, message)
        return None
    if isinstance(number, float) and not math.isfinite(number):
        problems.add(where, _("Must be a number."))
        return None
    if abs(number) > 1e12:
        problems.add(where, _("Too large."))
        return None
    return number


def _selection(field: Field, value: object, where: str, problems: Problems):
    # XForms send a multiple selection as one space-separated text.
    picked = value.split() if isinstance(value, str) else value
    if field.type == "select_one":
        picked = [value.strip()] if isinstance(value, str) else [value]
    if not isinstance(picked, list) or not all(isinstance(p, str) for p in picked):
        problems.add(where, _("Not one of the choices."))
        return None
    unknown = [p for p in picked if p not in field.choice_values()]
    if unknown or (field.type == "select_one" and len(picked) != 1):
        problems.add(where, _("Not one of the choices."))
        return None
    return picked[0] if field.type == "select_one" else list(dict.fromkeys(picked))


def _yes_no(value: object, where: str, problems: Problems) -> bool | None:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in YES or word in NO:
        return word in YES
    problems.add(where, _("Must be yes or no."))
    return None


def _moment(field: Field, value: object, where: str, problems: Problems) -> str | None:
    try:
        if field.type == "date":
            return date.fromisoformat(str(value).strip()).isoformat()
        return parse_datetime(value).isoformat()
    except ValueError:
        if field.type == "date":
            problems.add(where, _("Must be a date like 2024-05-01."))
        else:
            problems.add(where, _("Must be a date and time with a UTC offset."))
        return None


def parse_location(value: object) -> dict:
    """{"lat", "lon", "accuracy"} from an object, "lat lon [alt [accuracy]]" (XForm geopoint)
    or "lat,lon"; raises ValueError (GeoValueError for a coordinate out of range)."""
    if isinstance(value, dict):
        lat, lon, accuracy = value.get("lat"), value.get("lon"), value.get("accuracy")
    elif isinstance(value, str):
        parts = value.replace(",", " ").split()
        if len(parts) not in (2, 3, 4):
            raise ValueError("not a point")
        lat, lon = parts[0], parts[1]
        accuracy = parts[3] if len(parts) == 4 else None
    else:
        raise ValueError("not a point")
    point = {"lat": parse_latitude(lat), "lon": parse_longitude(lon)}
    if accuracy not in (None, ""):
        metres = float(accuracy)
        if math.isfinite(metres) and metres >= 0:
            point["accuracy"] = metres
    return point


def _location(value: object, where: str, problems: Problems) -> dict | None:
    try:
        return parse_location(value)
    except (GeoValueError, ValueError, TypeError):
        problems.add(where, _("Must be a point: latitude and longitude in degrees."))
        return None


def _empty(value: object) -> bool:
    return (
        value is None
        or value == ""
        or value == []
        or (isinstance(value, str) and not value.strip())
    )


def clean_answers(fields: tuple[Field, ...], raw: object, photos: set[str] = frozenset()) -> dict:
    """Answers checked by type, keyed by field name; raises ValidationFailed naming
    `answers.<field>`. A photo answer must be one of `photos`, the names of stored uploads."""
    problems = Problems()
    if not isinstance(raw, dict):
        problems.add("answers", _("Must be an object."))
        problems.raise_if_any()
    known = {f.name for f in fields}
    for name in raw:
        if name not in known:
            problems.add(f"answers.{name}", _("This form has no such field."))
    answers: dict = {}
    for field in fields:
        where = f"answers.{field.name}"
        value = raw.get(field.name)
        if _empty(value):
            if field.required:
                problems.add(where, _("This field is required."))
            continue
        if field.type in TEXT_LIMITS:
            cleaned = _text(field, value, where, problems)
        elif field.type in ("number", "integer"):
            cleaned = _number(field, value, where, problems)
        elif field.type in ("select_one", "select_many"):
            cleaned = _selection(field, value, where, problems)
        elif field.type == "yes_no":
            cleaned = _yes_no(value, where, problems)
        elif field.type in ("date", "datetime"):
            cleaned = _moment(field, value, where, problems)
        elif field.type == "location":
            cleaned = _location(value, where, problems)
        else:  # photo
            cleaned = value if isinstance(value, str) and value in photos else None
            if cleaned is None:
                problems.add(where, _("The photo did not arrive."))
        if cleaned is not None:
            answers[field.name] = cleaned
    problems.raise_if_any()
    return answers


def event_moment(value: str) -> datetime:
    """An occurred_at answer as a moment: a date alone means its midday in UTC."""
    moment = datetime.fromisoformat(value)
    return day_only(moment) if len(value) == 10 else moment
