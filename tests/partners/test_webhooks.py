"""Webhooks: publication, verification and retraction queued with the moderation change, sent
signed by `mapper webhooks deliver`, retried with backoff, and carrying only the public record."""

import hashlib
import hmac
import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mapper.extensions import db
from mapper.models import WebhookDelivery
from mapper.moderation.service import apply_action
from mapper.partners.webhooks import create_webhook, event_for

PHONE = "+85512398765"


@contextmanager
def receiver(status: int = 200):
    """A partner's endpoint that records what it receives."""
    received: list[dict] = []

    class Endpoint(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"headers": dict(self.headers), "body": body.decode()})
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    finally:
        server.shutdown()
        server.server_close()


def deliver(app) -> str:
    result = app.test_cli_runner().invoke(args=["webhooks", "deliver"])
    assert result.exit_code == 0, result.output
    return result.output


def verify_signature(secret: str, delivery: dict) -> None:
    parts = dict(p.split("=", 1) for p in delivery["headers"]["X-Mapper-Signature"].split(","))
    signed = f"{parts['t']}.{delivery['body']}".encode()
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected)


@pytest.mark.parametrize(
    "old, new, event",
    [
        ("pending", "published", "report.published"),
        ("published", "verified", "report.verified"),
        ("pending", "verified", "report.verified"),
        ("verified", "rejected", "report.retracted"),
        ("published", "archived", "report.retracted"),
        ("pending", "rejected", None),
        ("rejected", "pending", None),
    ],
)
def test_which_changes_partners_hear_of(old, new, event):
    assert event_for(old, new) == event


def test_publication_is_sent_signed_with_the_public_record_only(app, client, make_report):
    report = make_report(
        "pending",
        title="Boat crew held",
        latitude=13.6593123,
        longitude=102.5635123,
        contact={"phone": PHONE, "name": "Canary Name"},
    )
    with receiver() as (url, received):
        hook = create_webhook("Partner", url, None)
        apply_action(report, "publish", None, report.version)
        db.session.commit()
        assert db.session.query(WebhookDelivery).count() == 1
        assert "1 delivered" in deliver(app)
    (delivery,) = received
    verify_signature(hook.secret, delivery)
    assert delivery["headers"]["X-Mapper-Event"] == "report.published"
    body = json.loads(delivery["body"])
    assert body["event"] == "report.published"
    assert body["data"]["properties"]["reference"] == report.reference
    for canary in (PHONE, "Canary Name", "13.659312", "102.563512"):
        assert canary not in delivery["body"]
    assert "0 delivered" in deliver(app)  # sent once, not again


def test_retraction_names_the_record_and_nothing_else(app, client, make_report):
    report = make_report("published", title="Later rejected")
    with receiver() as (url, received):
        create_webhook("Partner", url, None)
        apply_action(report, "reject", None, report.version, reason="duplicate of another")
        db.session.commit()
        deliver(app)
    body = json.loads(received[0]["body"])
    assert body == {
        "event": "report.retracted",
        "occurred_at": body["occurred_at"],
        "data": {"reference": report.reference},
    }


def test_a_failing_endpoint_is_retried_later_and_moderation_is_not_held_up(
    app, client, make_report
):
    report = make_report("pending")
    with receiver(status=503) as (url, received):
        create_webhook("Partner", url, None)
        apply_action(report, "verify", None, report.version)
        db.session.commit()
        assert "1 to retry" in deliver(app)
        # Not due again yet: the backoff holds it back.
        assert "0 to retry" in deliver(app)
    assert len(received) == 1
    delivery = db.session.query(WebhookDelivery).one()
    db.session.refresh(delivery)
    assert delivery.attempts == 1 and delivery.delivered_at is None
    assert delivery.last_status == 503
    assert (delivery.next_attempt_at - delivery.created_at).total_seconds() >= 25


def test_bad_webhook_addresses_are_refused(client):
    from mapper.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as failed:
        create_webhook("Partner", "ftp://partner.example/hook", None)
    assert failed.value.by_field().keys() == {"url"}
