"""Send queued replies through providers' REST APIs (`mapper sms send-pending`)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select, update
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from mapper.extensions import db
from mapper.models import InboundMessage, OutboundMessage, ReporterContact

MAX_ATTEMPTS = 5
TWILIO_API = "https://api.twilio.com"


class _RebasedHttpClient(TwilioHttpClient):
    """Sends Twilio's REST calls to another base URL (a regional proxy, or a test server)."""

    def __init__(self, base_url: str):
        super().__init__(timeout=15)
        self.base_url = base_url.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        return super().request(method, url.replace(TWILIO_API, self.base_url, 1), *args, **kwargs)


def twilio_client() -> Client:
    config = current_app.config
    base = config.get("MAPPER_TWILIO_API_URL")
    return Client(
        config["MAPPER_TWILIO_ACCOUNT_SID"],
        config["MAPPER_TWILIO_AUTH_TOKEN"],
        http_client=_RebasedHttpClient(base) if base else None,
    )


@dataclass(frozen=True)
class SendResult:
    sent: int
    failed: int
    retrying: int


def send_pending(limit: int = 100) -> SendResult:
    """Send queued Twilio replies; each message is locked while it is being sent."""
    config = current_app.config
    if not (config.get("MAPPER_TWILIO_ACCOUNT_SID") and config.get("MAPPER_TWILIO_AUTH_TOKEN")):
        return SendResult(0, 0, 0)
    rows = db.session.execute(
        select(OutboundMessage, ReporterContact.phone, InboundMessage.recipient)
        .join(ReporterContact, ReporterContact.id == OutboundMessage.contact_id)
        .outerjoin(InboundMessage, InboundMessage.id == OutboundMessage.inbound_id)
        .where(OutboundMessage.provider == "twilio", OutboundMessage.status == "queued")
        .order_by(OutboundMessage.id)
        .limit(limit)
        .with_for_update(of=OutboundMessage, skip_locked=True)
    ).all()
    client = twilio_client()
    sent = failed = retrying = 0
    for message, phone, recipient in rows:
        sender = recipient or config.get("MAPPER_TWILIO_FROM_NUMBER")
        values: dict = {"attempts": OutboundMessage.attempts + 1}
        try:
            if not phone or not sender:
                raise TwilioException("no number to send to or from")
            client.messages.create(to=phone, from_=sender, body=message.body)
            values |= {"status": "sent", "sent_at": func.now(), "last_error": None}
            sent += 1
        except (TwilioRestException, TwilioException, OSError) as exc:
            # The code only: provider messages can echo the number or the text.
            code = getattr(exc, "code", None) or type(exc).__name__
            final = message.attempts + 1 >= MAX_ATTEMPTS
            values |= {"status": "failed" if final else "queued", "last_error": str(code)[:200]}
            failed += final
            retrying += not final
        db.session.execute(
            update(OutboundMessage).where(OutboundMessage.id == message.id).values(**values)
        )
    db.session.commit()
    return SendResult(sent, failed, retrying)
