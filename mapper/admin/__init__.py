"""Moderation pages under /admin: URL rules only; the work is in mapper.admin.views."""

from __future__ import annotations

from flask import Blueprint

from mapper.admin import views
from mapper.auth.permissions import require

bp = Blueprint("admin", __name__)


@bp.get("/reports")
@require("view_pending")
def queue():
    """List reports for review, pending first, with filters."""
    return views.queue()


@bp.post("/reports/bulk")
@require("view_pending")
def bulk():
    """Publish, reject or archive the selected reports."""
    return views.bulk()


@bp.get("/reports/<reference>")
@require("view_pending")
def report(reference: str):
    """Show one report with its locations, contact, history and likely duplicates."""
    return views.report_page(reference)


@bp.post("/reports/<reference>/<action>")
@require("view_pending")
def act(reference: str, action: str):
    """Apply a review action (publish, verify, reject, archive, restore, merge, edit)."""
    return views.act(reference, action)
