"""Moderation pages under /admin: URL rules only; the work is in mapper.admin.views."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for

from mapper.admin import forms as form_views
from mapper.admin import inbox, views
from mapper.admin import partners as partner_views
from mapper.auth.permissions import require

bp = Blueprint("admin", __name__)


@bp.get("/")
def home():
    """Send /admin to the review queue, the moderators' first page."""
    return redirect(url_for("admin.queue"))


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


@bp.get("/inbox")
@require("view_inbox")
def inbox_list():
    """List SMS conversations, newest first."""
    return inbox.conversations()


@bp.get("/inbox/<sender_key>")
@require("view_inbox")
def conversation(sender_key: str):
    """Show one sender's messages, with a map to place unlocated ones."""
    return inbox.conversation(sender_key)


@bp.post("/inbox/messages/<id:message_id>/locate")
@require("view_inbox")
def locate_message(message_id: int):
    """Place an unlocated message's report on the map."""
    return inbox.locate(message_id)


@bp.post("/inbox/<sender_key>/reply")
@require("view_inbox")
def reply(sender_key: str):
    """Queue an SMS reply to this sender."""
    return inbox.reply(sender_key)


@bp.get("/partners")
@require("manage_partners")
def partners():
    """List partner tokens and webhooks, with forms to add them."""
    return partner_views.page()


@bp.post("/partners/tokens")
@require("manage_partners")
def create_token():
    """Make a partner token and show it once."""
    return partner_views.create_token()


@bp.post("/partners/tokens/<id:token_id>/revoke")
@require("manage_partners")
def revoke_token(token_id: int):
    """Revoke a partner token at once."""
    return partner_views.revoke_token(token_id)


@bp.post("/partners/webhooks")
@require("manage_partners")
def create_webhook():
    """Register a partner's webhook address."""
    return partner_views.create_webhook()


@bp.post("/partners/webhooks/<id:webhook_id>/disable")
@require("manage_partners")
def disable_webhook(webhook_id: int):
    """Stop sending to a webhook."""
    return partner_views.disable_webhook(webhook_id)


@bp.get("/forms")
@require("manage_forms")
def forms():
    """List the volunteer forms."""
    return form_views.form_list()


@bp.get("/forms/new")
@require("manage_forms")
def new_form():
    """Show an empty form builder."""
    return form_views.builder()


@bp.post("/forms/create")
@require("manage_forms")
def create_form():
    """Create a form from the builder."""
    return form_views.save()


@bp.get("/forms/<code>")
@require("manage_forms")
def edit_form(code: str):
    """Show the builder for one form."""
    return form_views.edit(code)


@bp.post("/forms/<code>/save")
@require("manage_forms")
def update_form(code: str):
    """Save a form's settings; changed fields make a new version."""
    return form_views.save(code)
