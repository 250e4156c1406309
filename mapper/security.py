"""Security headers on every response; pages may only load what the app serves itself."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, request

from mapper.tiles import proxied


def _tile_origin(tile_url: str) -> str:
    parts = urlsplit(tile_url.replace("{s}", "a"))
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""


# Pages other sites may show in a frame: the embeddable map, and nothing else.
FRAMEABLE = {"embed.embedded_map"}


def init_app(app: Flask) -> None:
    # Where the app stands in for the tile server, pages load images from it alone.
    tiles = "" if proxied(app) else _tile_origin(app.config["MAPPER_TILE_URL"])
    directives = [
        "default-src 'self'",
        "script-src 'self'",
        # Leaflet positions map panes with inline styles.
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: {tiles}".strip(),
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
    policy = "; ".join([*directives, "frame-ancestors 'self'"])
    frameable_policy = "; ".join([*directives, "frame-ancestors *"])

    @app.after_request
    def set_headers(response):
        if request.endpoint in FRAMEABLE:
            response.headers.setdefault("Content-Security-Policy", frameable_policy)
        else:
            response.headers.setdefault("Content-Security-Policy", policy)
            response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response
