"""Place search: towns of the offline gazetteer by the first letters of a name, in any script."""

import pytest

POIPET = {
    "name": "Poipet",
    "admin_area": "Banteay Meanchey",
    "country": "KH",
    "lat": 13.6593,
    "lon": 102.5635,
}


def names(client, query: str, **args) -> list[str]:
    response = client.get("/api/v1/places", query_string={"q": query, **args})
    assert response.status_code == 200
    return [place["name"] for place in response.get_json()["places"]]


def test_a_place_is_found_by_its_first_letters_with_where_it_is(client, places):
    response = client.get("/api/v1/places?q=poi")
    assert response.get_json() == {"places": [POIPET]}
    assert response.headers["Cache-Control"] == "public, max-age=300"


@pytest.mark.parametrize(
    "query, found",
    [
        ("ប៉ោយ", "Poipet"),  # its Khmer name
        ("อรัญ", "Aranyaprathet"),  # Thai
        ("nom pen", "Phnom Penh"),  # Spanish
        ("kampong", "Sihanoukville"),  # another name
        ("MEDELLIN", "Medellín"),  # no case, no accents
        ("bogota", "Bogotá"),
        ("reap", "Siem Reap"),  # a later word
    ],
)
def test_any_name_of_a_place_finds_it(client, places, query, found):
    assert names(client, query) == [found]


def test_whole_names_come_before_beginnings_and_those_before_later_words(client, places):
    # "Cali" is a name; "Cartagena" begins with "ca"; "Santiago de Cali" has a word "Cali...".
    assert names(client, "cali") == ["Cali"]
    assert names(client, "ca") == ["Cali", "Cartagena"]
    assert names(client, "t")[:3] == ["Tijuana", "Tlaxcala", "Tenancingo"]


def test_at_most_limit_places_and_nothing_for_an_unknown_name(client, places):
    # Every one begins a name with "s" ("Santiago de Cali" is Cali): the shorter first.
    assert names(client, "s") == ["Cali", "Siem Reap", "Sihanoukville", "Serei Saophoan"]
    assert names(client, "s", limit=2) == ["Cali", "Siem Reap"]
    assert names(client, "atlantis") == []


@pytest.mark.parametrize(
    "query, field",
    [
        ("", "q"),
        ("q=%20%20", "q"),
        ("q=" + "p" * 101, "q"),
        ("q=po&limit=0", "limit"),
        ("q=po&limit=21", "limit"),
        ("q=po&limit=two", "limit"),
    ],
)
def test_bad_searches_name_the_field(client, places, query, field):
    response = client.get(f"/api/v1/places?{query}")
    assert response.status_code == 400
    assert [e["field"] for e in response.get_json()["errors"]] == [field]
