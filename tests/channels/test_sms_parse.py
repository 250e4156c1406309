"""SMS free-text parsing, with no database: coordinates, places, keywords, language."""

from datetime import UTC, datetime

import pytest

from mapper.channels.sms.parse import (
    detect_language,
    find_coordinates,
    find_date,
    fit_one_sms,
    parse,
    sms_length_limit,
)
from mapper.geo.gazetteer import Gazetteer, GazetteerEntry

POIPET = GazetteerEntry("Poipet", 13.6593, 102.5635, "KH")
PHNOM_PENH = GazetteerEntry("Phnom Penh", 11.5564, 104.9282, "KH")
MEDELLIN = GazetteerEntry("Medellín", 6.2442, -75.5812, "CO")
SERIE = GazetteerEntry("Serei Saophoan", 13.5859, 102.9737, "KH")
KEYWORDS = {
    "forced-labour-fishing": ["boat", "barco", "ទូក"],
    "forced-begging": ["begging", "mendicidad", "សុំទាន"],
}


@pytest.fixture
def gazetteer():
    places = Gazetteer()
    places.add(["Poipet", "Paoy Paet", "ប៉ោយប៉ែត"], POIPET)
    places.add(["Phnom Penh", "Nom Pen", "ភ្នំពេញ"], PHNOM_PENH)
    places.add(["Medellín", "Medellin"], MEDELLIN)
    places.add(["Serei Saophoan", "Sisophon"], SERIE)
    return places


@pytest.mark.parametrize(
    "text, expected",
    [
        ("girls held at 11.556, 104.928 please help", (11.556, 104.928)),
        ("location 11.556N 104.928E now", (11.556, 104.928)),
        ("en 6.2442 N, 75.5812 O", (6.2442, -75.5812)),
        ("see https://maps.google.com/?q=13.6593,102.5635 quickly", (13.6593, 102.5635)),
        ("https://www.google.com/maps/place/@-33.8688,151.2093,15z", (-33.8688, 151.2093)),
        ("pin 13.66;102.56", (13.66, 102.56)),
    ],
)
def test_coordinates_in_every_common_form(text, expected):
    assert find_coordinates(text) == expected


@pytest.mark.parametrize("text", ["paid 12.50 for 3.5 hours", "95.123, 10.456", "no numbers"])
def test_things_that_are_not_coordinates(text):
    assert find_coordinates(text) is None


def test_place_names_match_without_case_or_accents_in_three_scripts(gazetteer):
    assert gazetteer.find("children begging near PAOY PAET market") == POIPET
    assert gazetteer.find("niños en medellin centro") == MEDELLIN
    assert gazetteer.find("មានកុមារសុំទាននៅភ្នំពេញ") == PHNOM_PENH
    assert gazetteer.find("nothing known here") is None


def test_the_longest_name_wins(gazetteer):
    gazetteer.add(["Penh"], GazetteerEntry("Penh village", 1.0, 1.0, "KH"))
    assert gazetteer.find("in phnom penh today") == PHNOM_PENH


def test_categories_from_keywords_in_each_language(gazetteer):
    assert parse("boys kept on a boat", gazetteer, KEYWORDS).categories == (
        "forced-labour-fishing",
    )
    assert parse("mendicidad forzada", gazetteer, KEYWORDS).categories == ("forced-begging",)
    assert parse("កុមារសុំទាន", gazetteer, KEYWORDS).categories == ("forced-begging",)
    assert parse("boatswain", gazetteer, KEYWORDS).categories == ()  # whole words only


@pytest.mark.parametrize(
    "text, language",
    [
        ("ជួយផង", "km"),
        ("ช่วยด้วย", "th"),
        ("hay niños trabajando", "es"),
        ("workers locked in", "en"),
        ("😀😀", "en"),
    ],
)
def test_language_from_script_and_words(text, language):
    assert detect_language(text) == language


def test_keywords_and_status(gazetteer):
    assert parse("HELP they locked us in", gazetteer, {}).help
    assert parse("Ayuda por favor", gazetteer, {}).help
    assert parse("ជួយខ្ញុំផង", gazetteer, {}).help
    assert not parse("helpful neighbours", gazetteer, {}).help
    assert parse("SOS now", gazetteer, {}, help_words=("sos",)).help
    assert parse("status abcd2345", gazetteer, {}).status_reference == "ABCD2345"
    assert parse("ESTADO ABCD2345", gazetteer, {}).status_reference == "ABCD2345"


def test_dates_in_the_text():
    assert find_date("seen on 2025-03-14 at night") == datetime(2025, 3, 14, 12, tzinfo=UTC)
    assert find_date("visto el 14/03/2025") == datetime(2025, 3, 14, 12, tzinfo=UTC)
    assert find_date("on 31/02/2025") is None


def test_place_gives_the_location_when_there_are_no_coordinates(gazetteer):
    parsed = parse("boat in poipet", gazetteer, KEYWORDS)
    assert (parsed.latitude, parsed.longitude, parsed.place_name) == (13.6593, 102.5635, "Poipet")
    assert parse("boat at 10.52, 103.51 poipet", gazetteer, KEYWORDS).latitude == 10.52


@pytest.mark.parametrize("text", ["x" * 500, "ជួយ" * 100, "€" * 100, "Reference ABCD2345. " * 20])
def test_replies_fit_in_one_sms(text):
    length, limit = sms_length_limit(fit_one_sms(text))
    assert length <= limit
