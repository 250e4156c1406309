"""Public pages: the map, and the vendored Leaflet assets the pages load."""

from __future__ import annotations

import xstatic.pkg.leaflet
import xstatic.pkg.leaflet_markercluster
from flask import Blueprint, abort, redirect, render_template, request, send_from_directory, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from mapper.api.categories import category_tree
from mapper.auth.permissions import can
from mapper.i18n import date_words
from mapper.names import source_names, status_names
from mapper.query.maps import REVIEWER_DEFAULT_STATUSES

bp = Blueprint("web", __name__)

VENDOR = {
    "leaflet": xstatic.pkg.leaflet.BASE_DIR,
    "leaflet-markercluster": xstatic.pkg.leaflet_markercluster.BASE_DIR,
}


def map_page(reviewer: bool, embed: bool = False):
    legend = [
        (3, _("Hot spot, 99 %")),
        (2, _("Hot spot, 95 %")),
        (1, _("Hot spot, 90 %")),
        (0, _("Not significant")),
        (-1, _("Cold spot, 90 %")),
        (-2, _("Cold spot, 95 %")),
        (-3, _("Cold spot, 99 %")),
    ]
    return render_template(
        "web/map.html",
        title=_("Analyst map") if reviewer else _("Map"),
        reviewer=reviewer,
        categories=category_tree(),
        sources=list(source_names().items()),
        statuses=list(status_names().items()),
        default_statuses=REVIEWER_DEFAULT_STATUSES,
        legend=legend,
        embed=embed,
        dates=date_words(str(get_locale())),
    )


@bp.get("/")
def public_map():
    """Show the public map of published and verified reports."""
    return map_page(reviewer=False)


@bp.get("/analyst")
def analyst_map():
    """Show the analysts' map: every status, exact locations."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path))
    if not can(current_user, "view_exact_location"):
        abort(403)
    return map_page(reviewer=True)


@bp.get("/healthz")
def health():
    """Answer that the process is up, without touching the database."""
    return {"status": "ok"}


@bp.get("/vendor/<package>/<path:filename>")
def vendor(package: str, filename: str):
    """Serve a vendored front-end library from its Python package."""
    if package not in VENDOR:
        abort(404)
    return send_from_directory(VENDOR[package], filename, max_age=7 * 24 * 3600)
