"""The SMS inbox: conversations per sender, placing unlocated messages, replying."""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from mapper.admin.paging import page_number
from mapper.auth.permissions import can
from mapper.errors import Conflict, ValidationFailed
from mapper.extensions import db
from mapper.intake.validators import Problems, clean_text
from mapper.models import InboundMessage, OutboundMessage, Report, ReporterContact
from mapper.moderation import edit_report

PER_PAGE = 50
REPLY_MAX = 480


def mask_phone(phone: str | None) -> str:
    """+855 ******78: enough to tell conversations apart, not enough to call."""
    if not phone:
        return "—"
    return phone[:4] + "*" * max(0, len(phone) - 6) + phone[-2:]


def conversations():
    status = request.args.get("status")
    page = page_number(request.args)
    stmt = (
        select(
            InboundMessage.sender_key,
            func.count().label("messages"),
            func.max(InboundMessage.received_at).label("latest"),
            func.bool_or(InboundMessage.status == "needs_location").label("needs_location"),
            func.bool_or(InboundMessage.probable_duplicate).label("duplicates"),
        )
        .group_by(InboundMessage.sender_key)
        .order_by(func.max(InboundMessage.received_at).desc())
    )
    if status == "duplicate":
        stmt = stmt.having(func.bool_or(InboundMessage.probable_duplicate))
    elif status:
        stmt = stmt.having(func.bool_or(InboundMessage.status == status))
    rows = db.session.execute(stmt.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return render_template(
        "admin/inbox.html", rows=rows, page=page, per_page=PER_PAGE, status=status
    )


def _messages(sender_key: str) -> list:
    rows = db.session.execute(
        select(InboundMessage, ReporterContact.phone, Report.reference, Report.version)
        .outerjoin(ReporterContact, ReporterContact.id == InboundMessage.contact_id)
        .outerjoin(Report, Report.id == InboundMessage.report_id)
        .where(InboundMessage.sender_key == sender_key)
        .order_by(InboundMessage.received_at, InboundMessage.id)
    ).all()
    if not rows:
        abort(404)
    return rows


def conversation(sender_key: str, errors: dict | None = None, status: int = 200):
    rows = _messages(sender_key)
    phone = next((row.phone for row in reversed(rows) if row.phone), None)
    shown = phone if can(current_user, "view_contact") else mask_phone(phone)
    contact_ids = {row.InboundMessage.contact_id for row in rows} - {None}
    replies = db.session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.contact_id.in_(contact_ids))
        .order_by(OutboundMessage.id)
    ).all()
    return render_template(
        "admin/conversation.html",
        rows=rows,
        phone=shown,
        sender_key=sender_key,
        replies=replies,
        errors=errors or {},
        can_edit=can(current_user, "edit_report"),
        can_reply=can(current_user, "reply_sms"),
    ), status


def locate(message_id: int):
    """Put an unlocated message's report on the map (a moderated location edit)."""
    if not can(current_user, "edit_report"):
        abort(403)
    message = db.session.get(InboundMessage, message_id)
    if message is None or message.report_id is None:
        abort(404)
    report = db.session.get(Report, message.report_id)
    form = {
        "title": report.title,
        "description": report.description,
        "occurred_at": report.occurred_at,
        "categories": [c.slug for c in report.categories],
        "latitude": request.form.get("latitude"),
        "longitude": request.form.get("longitude"),
    }
    try:
        if not (form["latitude"] and form["longitude"]):
            raise ValidationFailed([("location", _("Click the map to place the message."))])
        edit_report(report, current_user, request.form.get("version", type=int) or -1, form)
    except (ValidationFailed, Conflict) as failure:
        db.session.rollback()
        errors = (
            failure.by_field()
            if isinstance(failure, ValidationFailed)
            else {"version": [failure.message]}
        )
        return conversation(message.sender_key, errors, failure.status)
    message.status = "parsed"
    db.session.commit()
    flash(_("Saved."))
    return redirect(url_for("admin.conversation", sender_key=message.sender_key))


def reply(sender_key: str):
    """Queue a reply to the sender; the gateway they wrote through delivers it."""
    if not can(current_user, "reply_sms"):
        abort(403)
    rows = _messages(sender_key)
    latest = next(
        (row.InboundMessage for row in reversed(rows) if row.InboundMessage.contact_id), None
    )
    problems = Problems()
    text = clean_text(request.form.get("text"), "text", problems, limit=REPLY_MAX, required=True)
    if latest is None:
        problems.add("text", _("This sender cannot be answered."))
    if problems.pairs:
        return conversation(sender_key, {f: [m] for f, m in problems.pairs}, 422)
    db.session.add(
        OutboundMessage(
            uuid=str(uuid.uuid4()),
            provider=latest.provider,
            contact_id=latest.contact_id,
            inbound_id=latest.id,
            body=text,
        )
    )
    db.session.commit()
    flash(_("Reply queued."))
    return redirect(url_for("admin.conversation", sender_key=sender_key))
