"""What an embed's query string may hold; unknown filter values are refused, naming the field."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from mapper.errors import ValidationFailed
from mapper.query.filters import parse_filters
from mapper.query.maps import category_ids

LAYERS_ALLOWED = ("clusters", "heatmap", "hotspots")


def check_embed_args(args) -> None:
    """Raise 422 when a filter, the layer or the language is not one mapper knows."""
    filters = parse_filters(args)
    category_ids(filters.categories)
    problems = []
    if args.get("layer") and args["layer"] not in LAYERS_ALLOWED:
        problems.append(("layer", _("Use clusters, heatmap or hotspots.")))
    if args.get("lang") and args["lang"] not in current_app.config["LANGUAGES"]:
        problems.append(("lang", _("Unknown language.")))
    if problems:
        raise ValidationFailed(problems)
