"""Receive one SMS exactly once: store the raw message, then parse it into a report (or
answer STATUS), and say what to reply. Nothing is discarded; the caller commits."""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from dataclasses import dataclass

import phonenumbers
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, insert, select, update

from mapper.channels.sms import forms as sms_forms
from mapper.channels.sms.base import InboundSms
from mapper.channels.sms.parse import (
    ParsedSms,
    fit_one_sms,
    keyword_pattern,
    parse,
)
from mapper.errors import MapperError, ValidationFailed
from mapper.extensions import db
from mapper.intake import ContactInput, Submission, submit
from mapper.intake.places import Cached, cached_gazetteer
from mapper.intake.validators import FORBIDDEN_CHARACTERS, UNSTORABLE_CHARACTERS
from mapper.models import (
    Category,
    HelpService,
    InboundMessage,
    OutboundMessage,
    Report,
    ReporterContact,
)
from mapper.query.visibility import visible_statuses

REPLY_LANGUAGES = ("en", "es", "km")
TITLE_LENGTH = 80


@dataclass(frozen=True)
class Outcome:
    reply: str | None
    duplicate: bool
    inbound_id: int | None = None
    contact_id: int | None = None


def normalise_sender(sender: str) -> str | None:
    """E.164 for a phone number, None for short codes and names."""
    try:
        number = phonenumbers.parse(
            sender,
            None
            if sender.startswith("+")
            else current_app.config.get("MAPPER_DEFAULT_PHONE_REGION"),
        )
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def sender_key(sender: str) -> str:
    """A keyed digest of the sender: groups a conversation without storing the number."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, sender.encode(), hashlib.sha256).hexdigest()


def category_keywords() -> dict[str, re.Pattern]:
    """One compiled pattern per category that has keywords, in the taxonomy's order."""
    rows = db.session.execute(select(Category.slug, Category.keywords).order_by(Category.position))
    patterns = {
        slug: keyword_pattern([w for words in (keywords or {}).values() for w in words])
        for slug, keywords in rows
    }
    return {slug: pattern for slug, pattern in patterns.items() if pattern is not None}


def stored_text(body: str) -> str:
    """The body as PostgreSQL can keep it: NUL and halves of surrogate pairs standing alone
    (which JSON's escapes can carry) become U+FFFD, everything else as sent."""
    return UNSTORABLE_CHARACTERS.sub("\ufffd", body)


cached_keywords = Cached(category_keywords)


# The raw message first, flagged when the same sender sent the same text under another id
# in the last ten minutes; nothing comes back when this provider id was stored before.
STORE_RAW = """
INSERT INTO inbound_messages (provider, external_id, sender_key, recipient, body, sent_at,
                              status, probable_duplicate)
VALUES (%(provider)s, %(external_id)s, CAST(%(key)s AS varchar), %(recipient)s,
        CAST(%(body)s AS text), %(sent_at)s, 'received',
        EXISTS (SELECT 1 FROM inbound_messages
                WHERE sender_key = CAST(%(key)s AS varchar) AND body = CAST(%(body)s AS text)
                  AND received_at > now() - interval '10 minutes'))
ON CONFLICT (provider, external_id) DO NOTHING
RETURNING id
"""


def _store_raw(sms: InboundSms, key: str) -> int | None:
    values = {
        "provider": sms.provider,
        "external_id": sms.external_id[:128],
        "key": key,
        "recipient": (sms.recipient or "")[:32] or None,
        "body": stored_text(sms.body),
        "sent_at": sms.sent_at,
    }
    return db.session.connection().exec_driver_sql(STORE_RAW, values).scalar()


def _new_contact(phone: str | None) -> int | None:
    if phone is None:
        return None
    return db.session.execute(
        insert(ReporterContact).values(phone=phone).returning(ReporterContact.id)
    ).scalar()


def _status_reply(reference: str) -> str:
    status = db.session.scalar(select(Report.status).where(Report.reference == reference))
    if status is None:
        return _("No report %(ref)s was found.", ref=reference)
    if status in visible_statuses(None):
        return _("Report %(ref)s is published on the map.", ref=reference)
    if status == "pending":
        return _("Report %(ref)s is being reviewed.", ref=reference)
    return _("Report %(ref)s is closed.", ref=reference)


def _help_reply(parsed: ParsedSms) -> str:
    services = []
    if parsed.latitude is not None:
        point = func.ST_SetSRID(func.ST_MakePoint(parsed.longitude, parsed.latitude), 4326)
        services = db.session.execute(
            select(HelpService.name, HelpService.phone)
            .where(HelpService.location.is_not(None))
            .order_by(HelpService.location.op("<->")(point))
            .limit(3)
        ).all()
    if services:
        listing = "; ".join(f"{name} {phone}" for name, phone in services)
        return _("Help nearby: %(list)s", list=listing)
    country = parsed.country or current_app.config.get("MAPPER_DEFAULT_COUNTRY")
    hotline = db.session.execute(
        select(HelpService.name, HelpService.phone).where(
            HelpService.national_hotline.is_(True), HelpService.country == (country or "")
        )
    ).first()
    if hotline:
        return _("Call %(name)s: %(phone)s", name=hotline.name, phone=hotline.phone)
    return _("We received your message and will contact you as soon as we can.")


def _report(sms: InboundSms, parsed: ParsedSms, phone: str | None):
    # Control characters (which phones sometimes send) become spaces in the report; the
    # raw message keeps them.
    body = FORBIDDEN_CHARACTERS.sub(" ", sms.body).strip()
    title = body.splitlines()[0][:TITLE_LENGTH] if body else _("SMS without text")
    return submit(
        Submission(
            source="sms",
            title=title,
            description=body,
            occurred_at=parsed.occurred_at or sms.sent_at,
            latitude=parsed.latitude,
            longitude=parsed.longitude,
            place_name=parsed.place_name,
            categories=list(parsed.categories),
            contact=ContactInput(phone=phone) if phone else None,
            language=parsed.language,
            received_at=None,
            urgent=parsed.help,
            idempotency_key=f"{sms.provider}:{sms.external_id}"[:255],
        )
    )


def _form_report(sms: InboundSms, volunteer, form, parsed: ParsedSms) -> tuple[str, dict]:
    """A volunteer's compact form message: the reply, and how the message ended."""
    key = f"{sms.provider}:{sms.external_id}"[:255]
    try:
        # A savepoint: a refused answer leaves the raw message stored and the reply to send.
        with db.session.begin_nested():
            result = sms_forms.submit_compact(
                volunteer, form, sms.body, cached_gazetteer(), key, parsed.language
            )
    except MapperError as error:
        return sms_forms.problem_reply(form.code, error), {"status": "failed"}
    reply = _(
        "Received. Your reference is %(ref)s. Send STATUS %(ref)s to follow it.",
        ref=result.reference,
    )
    return reply, {"status": "parsed", "report_id": result.id}


def receive(sms: InboundSms) -> Outcome:
    """Store `sms` once, act on it, and return the reply to send (None for a repeat)."""
    phone = normalise_sender(sms.sender)
    key = sender_key(phone or sms.sender.strip())
    message_id = _store_raw(sms, key)
    if message_id is None:
        return Outcome(reply=None, duplicate=True)
    help_words = tuple(current_app.config["MAPPER_SMS_HELP_WORDS"])
    parsed = parse(sms.body, cached_gazetteer(), cached_keywords(), help_words)
    language = parsed.language if parsed.language in REPLY_LANGUAGES else "en"
    values: dict = {"language": parsed.language}
    volunteer = sms_forms.volunteer_for(phone)
    form = sms_forms.matching_form(volunteer, sms.body)
    with force_locale(language):
        if form is not None:
            contact_id = _new_contact(phone)
            reply, outcome = _form_report(sms, volunteer, form, parsed)
            values |= {**outcome, "contact_id": contact_id}
        elif parsed.status_reference:
            contact_id = _new_contact(phone)
            reply = _status_reply(parsed.status_reference)
            values |= {"status": "keyword", "contact_id": contact_id}
        else:
            try:
                result = _report(sms, parsed, phone)
            except ValidationFailed:
                result = None
            if result is None:
                contact_id = _new_contact(phone)
                reply = _("We received your message.")
                values |= {"status": "failed", "contact_id": contact_id}
            else:
                contact_id = result.contact_id
                reply = (
                    _help_reply(parsed)
                    if parsed.help
                    else _(
                        "Received. Your reference is %(ref)s. Send STATUS %(ref)s to follow it.",
                        ref=result.reference,
                    )
                )
                values |= {
                    "report_id": result.id,
                    "contact_id": contact_id,
                    "status": "parsed" if parsed.latitude is not None else "needs_location",
                }
        reply = fit_one_sms(reply)
    values["reply"] = reply
    db.session.connection().execute(
        update(InboundMessage.__table__).where(InboundMessage.id == message_id).values(**values)
    )
    return Outcome(reply=reply, duplicate=False, inbound_id=message_id, contact_id=contact_id)


def queue_reply(outcome: Outcome, provider: str) -> None:
    """Keep a reply for gateways that fetch or send replies later (SMSSync, Africa's Talking)."""
    if outcome.reply and outcome.contact_id:
        db.session.add(
            OutboundMessage(
                uuid=str(uuid.uuid4()),
                provider=provider,
                contact_id=outcome.contact_id,
                inbound_id=outcome.inbound_id,
                body=outcome.reply,
            )
        )


def queued_for(provider: str, limit: int = 50) -> list[dict]:
    """Queued replies as SMSSync expects them: to, message, uuid."""
    rows = db.session.execute(
        select(OutboundMessage.uuid, OutboundMessage.body, ReporterContact.phone)
        .join(ReporterContact, ReporterContact.id == OutboundMessage.contact_id)
        .where(
            OutboundMessage.provider == provider,
            OutboundMessage.status == "queued",
            ReporterContact.phone.is_not(None),
        )
        .order_by(OutboundMessage.id)
        .limit(limit)
    ).all()
    return [{"to": phone, "message": body, "uuid": uid} for uid, body, phone in rows]


def mark_sent(provider: str, uuids: list[str]) -> list[str]:
    rows = (
        db.session.execute(
            update(OutboundMessage)
            .where(OutboundMessage.provider == provider, OutboundMessage.uuid.in_(uuids))
            .values(status="sent", sent_at=func.now(), attempts=OutboundMessage.attempts + 1)
            .returning(OutboundMessage.uuid)
        )
        .scalars()
        .all()
    )
    return list(rows)
