"""Compressed answers: map answers, exports and vendored scripts for clients that ask; never
pages, and never what a signed-in session is sent."""

from __future__ import annotations

import gzip
import json

import brotli
import pytest

GZIP = {"Accept-Encoding": "gzip"}
CLUSTERS = "/api/v1/clusters?zoom=16&bbox=104.8,11.4,105.1,11.7"


@pytest.fixture
def reports(make_report):
    # Reports far enough apart to stand alone at zoom 16: an answer worth compressing.
    for i in range(6):
        make_report(
            "published",
            title=f"Boat crew held at pier {i}",
            latitude=11.50 + 0.03 * i,
            longitude=104.90 + 0.02 * i,
            occurred_at="2024-03-01T08:00:00Z",
        )


def test_map_answers_are_compressed_for_clients_that_ask(client, reports):
    plain = client.get(CLUSTERS)
    packed = client.get(CLUSTERS, headers=GZIP)
    assert plain.headers.get("Content-Encoding") is None
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    body = gzip.decompress(packed.get_data())
    assert json.loads(body) == json.loads(plain.get_data())
    assert len(json.loads(body)["features"]) == 6
    assert int(packed.headers["Content-Length"]) == len(packed.get_data()) < len(body)


def test_identity_only_clients_get_the_answer_as_it_is(client, reports):
    response = client.get(CLUSTERS, headers={"Accept-Encoding": "identity"})
    assert response.headers.get("Content-Encoding") is None
    assert len(json.loads(response.get_data())["features"]) == 6


def test_pages_are_never_compressed(client):
    # A page carries the form token next to text from its address.
    for path in ("/", "/report", "/auth/login"):
        response = client.get(path, headers={"Accept-Encoding": "gzip, br, zstd"})
        assert response.status_code == 200
        assert response.headers.get("Content-Encoding") is None
        assert b"<html" in response.get_data()


def test_nothing_sent_to_a_signed_in_session_is_compressed(client, reports, make_user, login):
    login(make_user("analyst"))
    for path in (CLUSTERS, CLUSTERS + "&audience=reviewer", "/vendor/leaflet/leaflet.js"):
        response = client.get(path, headers={"Accept-Encoding": "gzip, br, zstd"})
        assert response.status_code == 200
        assert response.headers.get("Content-Encoding") is None, path
    reviewer = client.get(CLUSTERS + "&audience=reviewer&status=published")
    assert len(json.loads(reviewer.get_data())["features"]) == 6


def test_streamed_exports_are_compressed_on_the_fly(client, reports):
    plain = client.get("/exports/reports.csv")
    packed = client.get("/exports/reports.csv", headers=GZIP)
    assert packed.is_streamed
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Content-Length" not in packed.headers
    text = gzip.decompress(packed.get_data()).decode()
    assert text == plain.get_data(as_text=True)
    assert text.count("Boat crew held at pier") == 6


def test_vendored_scripts_are_compressed_and_still_revalidate(client):
    first = client.get("/vendor/leaflet/leaflet.js", headers={"Accept-Encoding": "br"})
    assert first.headers["Content-Encoding"] == "br"
    script = brotli.decompress(first.get_data())
    assert b"Leaflet" in script and len(first.get_data()) < len(script) / 2
    # The compressed copy has a validator of its own, and a client holding it is told so.
    etag = first.headers["ETag"]
    assert etag.endswith(':br"')
    again = client.get(
        "/vendor/leaflet/leaflet.js", headers={"Accept-Encoding": "br", "If-None-Match": etag}
    )
    assert again.status_code == 304
    assert again.get_data() == b""
