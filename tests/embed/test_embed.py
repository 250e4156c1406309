"""/embed/map may be framed by any site and has no site chrome; no other page may be framed."""

import pytest


def test_embedded_map_may_be_framed_anywhere_and_has_no_site_chrome(client):
    response = client.get("/embed/map?category=forced-labour&layer=heatmap&lang=es")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in policy
    assert "script-src 'self'" in policy
    assert "X-Frame-Options" not in response.headers
    page = response.get_data(as_text=True)
    assert 'class="site-header"' not in page
    assert "quick-exit" not in page
    assert 'id="map"' in page
    assert '<html lang="es">' in page


@pytest.mark.parametrize("path", ["/", "/embed", "/report", "/ogc/?f=html", "/auth/login"])
def test_every_other_page_may_only_be_framed_by_mapper_itself(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.parametrize(
    "query, field",
    [
        ("category=no-such-category", "category"),
        ("layer=tiles", "layer"),
        ("lang=xx", "lang"),
        ("from=not-a-date", "from"),
        ("bbox=1,2,3", "bbox"),
        ("source=carrier-pigeon", "source"),
    ],
)
def test_embed_with_unknown_filter_values_is_refused_naming_the_field(client, query, field):
    response = client.get(f"/embed/map?{query}", headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == [field]


def test_builder_offers_filters_layers_size_and_language(client):
    page = client.get("/embed").get_data(as_text=True)
    for name in ("layer", "category", "from", "to", "lang", "width", "height"):
        assert f'name="{name}"' in page
    assert 'id="embed-snippet"' in page
    assert "/embed/map" in page
