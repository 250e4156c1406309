"""`mapper sms send-pending` against a local server that speaks Twilio's REST shape."""

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from sqlalchemy import select

from mapper.extensions import db
from mapper.models import OutboundMessage


class FakeTwilio(BaseHTTPRequestHandler):
    received: list = []
    fail_to: set = set()

    def do_POST(self):  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length", 0))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        FakeTwilio.received.append((self.path, form, self.headers.get("Authorization")))
        if form.get("To") in FakeTwilio.fail_to:
            status, body = (
                400,
                {
                    "code": 21211,
                    "message": "Invalid 'To' Phone Number",
                    "status": 400,
                    "more_info": "",
                },
            )
        else:
            status, body = (
                201,
                {
                    "sid": "SM" + uuid.uuid4().hex,
                    "status": "queued",
                    "to": form.get("To"),
                    "from": form.get("From"),
                    "body": form.get("Body"),
                },
            )
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_twilio(app):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTwilio)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeTwilio.received, FakeTwilio.fail_to = [], set()
    saved = {
        k: app.config.get(k)
        for k in ("MAPPER_TWILIO_API_URL", "MAPPER_TWILIO_ACCOUNT_SID", "MAPPER_TWILIO_FROM_NUMBER")
    }
    app.config.update(
        MAPPER_TWILIO_API_URL=f"http://127.0.0.1:{server.server_port}",
        MAPPER_TWILIO_ACCOUNT_SID="AC" + "0" * 32,
        MAPPER_TWILIO_FROM_NUMBER="+15550001111",
    )
    yield FakeTwilio
    app.config.update(saved)
    server.shutdown()


def queue(report, body="Your report is being reviewed."):
    message = OutboundMessage(
        uuid=str(uuid.uuid4()), provider="twilio", contact_id=report.contact.id, body=body
    )
    db.session.add(message)
    db.session.commit()
    return message


def test_send_pending_sends_through_the_rest_api(app, db_session, fake_twilio, make_report):
    message = queue(make_report(contact={"phone": "+85512345678"}))
    result = app.test_cli_runner().invoke(args=["sms", "send-pending"])
    assert result.exit_code == 0 and "sent 1" in result.output
    [(path, form, auth)] = fake_twilio.received
    assert path == "/2010-04-01/Accounts/AC" + "0" * 32 + "/Messages.json"
    assert form == {
        "To": "+85512345678",
        "From": "+15550001111",
        "Body": "Your report is being reviewed.",
    }
    assert auth.startswith("Basic ")
    db.session.refresh(message)
    assert (message.status, message.attempts) == ("sent", 1)
    again = app.test_cli_runner().invoke(args=["sms", "send-pending"])
    assert "sent 0" in again.output and len(fake_twilio.received) == 1


def test_a_refused_message_is_retried_then_given_up(app, db_session, fake_twilio, make_report):
    fake_twilio.fail_to = {"+85512345679"}
    message = queue(make_report(contact={"phone": "+85512345679"}))
    for _ in range(5):
        app.test_cli_runner().invoke(args=["sms", "send-pending"])
    db.session.refresh(message)
    assert (message.status, message.attempts, message.last_error) == ("failed", 5, "21211")
    assert "+85512345679" not in (message.last_error or "")
    assert db.session.scalar(select(OutboundMessage.status)) == "failed"
