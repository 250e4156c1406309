"""Base-map tiles come from the app, which asks the tile server with nothing of the visitor's
and keeps what it got; pages load images from the app alone."""

from __future__ import annotations

import os
import re
import threading
import time
import urllib.request

import pytest

from mapper import create_app
from mapper.tiles import TileStore, Upstream


@pytest.fixture
def upstream(tile_server):
    tile_server.answer = "tile"
    tile_server.requests.clear()
    yield tile_server
    tile_server.answer = "tile"
    tile_server.open.set()


@pytest.fixture
def tiles_app(database_url, upstream, tmp_path):
    """An app standing in for the test tile server, with its own tile cache."""

    def make(**config):
        return create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": database_url,
                "SECRET_KEY": "test-secret",
                "MAPPER_VAR_DIR": str(tmp_path),
                "MAPPER_TILE_URL": upstream.template,
                **config,
            }
        )

    return make


def tile_address(html: str) -> str:
    return re.search(r'data-tile-url="([^"]*)"', html).group(1)


def test_pages_ask_the_app_for_tiles_and_load_images_from_it_alone(tiles_app, upstream):
    client = tiles_app().test_client()
    for path in ("/", "/report", "/embed/map"):
        response = client.get(path)
        assert tile_address(response.get_data(as_text=True)) == "/tiles/{z}/{x}/{y}"
        policy = response.headers["Content-Security-Policy"]
        assert "img-src 'self' data:;" in policy
        assert "127.0.0.1" not in policy


def test_a_tile_is_fetched_once_and_then_served_from_the_disk(tiles_app, upstream):
    client = tiles_app().test_client()
    first, again = client.get("/tiles/3/2/1"), client.get("/tiles/3/2/1")
    for response in (first, again):
        assert response.status_code == 200
        assert response.mimetype == "image/png"
        assert response.data == upstream.png
        assert "max-age" in response.headers["Cache-Control"]
    assert upstream.paths() == ["/3/2/1.png"]


def test_the_tile_server_learns_nothing_of_the_visitor(tiles_app, upstream):
    client = tiles_app().test_client()
    client.set_cookie("session", "visitor-session")
    client.get(
        "/tiles/12/3200/1900",
        headers={
            "User-Agent": "VisitorBrowser/1.0",
            "Referer": "http://localhost/report?lat=13.65",
            "X-Forwarded-For": "203.0.113.9",
            "Accept-Language": "km",
        },
    )
    [(_path, headers)] = upstream.requests
    sent = " ".join(f"{k}: {v}" for k, v in headers.items())
    for private in ("VisitorBrowser", "visitor-session", "203.0.113.9", "13.65", "km"):
        assert private not in sent
    assert headers["User-Agent"].startswith("mapper")
    assert "Referer" not in headers and "Cookie" not in headers


def test_while_the_tile_server_is_down_kept_tiles_are_served_and_it_is_not_pressed(
    tiles_app, upstream, tmp_path
):
    client = tiles_app(MAPPER_TILE_CACHE_DAYS=1).test_client()
    assert client.get("/tiles/5/10/12").status_code == 200
    # The kept tile is two days old, past its time, when the tile server starts failing.
    two_days_ago = time.time() - 2 * 86400
    for folder, _dirs, names in os.walk(tmp_path / "tiles"):
        for name in names:
            os.utime(os.path.join(folder, name), (two_days_ago, two_days_ago))
    upstream.answer = "error"

    stale = client.get("/tiles/5/10/12")
    assert stale.status_code == 200 and stale.data == upstream.png
    assert stale.headers["Cache-Control"] == "public, max-age=300"
    never_kept = client.get("/tiles/5/11/12")
    assert never_kept.status_code == 503
    assert int(never_kept.headers["Retry-After"]) >= 30
    # One failed request; the next tiles are answered without asking it again.
    assert upstream.paths() == ["/5/10/12.png", "/5/10/12.png"]


def kept_files(var) -> list[str]:
    return [name for _folder, _dirs, names in os.walk(var / "tiles") for name in names]


def test_an_answer_that_is_not_an_image_is_neither_passed_on_nor_kept(
    tiles_app, upstream, tmp_path
):
    upstream.answer = "page"
    response = tiles_app().test_client().get("/tiles/4/1/1")
    assert response.status_code == 503
    assert b"script" not in response.data
    assert kept_files(tmp_path) == []


def test_a_tile_the_server_does_not_have_is_not_found(tiles_app, upstream):
    upstream.answer = "none"
    client = tiles_app().test_client()
    assert client.get("/tiles/6/1/1").status_code == 404
    upstream.answer = "tile"
    assert client.get("/tiles/6/1/2").status_code == 200  # a missing tile is no failure


@pytest.mark.parametrize("path", ["/tiles/20/0/0", "/tiles/3/8/0", "/tiles/3/0/8", "/tiles/-1/0/0"])
def test_tiles_outside_the_world_are_not_found_and_not_asked_for(tiles_app, upstream, path):
    assert tiles_app().test_client().get(path).status_code == 404
    assert upstream.requests == []


def test_without_standing_in_pages_use_the_tile_server_itself(tiles_app, upstream):
    client = tiles_app(MAPPER_TILE_PROXY=False).test_client()
    response = client.get("/")
    assert tile_address(response.get_data(as_text=True)) == upstream.template
    port = upstream.http.server_port
    assert (
        f"img-src 'self' data: http://127.0.0.1:{port}"
        in response.headers["Content-Security-Policy"]
    )
    assert client.get("/tiles/3/2/1").status_code == 404


def test_without_a_tile_server_maps_have_no_base_layer(tiles_app):
    client = tiles_app(MAPPER_TILE_URL="").test_client()
    assert tile_address(client.get("/").get_data(as_text=True)) == ""
    assert client.get("/tiles/3/2/1").status_code == 404


def test_the_tile_cache_keeps_within_its_limit_dropping_the_oldest(tmp_path):
    store = TileStore(tmp_path, "https://tiles.example/{z}/{x}/{y}.png", max_bytes=3000)
    tiles = [(2, x, 0) for x in range(5)]
    for fetched, tile in enumerate(tiles):
        store.put(*tile, b"x" * 1000)
        os.utime(store._path(*tile), (1000 + fetched, 1000 + fetched))
    store.trim()
    assert [store.get(*tile) is not None for tile in tiles] == [False, False, True, True, True]


def test_the_access_log_leaves_out_the_areas_looked_at(database_url, upstream, tmp_path):
    from benchmarks.common import gunicorn

    log = tmp_path / "access.log"
    with gunicorn(
        database_url,
        workers=1,
        MAPPER_VAR_DIR=str(tmp_path),
        MAPPER_ROLLUP_FOLD_SECONDS="0",
        MAPPER_TILE_URL=upstream.template,
        MAPPER_ACCESS_LOG=str(log),
    ) as base:
        with urllib.request.urlopen(f"{base}/tiles/14/13107/7627") as response:
            assert response.read() == upstream.png
        urllib.request.urlopen(f"{base}/healthz").read()
    written = log.read_text()
    assert '"GET /healthz"' in written and '"GET /tiles/…" 200' in written
    assert "13107" not in written and "7627" not in written


def test_copying_tiles_in_bulk_is_stopped(tiles_app, upstream):
    app = tiles_app(MAPPER_TILE_RATE_LIMIT="3 per minute", RATELIMIT_ENABLED=True)
    client = app.test_client()
    answers = [client.get(f"/tiles/8/{x}/100").status_code for x in range(5)]
    assert answers == [200, 200, 200, 429, 429]
    assert len(upstream.requests) == 3


def test_a_slow_tile_server_holds_two_threads_and_no_more(tiles_app, upstream):
    app = tiles_app()
    upstream.open.clear()
    answers: dict[int, int] = {}

    def ask(x: int) -> None:
        answers[x] = app.test_client().get(f"/tiles/9/{x}/200").status_code

    waiting = [threading.Thread(target=ask, args=(x,)) for x in (1, 2)]
    for thread in waiting:
        thread.start()
    deadline = time.monotonic() + 10
    while len(upstream.requests) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    # Both turns are taken: the next tile is not fetched, and its request does not wait.
    ask(3)
    upstream.open.set()
    for thread in waiting:
        thread.join()
    assert answers == {1: 200, 2: 200, 3: 503}
    assert sorted(upstream.paths()) == ["/9/1/200.png", "/9/2/200.png"]
    assert app.test_client().get("/tiles/9/3/200").status_code == 200  # no failure, no rest


def test_tile_addresses_are_made_as_leaflet_makes_them():
    def url(template: str, z: int, x: int, y: int) -> str:
        return Upstream(template, "mapper").url(z, x, y)

    assert url("https://t.example/{z}/{x}/{y}.png", 3, 2, 1) == "https://t.example/3/2/1.png"
    assert url("https://t.example/{z}/{x}/{-y}.png", 3, 2, 1) == "https://t.example/3/2/6.png"
    assert (
        url("https://{s}.t.example/{z}/{x}/{y}{r}.png", 3, 2, 1) == "https://a.t.example/3/2/1.png"
    )
