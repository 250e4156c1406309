"""The category tree as the API and the pages present it."""

from __future__ import annotations

from flask_babel import get_locale
from sqlalchemy import select

from mapper.extensions import db
from mapper.models import Category


def all_categories() -> list[Category]:
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.id)))


def category_tree() -> list[dict]:
    """Top-level categories, each with its children, names in the viewer's language."""
    language = str(get_locale())
    categories = all_categories()
    nodes = {
        c.id: {"slug": c.slug, "name": c.name(language), "names": c.names, "children": []}
        for c in categories
    }
    roots = []
    for c in categories:
        (nodes[c.parent_id]["children"] if c.parent_id in nodes else roots).append(nodes[c.id])
    return roots
