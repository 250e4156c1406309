"""Every route × every role has an expected outcome; a route missing here fails the test."""

import uuid
from datetime import UTC, datetime

import pytest

from mapper.auth.permissions import PERMISSIONS
from mapper.channels.sms import service
from mapper.channels.sms.base import InboundSms
from mapper.extensions import db
from mapper.models import InboundMessage
from tests.conftest import csrf_token_from

ROLES = ["anonymous", "volunteer", "partner", "analyst", "moderator", "admin"]
STAFF_READ = {"analyst", "moderator", "admin"}
MODERATORS = {"moderator", "admin"}
ADMINS = {"admin"}
EVERYONE = set(ROLES)
VOLUNTEERS = {"volunteer", "admin"}

# endpoint: list of (method, path template, data, roles allowed, status when allowed)
# "{ref}" is a pending report made for the case; "{other}" a second one.
CASES = {
    "web.public_map": [("GET", "/", None, EVERYONE, 200)],
    "web.health": [("GET", "/healthz", None, EVERYONE, 200)],
    "web.vendor": [("GET", "/vendor/leaflet/leaflet.js", None, EVERYONE, 200)],
    "static": [("GET", "/static/js/map.js", None, EVERYONE, 200)],
    "tiles.tile": [("GET", "/tiles/0/0/0", None, EVERYONE, 200)],
    "report_form.report_form": [("GET", "/report", None, EVERYONE, 200)],
    "report_form.submit_report": [("POST", "/report", {"title": "x"}, EVERYONE, 200)],
    "api.create_report": [("POST", "/api/v1/reports", "json", EVERYONE, 201)],
    "api.list_reports": [("GET", "/api/v1/reports", None, EVERYONE, 200)],
    "api.show_report": [("GET", "/api/v1/reports/{ref}", None, EVERYONE, 404)],
    "api.list_categories": [("GET", "/api/v1/categories", None, EVERYONE, 200)],
    "api.search_places": [("GET", "/api/v1/places?q=po", None, EVERYONE, 200)],
    "api.clusters": [
        ("GET", "/api/v1/clusters?zoom=3", None, EVERYONE, 200),
        ("GET", "/api/v1/clusters?zoom=3&audience=reviewer", None, STAFF_READ, 200),
    ],
    "api.heatmap": [
        ("GET", "/api/v1/heatmap", None, EVERYONE, 200),
        ("GET", "/api/v1/heatmap?audience=reviewer", None, STAFF_READ, 200),
    ],
    "api.histogram": [
        ("GET", "/api/v1/histogram", None, EVERYONE, 200),
        ("GET", "/api/v1/histogram?audience=reviewer", None, STAFF_READ, 200),
    ],
    "api.hotspots": [
        ("GET", "/api/v1/hotspots", None, EVERYONE, 200),
        ("GET", "/api/v1/hotspots?audience=reviewer", None, STAFF_READ, 200),
    ],
    "web.analyst_map": [("GET", "/analyst", None, STAFF_READ, 200)],
    "api.openapi_document": [("GET", "/api/v1/openapi.json", None, EVERYONE, 200)],
    "auth.login": [("GET", "/auth/login", None, EVERYONE, 200)],
    # Gateways authenticate by signature or secret, whoever is signed in: without one, 403.
    "sms.inbound": [
        ("POST", "/sms/twilio", {"Body": "x"}, EVERYONE, 403),
        ("POST", "/sms/smssync", {"message": "x"}, EVERYONE, 403),
    ],
    "sms.africastalking": [("POST", "/sms/africastalking/wrong", {"text": "x"}, EVERYONE, 403)],
    "sms.smssync_poll": [("GET", "/sms/smssync?task=send", None, EVERYONE, 403)],
    "auth.logout": [("POST", "/auth/logout", {}, EVERYONE - {"anonymous"}, 302)],
    # The area's address only points at the queue, which asks for the permission itself.
    "admin.home": [("GET", "/admin/", None, EVERYONE, 302)],
    "admin.queue": [("GET", "/admin/reports", None, STAFF_READ, 200)],
    "admin.report": [("GET", "/admin/reports/{ref}", None, STAFF_READ, 200)],
    "admin.bulk": [
        ("POST", "/admin/reports/bulk", {"action": "publish", "reports": "{ref}"}, MODERATORS, 302)
    ],
    "admin.inbox_list": [("GET", "/admin/inbox", None, STAFF_READ, 200)],
    "admin.conversation": [("GET", "/admin/inbox/{sender}", None, STAFF_READ, 200)],
    "admin.locate_message": [
        (
            "POST",
            "/admin/inbox/messages/{message}/locate",
            {"latitude": "13.5", "longitude": "102.5"},
            MODERATORS,
            302,
        )
    ],
    "admin.reply": [
        ("POST", "/admin/inbox/{sender}/reply", {"text": "Are you safe?"}, MODERATORS, 302)
    ],
    "exports.reports": [
        ("GET", "/exports/reports.csv", None, EVERYONE, 200),
        ("GET", "/exports/reports.geojson?audience=reviewer", None, STAFF_READ, 200),
    ],
    "exports.offline_map": [("GET", "/exports/map.html", None, EVERYONE, 200)],
    "ogc.landing": [("GET", "/ogc", None, EVERYONE, 200)],
    "ogc.conformance": [("GET", "/ogc/conformance", None, EVERYONE, 200)],
    "ogc.openapi": [("GET", "/ogc/api", None, EVERYONE, 200)],
    "ogc.collections": [("GET", "/ogc/collections", None, EVERYONE, 200)],
    "ogc.collection": [("GET", "/ogc/collections/reports", None, EVERYONE, 200)],
    "ogc.items": [("GET", "/ogc/collections/reports/items", None, EVERYONE, 200)],
    # A pending report is not public, whoever asks.
    "ogc.item": [("GET", "/ogc/collections/reports/items/{ref}", None, EVERYONE, 404)],
    "embed.embedded_map": [("GET", "/embed/map?layer=heatmap", None, EVERYONE, 200)],
    "embed.builder": [("GET", "/embed", None, EVERYONE, 200)],
    "admin.partners": [("GET", "/admin/partners", None, ADMINS, 200)],
    "admin.forms": [("GET", "/admin/forms", None, ADMINS, 200)],
    "admin.new_form": [("GET", "/admin/forms/new", None, ADMINS, 200)],
    "admin.edit_form": [("GET", "/admin/forms/FR", None, ADMINS, 200)],
    # Allowed roles reach validation: the sent fields are not JSON.
    "admin.create_form": [
        ("POST", "/admin/forms/create", {"code": "NEW", "fields": "x"}, ADMINS, 422)
    ],
    "admin.update_form": [
        ("POST", "/admin/forms/FR/save", {"code": "FR", "fields": "x"}, ADMINS, 422)
    ],
    "volunteer.home": [("GET", "/volunteer/", None, VOLUNTEERS, 200)],
    "volunteer.fill": [("GET", "/volunteer/forms/FR", None, VOLUNTEERS, 200)],
    "volunteer.my_reports": [("GET", "/volunteer/reports", None, VOLUNTEERS, 200)],
    # Allowed roles reach the checks of the body: this one is not JSON.
    "volunteer.submit": [("POST", "/volunteer/api/submissions", {"meta": "x"}, VOLUNTEERS, 400)],
    "volunteer.photo": [("GET", "/volunteer/photos/no-such-photo.jpg", None, EVERYONE, 404)],
    "volunteer.service_worker": [("GET", "/volunteer/sw.js", None, VOLUNTEERS, 200)],
    # ODK clients sign in with Digest or a form token; a login cookie counts for nothing.
    "openrosa.form_list": [
        ("GET", "/openrosa/formList", None, EVERYONE, 401),
        ("GET", "/openrosa/t/no-such-token/formList", None, EVERYONE, 404),
    ],
    "openrosa.xform": [("GET", "/openrosa/forms/FR.xml", None, EVERYONE, 401)],
    "openrosa.submission_probe": [("HEAD", "/openrosa/submission", None, EVERYONE, 401)],
    "openrosa.submission": [("POST", "/openrosa/submission", {}, EVERYONE, 401)],
    "admin.create_token": [
        ("POST", "/admin/partners/tokens", {"label": "Partner", "scopes": "read"}, ADMINS, 201)
    ],
    "admin.revoke_token": [("POST", "/admin/partners/tokens/1/revoke", {}, ADMINS, 302)],
    "admin.create_webhook": [
        (
            "POST",
            "/admin/partners/webhooks",
            {"label": "Partner", "url": "https://partner.example/hook"},
            ADMINS,
            302,
        )
    ],
    "admin.disable_webhook": [("POST", "/admin/partners/webhooks/1/disable", {}, ADMINS, 302)],
    "admin.act": [
        ("POST", "/admin/reports/{ref}/publish", {}, MODERATORS, 302),
        ("POST", "/admin/reports/{ref}/verify", {}, MODERATORS, 302),
        ("POST", "/admin/reports/{ref}/reject", {"reason": "spam"}, MODERATORS, 302),
        ("POST", "/admin/reports/{ref}/archive", {}, MODERATORS, 302),
        ("POST", "/admin/reports/{ref}/merge", {"into": "{other}"}, MODERATORS, 302),
        (
            "POST",
            "/admin/reports/{ref}/edit",
            {"title": "Edited", "categories": "other"},
            MODERATORS,
            302,
        ),
    ],
}


@pytest.fixture
def sms_message(app, db_session):
    def make():
        with app.test_request_context():
            outcome = service.receive(
                InboundSms(
                    "twilio",
                    uuid.uuid4().hex,
                    "+85512345678",
                    None,
                    "no place given",
                    datetime.now(UTC),
                )
            )
        db.session.commit()
        return db.session.get(InboundMessage, outcome.inbound_id)

    return make


FLAT = [
    (endpoint, case, role) for endpoint, cases in CASES.items() for case in cases for role in ROLES
]


def test_every_route_has_cases(app):
    assert {rule.endpoint for rule in app.url_map.iter_rules()} == set(CASES)


def test_the_table_knows_every_role():
    assert set(PERMISSIONS) == set(ROLES)


@pytest.mark.parametrize("endpoint, case, role", FLAT, ids=[f"{e}-{c[1]}-{r}" for e, c, r in FLAT])
def test_route_by_role(client, make_user, make_report, login, sms_message, endpoint, case, role):
    method, template, data, allowed, ok = case
    report, other = make_report("pending"), make_report("pending")
    message = sms_message()
    if role != "anonymous":
        login(make_user(role))
    names = {
        "ref": report.reference,
        "other": other.reference,
        "sender": message.sender_key,
        "message": message.id,
    }
    path = template.format(**names)
    if method == "GET":
        response = client.get(path)
    elif method == "HEAD":
        response = client.head(path)
    elif data == "json":
        response = client.post(path, json={"title": "Permission check"})
    else:
        page = client.get("/report").get_data(as_text=True)
        form = {k: v.format(ref=report.reference, other=other.reference) for k, v in data.items()}
        form |= {
            "csrf_token": csrf_token_from(page),
            "version": str(report.version),
            f"version-{report.reference}": str(report.version),
        }
        response = client.post(path, data=form)
    if role in allowed:
        assert response.status_code == ok, response.get_data(as_text=True)[:300]
    elif role == "anonymous":
        assert response.status_code in (302, 401)
        if response.status_code == 302:
            assert "/auth/login" in response.headers["Location"]
    else:
        assert response.status_code == 403


# JSON API, gateway webhooks and ODK clients carry no session cookie and are exempt from CSRF;
# the volunteer app's queue checks Fetch Metadata instead (tests/channels/test_volunteer.py).
CSRF_EXEMPT = ("/api/", "/sms/", "/openrosa/", "/volunteer/api/")
POST_ROUTES = sorted(
    {
        (c[1])
        for cases in CASES.values()
        for c in cases
        if c[0] == "POST" and not c[1].startswith(CSRF_EXEMPT)
    }
)


@pytest.mark.parametrize("template", POST_ROUTES)
def test_state_changes_need_a_csrf_token_and_refuse_get(
    client, make_user, make_report, login, sms_message, template
):
    report, other = make_report("pending"), make_report("pending")
    message = sms_message()
    login(make_user("admin"))
    path = template.format(
        ref=report.reference, other=other.reference, sender=message.sender_key, message=message.id
    )
    response = client.post(
        path,
        data={
            "version": str(report.version),
            "reason": "x",
            "action": "publish",
            "reports": report.reference,
        },
    )
    assert response.status_code == 400
    if path not in ("/report", "/auth/login"):
        # GET never acts: 405, or 404 where the path also reads as a report reference.
        assert client.get(path).status_code in (404, 405)
    assert report.status == "pending"
