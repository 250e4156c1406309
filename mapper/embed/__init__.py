"""The embeddable public map and its builder: URL rules only; other sites may frame the map."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from mapper.api.categories import category_tree
from mapper.embed.options import check_embed_args
from mapper.web import map_page

bp = Blueprint("embed", __name__)


@bp.get("/map")
def embedded_map():
    """Show the public map without site chrome, pre-filtered by the query string."""
    check_embed_args(request.args)
    return map_page(reviewer=False, embed=True)


@bp.get("")
def builder():
    """Let a partner pick filters, layer, size and language, and copy the iframe snippet."""
    return render_template(
        "embed/builder.html", title=_("Embed the map"), categories=category_tree()
    )
