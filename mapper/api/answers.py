"""JSON answers of the read endpoints, with the caching their audience allows."""

from __future__ import annotations

from flask import Request, current_app, jsonify


def json_answer(payload: dict | bytes, request: Request):
    """JSON of `payload` (or `payload` itself, already encoded) with the audience's caching."""
    if isinstance(payload, bytes):
        response = current_app.response_class(payload, mimetype="application/json")
    else:
        response = jsonify(payload)
    # Reviewer answers carry exact points: never kept by shared caches.
    if request.args.get("audience") == "reviewer":
        response.headers["Cache-Control"] = "private, no-store"
    else:
        # Moderation changes show at once: caches must ask again each time.
        response.headers["Cache-Control"] = "no-cache"
    return response
