"""The four gateways: Twilio (signed), SMSSync and FrontlineSMS (shared secret), Africa's
Talking (secret token in the path). Secrets are compared in constant time."""

from __future__ import annotations

import hmac

from flask import Request, Response, jsonify
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from mapper import jsontext
from mapper.channels.sms import service
from mapper.channels.sms.base import (
    Gateway,
    GatewayError,
    InboundSms,
    from_epoch,
    now,
    require_fields,
)


def same_secret(given: str | None, expected: str) -> bool:
    # Every character its own bytes, halves of surrogate pairs included (JSON can carry them).
    return hmac.compare_digest((given or "").encode(errors="surrogatepass"), expected.encode())


def payload(messages: list[dict] | None = None) -> Response:
    body: dict = {"payload": {"success": True, "error": None}}
    if messages:
        body["payload"].update({"task": "send", "messages": messages})
    return jsonify(body)


class Twilio(Gateway):
    name = "twilio"

    def configured(self) -> bool:
        return bool(self.config.get("MAPPER_TWILIO_AUTH_TOKEN"))

    def public_url(self, request: Request) -> str:
        base = (self.config.get("MAPPER_PUBLIC_URL") or request.host_url).rstrip("/")
        return base + request.full_path.rstrip("?")

    def parse(self, request: Request, token: str | None = None) -> InboundSms:
        form = request.form.to_dict()
        validator = RequestValidator(self.config["MAPPER_TWILIO_AUTH_TOKEN"])
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature or not validator.validate(self.public_url(request), form, signature):
            raise GatewayError(403, "bad signature")
        require_fields(form, "MessageSid", "From")
        return InboundSms(
            "twilio", form["MessageSid"], form["From"], form.get("To"), form.get("Body", ""), now()
        )

    def reply(self, text: str | None, sms: InboundSms) -> Response:
        response = MessagingResponse()
        if text:
            response.message(text)
        return Response(str(response), mimetype="application/xml")


class SMSSync(Gateway):
    name = "smssync"

    def configured(self) -> bool:
        return bool(self.config.get("MAPPER_SMSSYNC_SECRET"))

    def authenticate(self, given: str | None) -> None:
        if not same_secret(given, self.config["MAPPER_SMSSYNC_SECRET"]):
            raise GatewayError(403, "bad secret")

    def parse(self, request: Request, token: str | None = None) -> InboundSms:
        form = request.form
        self.authenticate(form.get("secret"))
        require_fields(form, "from", "message")
        sent_at = from_epoch(form.get("sent_timestamp"))
        external = form.get("message_id") or InboundSms.derived_id(
            "smssync", form["from"], form["message"], sent_at
        )
        return InboundSms(
            "smssync", external, form["from"], form.get("sent_to"), form["message"], sent_at
        )

    queues_replies = True
    refuses_as_payload = True

    def reply(self, text: str | None, sms: InboundSms) -> Response:
        # Every reply still waiting (this one included) rides on the payload.
        return payload(service.queued_for("smssync"))


class FrontlineSMS(Gateway):
    name = "frontlinesms"

    def configured(self) -> bool:
        return bool(self.config.get("MAPPER_FRONTLINESMS_SECRET"))

    def parse(self, request: Request, token: str | None = None) -> InboundSms:
        if request.mimetype == "application/json":
            try:
                values = jsontext.loads(request.get_data(cache=False) or b"{}")
            except ValueError:
                raise GatewayError(400, "body is not JSON") from None
            if not isinstance(values, dict):
                raise GatewayError(400, "body is not a JSON object")
            values = {k: str(v) if v is not None else "" for k, v in values.items()}
        else:
            values = request.form.to_dict()
        if not same_secret(values.get("secret"), self.config["MAPPER_FRONTLINESMS_SECRET"]):
            raise GatewayError(403, "bad secret")
        require_fields(values, "from", "message")
        sent_at = now()
        external = (
            values.get("id")
            or values.get("message_id")
            or InboundSms.derived_id("frontlinesms", values["from"], values["message"], None)
        )
        return InboundSms(
            "frontlinesms", external, values["from"], values.get("to"), values["message"], sent_at
        )

    refuses_as_payload = True

    def reply(self, text: str | None, sms: InboundSms) -> Response:
        return payload([{"to": sms.sender, "message": text}] if text else None)


class AfricasTalking(Gateway):
    name = "africastalking"

    def configured(self) -> bool:
        return bool(self.config.get("MAPPER_AFRICASTALKING_TOKEN"))

    def parse(self, request: Request, token: str | None = None) -> InboundSms:
        if not same_secret(token, self.config["MAPPER_AFRICASTALKING_TOKEN"]):
            raise GatewayError(403, "bad token")
        form = request.form
        require_fields(form, "from", "id")
        return InboundSms(
            "africastalking", form["id"], form["from"], form.get("to"), form.get("text", ""), now()
        )

    queues_replies = True

    def reply(self, text: str | None, sms: InboundSms) -> Response:
        # The provider ignores the callback's body: replies go out through its API.
        return Response("", status=200)


GATEWAYS = {g.name: g for g in (Twilio, SMSSync, FrontlineSMS, AfricasTalking)}
