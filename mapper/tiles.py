"""Base-map tiles served by the app: browsers ask the app, and the app asks the tile server.

A visitor's address, and the area they look at (on the report form, often where they are),
never reach the tile server: it sees this server asking for tiles it has not kept. Tiles are
kept on disk for MAPPER_TILE_CACHE_DAYS and served from there; while the tile server cannot
be reached an older copy is served. After a failure the tile server is left alone for a
while, so that a server without a connection answers at once rather than after a timeout.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, url_for
from flask_limiter.util import get_remote_address

from mapper.extensions import limiter
from mapper.forms.photos import KINDS, sniff

log = logging.getLogger(__name__)

bp = Blueprint("tiles", __name__)

MAX_ZOOM = 19
MAX_BYTES = 1024 * 1024
TIMEOUT_S = 5.0
# After the tile server fails (no connection, an error, a refusal), it is not asked again
# for this long.
REST_AFTER_FAILURE_S = 30.0
# The cache is trimmed to its limit every this many tiles written.
TRIM_EVERY = 256
# What the tile server answers for a tile it does not have.
MISSING = b""
# Tiles fetched at once per process, and how long a request waits for its turn. At 150 ms a
# tile, a process fetches some 20 tiles in that time, more than its share of a new view (at
# 500 ms a tile, a wait of 0.25 s left 7 of a view's 18 tiles blank; 1.5 s, none). Over a
# slow connection the fetches hold two threads, the waits are bounded, and the other threads
# stay free for reports and maps (a tile not fetched in time is left blank, and asked for
# again when the map moves).
FETCHES_AT_ONCE = 2
WAIT_FOR_TURN_S = 1.5


def proxied(app: Flask) -> bool:
    return bool(app.config["MAPPER_TILE_URL"]) and bool(app.config["MAPPER_TILE_PROXY"])


def tile_prefix() -> str:
    """The path the app serves tiles under, "" where it does not stand in for a tile server."""
    if not proxied(current_app):
        return ""
    return url_for("tiles.tile", z=0, x=0, y=0).removesuffix("0/0/0")


def page_tile_url() -> str:
    """The tile URL template pages give Leaflet: the app's own, or the tile server's where
    the app does not stand in for it ("" for no base map)."""
    prefix = tile_prefix()
    return prefix + "{z}/{x}/{y}" if prefix else current_app.config["MAPPER_TILE_URL"]


def image_type(data: bytes) -> str | None:
    """The media type of a PNG, JPEG or WebP image; None for anything else (an error page,
    markup), which is never passed on."""
    kind = sniff(data)
    return KINDS[kind][0] if kind else None


class TileStore:
    """Tiles on disk, one file per tile under a folder per tile server; a file's
    modification time is when it was fetched. Written under a temporary name and renamed
    into place, so that a reader sees a whole tile or none."""

    def __init__(self, directory: Path, upstream: str, max_bytes: int) -> None:
        self.directory = directory / hashlib.sha256(upstream.encode()).hexdigest()[:16]
        self.max_bytes = max_bytes
        self.written = 0

    def _path(self, z: int, x: int, y: int) -> Path:
        return self.directory / str(z) / str(x) / str(y)

    def get(self, z: int, x: int, y: int) -> tuple[bytes, float] | None:
        """The kept tile and its age in seconds, or None."""
        path = self._path(z, x, y)
        try:
            age = time.time() - path.stat().st_mtime
            return path.read_bytes(), age
        except OSError:
            return None

    def put(self, z: int, x: int, y: int, data: bytes) -> None:
        path = self._path(z, x, y)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            draft.write_bytes(data)
            os.replace(draft, path)
        except OSError as exc:
            log.warning("a map tile could not be kept: %s", type(exc).__name__)
            draft.unlink(missing_ok=True)
            return
        self.written += 1
        if self.written % TRIM_EVERY == 0:
            self.trim()

    def trim(self) -> None:
        """Remove the tiles fetched longest ago until the rest fit in the limit."""
        files = []
        for folder, _dirs, names in os.walk(self.directory):
            for name in names:
                try:
                    stat = os.stat(os.path.join(folder, name))
                except OSError:
                    continue
                files.append((stat.st_mtime, stat.st_size, os.path.join(folder, name)))
        total = sum(size for _mtime, size, _path in files)
        for _mtime, size, path in sorted(files):
            if total <= self.max_bytes:
                break
            try:
                os.unlink(path)
            except OSError:
                continue
            total -= size


class Upstream:
    """The tile server, asked with nothing of the visitor's: no address, cookie or referrer."""

    def __init__(self, template: str, user_agent: str) -> None:
        self.template = template
        self.user_agent = user_agent
        self.resting_until = 0.0
        self.lock = threading.Lock()
        self.turns = threading.BoundedSemaphore(FETCHES_AT_ONCE)

    def url(self, z: int, x: int, y: int) -> str:
        """The tile's address, from a template as Leaflet reads them ({-y} counts rows from
        the south, as TMS servers do)."""
        return (
            self.template.replace("{s}", "abc"[(x + y) % 3])
            .replace("{r}", "")
            .replace("{z}", str(z))
            .replace("{x}", str(x))
            .replace("{-y}", str(2**z - 1 - y))
            .replace("{y}", str(y))
        )

    def fetch(self, z: int, x: int, y: int) -> bytes | None:
        """The tile's image, MISSING when the server has none, None when it cannot answer."""
        if time.monotonic() < self.resting_until:
            return None
        if not self.turns.acquire(timeout=WAIT_FOR_TURN_S):
            return None
        request = urllib.request.Request(
            self.url(z, x, y), headers={"User-Agent": self.user_agent, "Accept": "image/*"}
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                data = response.read(MAX_BYTES + 1)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return MISSING
            self._rest(f"HTTP {exc.code}")
            return None
        except (OSError, ValueError) as exc:
            self._rest(type(exc).__name__)
            return None
        finally:
            self.turns.release()
        if len(data) > MAX_BYTES or image_type(data) is None:
            self._rest("not an image")
            return None
        return data

    def _rest(self, why: str) -> None:
        with self.lock:
            resting = time.monotonic() < self.resting_until
            self.resting_until = time.monotonic() + REST_AFTER_FAILURE_S
        if not resting:
            log.warning("the tile server failed (%s); kept tiles are served meanwhile", why)


def _parts(app: Flask) -> tuple[TileStore, Upstream]:
    parts = app.extensions.get("mapper.tiles")
    if parts is None:
        config = app.config
        upstream = config["MAPPER_TILE_URL"]
        directory = Path(
            config.get("MAPPER_TILE_CACHE_DIR") or Path(config["MAPPER_VAR_DIR"]) / "tiles"
        )
        about = config.get("MAPPER_PUBLIC_URL") or "a self-hosted server"
        parts = (
            TileStore(directory, upstream, int(config["MAPPER_TILE_CACHE_MB"] * 1024 * 1024)),
            Upstream(upstream, f"mapper tile cache (+{about})"),
        )
        app.extensions["mapper.tiles"] = parts
    return parts


def _image(data: bytes, max_age: int) -> Response:
    response = Response(data, mimetype=image_type(data))
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


def _rate_limit() -> str:
    return current_app.config["MAPPER_TILE_RATE_LIMIT"]


@bp.get("/<int:z>/<int:x>/<int:y>")
# Enough for anybody looking around; a program copying tiles in bulk (which tile servers
# refuse, and might answer by refusing this server) is stopped.
@limiter.limit(_rate_limit, key_func=get_remote_address)
def tile(z: int, x: int, y: int) -> Response:
    """One tile of the base map (Web Mercator, as Leaflet asks)."""
    app = current_app._get_current_object()
    if not proxied(app) or z > MAX_ZOOM or x >= 2**z or y >= 2**z:
        return Response("no such tile\n", status=404, mimetype="text/plain")
    store, upstream = _parts(app)
    kept = store.get(z, x, y)
    fresh_for = app.config["MAPPER_TILE_CACHE_DAYS"] * 86400
    if kept is not None and kept[1] < fresh_for:
        return _image(kept[0], 86400)
    data = upstream.fetch(z, x, y)
    if data == MISSING:
        return Response("no such tile\n", status=404, mimetype="text/plain")
    if data is not None:
        store.put(z, x, y, data)
        return _image(data, 86400)
    if kept is not None:
        return _image(kept[0], 300)  # older than wished, but the best there is for now
    response = Response("the base map cannot be reached\n", status=503, mimetype="text/plain")
    response.headers["Retry-After"] = str(int(REST_AFTER_FAILURE_S))
    response.headers["Cache-Control"] = "no-store"
    return response
