"""Security headers on every response; pages may only load what the app serves itself."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask


def _tile_origin(tile_url: str) -> str:
    parts = urlsplit(tile_url.replace("{s}", "a"))
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""


def init_app(app: Flask) -> None:
    tiles = _tile_origin(app.config["MAPPER_TILE_URL"])
    policy = "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            # Leaflet positions map panes with inline styles.
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data: {tiles}".strip(),
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'self'",
        ]
    )

    @app.after_request
    def set_headers(response):
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response
