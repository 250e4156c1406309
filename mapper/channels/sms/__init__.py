"""SMS gateway webhooks under /sms: one route per shape, one receive() for all providers."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, jsonify, request

from mapper.channels.sms import service
from mapper.channels.sms.base import Gateway, GatewayError, refuse_unstorable
from mapper.channels.sms.gateways import GATEWAYS, payload, same_secret
from mapper.extensions import csrf, db
from mapper.intake.validators import UNSTORABLE_CHARACTERS

bp = Blueprint("sms", __name__)
# Gateways authenticate with signatures or secrets, not browser sessions.
csrf.exempt(bp)


def gateway(name: str) -> Gateway:
    cls = GATEWAYS.get(name)
    if cls is None or not cls(current_app.config).configured():
        abort(404)
    return cls(current_app.config)


def handle(name: str, token: str | None = None) -> Response:
    adapter = gateway(name)
    try:
        sms = adapter.parse(request, token)
        refuse_unstorable(sms)
    except GatewayError as error:
        return adapter.refusal(error)
    outcome = service.receive(sms)
    if adapter.queues_replies:
        service.queue_reply(outcome, name)
    db.session.commit()  # the gateway hears "success" only once the message is stored
    return adapter.reply(outcome.reply, sms)


@bp.post("/<name>")
def inbound(name: str):
    """Receive a message from Twilio, SMSSync or FrontlineSMS (or SMSSync's sent receipts)."""
    if name == "africastalking":
        abort(404)  # its secret travels in the path: /sms/africastalking/<token>
    if name == "smssync" and request.args.get("task") == "sent":
        return smssync_sent()
    return handle(name)


@bp.post("/africastalking/<token>")
def africastalking(token: str):
    """Receive a message from Africa's Talking."""
    return handle("africastalking", token)


@bp.get("/smssync")
def smssync_poll():
    """Give SMSSync the replies waiting to be sent (task=send)."""
    adapter = gateway("smssync")
    try:
        adapter.authenticate(request.args.get("secret"))
    except GatewayError as error:
        return adapter.refusal(error)
    if request.args.get("task") != "send":
        return payload()
    return payload(service.queued_for("smssync"))


def smssync_sent() -> Response:
    adapter = gateway("smssync")  # 404 unless configured
    body = request.get_json(silent=True) if request.is_json else {}
    if not isinstance(body, dict):
        return adapter.refusal(GatewayError(400, "the body must be a JSON object"))
    secret = request.args.get("secret") or body.get("secret") or request.form.get("secret")
    if not same_secret(secret, current_app.config["MAPPER_SMSSYNC_SECRET"]):
        return adapter.refusal(GatewayError(403, "bad secret"))
    uuids = body.get("queued_messages") or request.form.getlist("queued_messages")
    if not isinstance(uuids, list) or not all(
        isinstance(u, str) and not UNSTORABLE_CHARACTERS.search(u) for u in uuids
    ):
        return adapter.refusal(GatewayError(400, "queued_messages must be a list of ids"))
    confirmed = service.mark_sent("smssync", uuids)
    db.session.commit()
    return jsonify({"queued_messages": confirmed})
