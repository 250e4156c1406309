"""Free-text SMS parsing: coordinates, place names, categories, keywords, language, dates.

Pure functions over the message text and an in-memory gazetteer; nothing here drops a
message: whatever cannot be read is simply left out of the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from mapper.geo import GeoValueError, parse_latitude, parse_longitude
from mapper.geo.gazetteer import (
    KHMER,
    THAI,
    Gazetteer,
    contains,
    normalise,
)

SPANISH_HINTS = {
    "ayuda",
    "hola",
    "hay",
    "que",
    "los",
    "las",
    "una",
    "niños",
    "ninos",
    "niñas",
    "trabajo",
    "estan",
    "están",
    "por",
    "favor",
    "donde",
    "dónde",
    "calle",
    "cerca",
    "mujeres",
    "personas",
}
HELP_WORDS = ("help", "ayuda", "auxilio", "socorro", "ជួយ")
STATUS = re.compile(r"^\s*(?:status|estado|ស្ថានភាព)\s+([A-Za-z0-9]{8})\b", re.IGNORECASE)

_NUMBER = r"-?\d{1,3}\.\d{2,}"
MAP_LINK = re.compile(r"(?:@|[?&](?:q|ll|query)=)(-?\d{1,2}\.\d+),\s*(-?\d{1,3}\.\d+)")
HEMISPHERES = re.compile(
    r"(\d{1,2}(?:\.\d+)?)\s*°?\s*([NSns])[\s,;/]+(\d{1,3}(?:\.\d+)?)\s*°?\s*([EWOewo])"
)
DECIMAL_PAIR = re.compile(rf"(?<![\d.])({_NUMBER})\s*[,;/ ]\s*({_NUMBER})(?![\d.])")
ISO_DATE = re.compile(r"\b(20\d{2}|19[5-9]\d)-(\d{1,2})-(\d{1,2})\b")
DMY_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(20\d{2}|19[5-9]\d)\b")


def detect_language(text: str) -> str:
    """km for Khmer script, th for Thai, es or en for Latin (by common Spanish words)."""
    if KHMER.search(text):
        return "km"
    if THAI.search(text):
        return "th"
    words = set(re.findall(r"[^\W\d_]+", text.casefold()))
    return "es" if len(words & SPANISH_HINTS) >= 1 else "en"


def _point(lat: object, lon: object) -> tuple[float, float] | None:
    try:
        return parse_latitude(lat), parse_longitude(lon)
    except GeoValueError:
        return None


def find_coordinates(text: str) -> tuple[float, float] | None:
    """Decimal coordinates, 11.5N 104.9E, or a maps link with @lat,lon or q=lat,lon."""
    for match in MAP_LINK.finditer(text):
        if point := _point(match[1], match[2]):
            return point
    for match in HEMISPHERES.finditer(text):
        lat = float(match[1]) * (-1 if match[2].upper() == "S" else 1)
        lon = float(match[3]) * (-1 if match[4].upper() in ("W", "O") else 1)
        if point := _point(lat, lon):
            return point
    for match in DECIMAL_PAIR.finditer(text):
        if point := _point(match[1], match[2]):
            return point
    return None


def find_date(text: str) -> datetime | None:
    for pattern, order in ((ISO_DATE, (0, 1, 2)), (DMY_DATE, (2, 1, 0))):
        for match in pattern.finditer(text):
            year, month, day = (int(match[i + 1]) for i in order)
            try:
                return datetime(year, month, day, 12, tzinfo=UTC)
            except ValueError:
                continue
    return None


def keyword_pattern(words: list[str]) -> re.Pattern | None:
    """One pattern for a category's keywords: whole words in Latin text, plain substrings
    in scripts without spaces."""
    parts = []
    for word in words:
        folded = normalise(word.strip())
        if not folded:
            continue
        if KHMER.search(folded) or THAI.search(folded):
            parts.append(re.escape(folded))
        else:
            parts.append(rf"(?<!\w){re.escape(folded)}(?!\w)")
    return re.compile("|".join(parts)) if parts else None


def find_categories(text: str, keywords: dict[str, list[str] | re.Pattern]) -> list[str]:
    """Slugs whose keywords (any language) occur in the text, in the order given."""
    folded = normalise(text)
    found = []
    for slug, words in keywords.items():
        pattern = words if isinstance(words, re.Pattern) else keyword_pattern(words)
        if pattern is not None and pattern.search(folded):
            found.append(slug)
    return found


def is_help(text: str, words: tuple[str, ...] = HELP_WORDS) -> bool:
    folded = normalise(text)
    return any(contains(folded, normalise(word)) for word in words)


def status_reference(text: str) -> str | None:
    match = STATUS.match(text)
    return match[1].upper() if match else None


@dataclass(frozen=True)
class ParsedSms:
    language: str
    latitude: float | None
    longitude: float | None
    place_name: str | None
    country: str | None
    categories: tuple[str, ...]
    occurred_at: datetime | None
    help: bool
    status_reference: str | None


def parse(
    text: str,
    gazetteer: Gazetteer,
    keywords: dict[str, list[str] | re.Pattern],
    help_words: tuple[str, ...] = HELP_WORDS,
) -> ParsedSms:
    point = find_coordinates(text)
    place = gazetteer.find(text)
    if point is None and place is not None:
        point = (place.lat, place.lon)
    return ParsedSms(
        language=detect_language(text),
        latitude=point[0] if point else None,
        longitude=point[1] if point else None,
        place_name=place.name if place else None,
        country=place.country if place else None,
        categories=tuple(find_categories(text, keywords)),
        occurred_at=find_date(text),
        help=is_help(text, help_words),
        status_reference=status_reference(text),
    )


GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€")


def sms_length_limit(text: str) -> tuple[int, int]:
    """(length in the encoding a phone would use, the one-SMS limit for that encoding)."""
    if all(c in GSM7 or c in GSM7_EXTENDED for c in text):
        return sum(2 if c in GSM7_EXTENDED else 1 for c in text), 160
    return len(text.encode("utf-16-le")) // 2, 70


def fit_one_sms(text: str) -> str:
    """Shorten `text` (with an ellipsis) until it fits in a single SMS."""
    length, limit = sms_length_limit(text)
    ellipsis = "..." if limit == 160 else "…"
    while length > limit:
        text = text[: max(0, len(text) - (length - limit) - len(ellipsis))].rstrip() + ellipsis
        length, limit = sms_length_limit(text)
    return text
