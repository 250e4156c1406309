"""What every SMS gateway adapter turns a provider's request into, and the reply it renders."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Request, Response, jsonify

from mapper.intake.validators import UNSTORABLE_CHARACTERS


@dataclass(frozen=True)
class InboundSms:
    provider: str
    external_id: str
    sender: str
    recipient: str | None
    body: str
    sent_at: datetime

    @staticmethod
    def derived_id(provider: str, sender: str, body: str, sent_at: datetime | None) -> str:
        """A stable id for providers that send none: the same retry gives the same id."""
        stamp = sent_at.isoformat() if sent_at else ""
        raw = "\x1f".join((provider, sender, body, stamp)).encode(errors="surrogatepass")
        return "derived-" + hashlib.sha256(raw).hexdigest()[:40]


class GatewayError(Exception):
    """A request the gateway must refuse; `status` is the HTTP status to answer."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def refuse_unstorable(sms: InboundSms) -> None:
    """Refuse a message whose sender, recipient or id cannot be stored: no gateway sends such a
    thing, so the request is malformed (its text is kept, see service.stored_text)."""
    for name, value in (("from", sms.sender), ("to", sms.recipient), ("id", sms.external_id)):
        if value and UNSTORABLE_CHARACTERS.search(value):
            raise GatewayError(400, f"{name} holds characters that cannot be stored")


class Gateway:
    """One provider: configured?, authenticate and parse a request, render the reply."""

    name = ""
    queues_replies = False  # replies leave later (polling or the provider's API), not inline
    refuses_as_payload = False  # refusals in the SMSSync-style JSON payload

    def __init__(self, config):
        self.config = config

    def configured(self) -> bool:
        raise NotImplementedError

    def parse(self, request: Request, token: str | None = None) -> InboundSms:
        raise NotImplementedError

    def reply(self, text: str | None, sms: InboundSms) -> Response:
        raise NotImplementedError

    def refusal(self, error: GatewayError) -> Response:
        if self.refuses_as_payload:
            response = jsonify({"payload": {"success": False, "error": error.message}})
        else:
            response = Response(error.message, mimetype="text/plain")
        response.status_code = error.status
        return response


def now() -> datetime:
    return datetime.now(UTC)


def from_epoch(value: str | None) -> datetime:
    """Milliseconds (or, tolerated, seconds) since the epoch; now when absent or unreadable."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return now()
    if number > 1e11:  # milliseconds
        number /= 1000
    try:
        moment = datetime.fromtimestamp(number, UTC)
    except (OverflowError, OSError, ValueError):
        return now()
    return moment if datetime(2000, 1, 1, tzinfo=UTC) <= moment <= now() else now()


def require_fields(values: dict, *names: str) -> None:
    missing = [name for name in names if not (values.get(name) or "").strip()]
    if missing:
        raise GatewayError(400, "missing field: " + ", ".join(missing))
