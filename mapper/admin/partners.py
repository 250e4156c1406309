"""Admin pages for partners: API tokens and webhook endpoints."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from mapper.errors import ValidationFailed
from mapper.extensions import db
from mapper.models import TOKEN_SCOPES
from mapper.partners import tokens, webhooks


def page(errors: dict | None = None, new_token: str | None = None, status: int = 200):
    body = render_template(
        "admin/partners.html",
        tokens=tokens.all_tokens(),
        webhooks=webhooks.all_webhooks(),
        scopes=TOKEN_SCOPES,
        errors=errors or {},
        new_token=new_token,
    )
    return body, status, {"Cache-Control": "private, no-store"}


def create_token():
    try:
        _token, plain = tokens.create_token(
            request.form.get("label", ""), request.form.getlist("scopes"), current_user
        )
    except ValidationFailed as failed:
        db.session.rollback()
        return page(errors=failed.by_field(), status=422)
    db.session.commit()
    # Shown on this answer only: it is stored hashed and cannot be shown again.
    return page(new_token=plain, status=201)


def revoke_token(token_id: int):
    tokens.revoke_token(token_id)
    db.session.commit()
    flash(_("Token revoked."))
    return redirect(url_for("admin.partners"))


def create_webhook():
    try:
        webhooks.create_webhook(
            request.form.get("label", ""), request.form.get("url", ""), current_user
        )
    except ValidationFailed as failed:
        db.session.rollback()
        return page(errors=failed.by_field(), status=422)
    db.session.commit()
    flash(_("Webhook added."))
    return redirect(url_for("admin.partners"))


def disable_webhook(webhook_id: int):
    webhooks.disable_webhook(webhook_id)
    db.session.commit()
    flash(_("Webhook switched off."))
    return redirect(url_for("admin.partners"))
