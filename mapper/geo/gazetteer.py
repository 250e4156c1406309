"""The offline gazetteer: place names in any language or script, matched without case or
Latin accents, found inside a text (SMS parsing) or from their first letters (place search)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

KHMER = re.compile(r"[\u1780-\u17FF\u19E0-\u19FF]")
THAI = re.compile(r"[\u0E00-\u0E7F]")


def normalise(text: str) -> str:
    """Case- and accent-insensitive form; only Latin accents are removed (Khmer vowel
    signs are combining marks too, and must stay)."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = re.sub(r"[\u0300-\u036f]", "", decomposed)
    return unicodedata.normalize("NFC", stripped).casefold()


def contains(haystack: str, needle: str) -> bool:
    """Whole-word match for Latin text; plain containment for scripts without spaces."""
    if not needle:
        return False
    if KHMER.search(needle) or THAI.search(needle):
        return needle in haystack
    return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", haystack) is not None


@dataclass(frozen=True)
class GazetteerEntry:
    name: str
    lat: float
    lon: float
    country: str
    admin_area: str | None = None


def _starts_a_word(name: str, beginning: str) -> bool:
    """`beginning` opens a word of `name` (anywhere in it, for scripts without spaces)."""
    if KHMER.search(beginning) or THAI.search(beginning):
        return beginning in name
    return re.search(rf"(?<!\w){re.escape(beginning)}", name) is not None


@dataclass
class Gazetteer:
    """Name variants → places; the longest matching variant wins."""

    variants: list[tuple[str, GazetteerEntry]] = field(default_factory=list)
    _sorted: bool = field(default=True, repr=False)

    def add(self, names: list[str], entry: GazetteerEntry) -> None:
        for name in names:
            if name and name.strip():
                self.variants.append((normalise(name.strip()), entry))
                self._sorted = False

    def find(self, text: str) -> GazetteerEntry | None:
        if not self._sorted:
            # A new list, not one sorted in place: other threads may be reading this one.
            self.variants = sorted(self.variants, key=lambda item: len(item[0]), reverse=True)
            self._sorted = True
        folded = normalise(text)
        for variant, entry in self.variants:
            if contains(folded, variant):
                return entry
        return None

    def search(self, query: str, limit: int) -> list[GazetteerEntry]:
        """Places with a name (in any language) that is `query`, begins with it, or has a
        word that does, in that order; shorter names first within each."""
        folded = normalise(query.strip())
        if not folded:
            return []
        ranks: dict[GazetteerEntry, int] = {}
        for variant, entry in self.variants:
            if variant == folded:
                rank = 0
            elif variant.startswith(folded):
                rank = 1
            elif folded in variant and _starts_a_word(variant, folded):
                rank = 2
            else:
                continue
            ranks[entry] = min(rank, ranks.get(entry, rank))
        return sorted(ranks, key=lambda e: (ranks[e], len(e.name), e.name))[:limit]


# Columns of a GeoNames dump (tab-separated, no header): see the dump's readme.
GEONAMES_NAME, GEONAMES_ASCII, GEONAMES_ALTERNATES = 1, 2, 3
GEONAMES_LAT, GEONAMES_LON, GEONAMES_CLASS = 4, 5, 6
GEONAMES_COUNTRY, GEONAMES_ADMIN1, GEONAMES_POPULATION = 8, 10, 14
SHORTEST_VARIANT = 3  # shorter alternate names ("PP") turn up inside ordinary words of a text


def geonames_places(
    lines, admin_names: dict[str, str], feature_classes: str = "P", min_population: int = 0
) -> list[dict]:
    """Places from the lines of a GeoNames dump: name, admin area, country, variants, lat
    and lon. Names are unique in the gazetteer: of the places sharing one, the most populous
    is kept. `admin_names` maps "KH.12" to a first-level area's name (admin1CodesASCII.txt).
    Raises ValueError naming the first line that is not a place."""
    best: dict[str, tuple[int, dict]] = {}
    for number, line in enumerate(lines, start=1):
        cells = line.rstrip("\n").split("\t")
        if len(cells) <= GEONAMES_POPULATION:
            continue
        kind = cells[GEONAMES_CLASS]
        if len(kind) != 1 or kind not in feature_classes:
            continue
        try:
            population = int(cells[GEONAMES_POPULATION] or 0)
            lat, lon = float(cells[GEONAMES_LAT]), float(cells[GEONAMES_LON])
        except ValueError:
            raise ValueError(f"line {number}: not a GeoNames place") from None
        name = cells[GEONAMES_NAME].strip()
        if population < min_population or not name:
            continue
        country = cells[GEONAMES_COUNTRY]
        others = [cells[GEONAMES_ASCII], *cells[GEONAMES_ALTERNATES].split(",")]
        variants = sorted(
            {v.strip() for v in others if len(v.strip()) >= SHORTEST_VARIANT} - {name}
        )
        place = {
            "name": name[:200],
            "admin_area": admin_names.get(f"{country}.{cells[GEONAMES_ADMIN1]}"),
            "country": country,
            "variants": variants,
            "lat": lat,
            "lon": lon,
        }
        if name not in best or population > best[name][0]:
            best[name] = (population, place)
    return [place for _population, place in best.values()]


def geonames_admin_names(lines) -> dict[str, str]:
    """First-level areas' names by code ("KH.12": "Phnom Penh"), from admin1CodesASCII.txt."""
    names = {}
    for line in lines:
        cells = line.rstrip("\n").split("\t")
        if len(cells) >= 2:
            names[cells[0]] = cells[1]
    return names
