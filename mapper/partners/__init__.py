"""Partners' access: Bearer tokens with scopes, rate limits per token or per address, and CORS
on the public read endpoints only."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, g, request
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import HTTPException

from mapper.extensions import limiter
from mapper.partners.tokens import authenticate, require_scope

# Public reads: open to any site's scripts, and to tokens with the read scope.
PUBLIC_READS = {
    "api.list_reports",
    "api.show_report",
    "api.list_categories",
    "api.clusters",
    "api.heatmap",
    "api.histogram",
    "api.hotspots",
    "api.openapi_document",
    "exports.reports",
    "exports.offline_map",
}
SUBMITS = {"api.create_report"}


def is_public_read() -> bool:
    if request.args.get("audience") == "reviewer":  # an analyst's view is never public
        return False
    endpoint = request.endpoint
    if request.method == "OPTIONS":  # a preflight asks about the GET of the same address
        try:
            endpoint = current_app.url_map.bind_to_environ(request.environ).match(method="GET")[0]
        except HTTPException:
            return False
    return endpoint is not None and (endpoint in PUBLIC_READS or endpoint.startswith("ogc."))


def current_token():
    """The request's partner token (checked once per request), or None without one."""
    if "partner_token" not in g:
        header = request.headers.get("Authorization", "")
        bearer = header.lower().startswith("bearer") and request.method != "OPTIONS"
        g.partner_token = authenticate(header) if bearer else None
    return g.partner_token


def _limit_key() -> str:
    token = current_token()
    return f"token:{token.id}" if token else f"ip:{get_remote_address()}"


def _limit_value() -> str:
    config = current_app.config
    if current_token():
        return config["MAPPER_TOKEN_RATE_LIMIT"]
    return config["MAPPER_PUBLIC_RATE_LIMIT"]


def _check_token() -> None:
    token = current_token()
    if token is None:
        return
    if request.endpoint in SUBMITS:
        require_scope(token, "submit")
    elif is_public_read():
        require_scope(token, "read")


def _cors(response):
    if is_public_read():
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Authorization, Accept"
        response.headers["Access-Control-Expose-Headers"] = (
            "Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
        )
        response.headers["Access-Control-Max-Age"] = "600"
    return response


def init_app(app: Flask, limited: list[Blueprint]) -> None:
    app.before_request(_check_token)
    app.after_request(_cors)
    for blueprint in limited:
        # One budget across every public endpoint, not one per area.
        limiter.shared_limit(_limit_value, scope="public", key_func=_limit_key)(blueprint)
