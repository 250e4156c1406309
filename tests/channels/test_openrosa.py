"""ODK Collect / KoboCollect over OpenRosa 1.0, replayed as the specification shapes requests."""

from __future__ import annotations

import base64
import hashlib
import io
import uuid
from xml.etree import ElementTree

import pytest
from sqlalchemy import func, select
from werkzeug.http import parse_dict_header

from mapper.extensions import db
from mapper.models import Form, Photo, Report
from tests.conftest import PASSWORD, count_rows
from tests.forms.test_photos import jpeg_with_gps

XFORMS = "{http://www.w3.org/2002/xforms}"
H = "{http://www.w3.org/1999/xhtml}"
LIST = "{http://openrosa.org/xforms/xformsList}"
RESPONSE = "{http://openrosa.org/http/response}"
OPENROSA = {"X-OpenRosa-Version": "1.0"}


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def digest_header(challenge: str, user, method: str, uri: str, password: str = PASSWORD) -> str:
    """The Authorization header ODK Collect answers a Digest challenge with (RFC 7616, MD5)."""
    params = parse_dict_header(challenge.split(" ", 1)[1])
    ha1 = md5(f"{user.email}:{params['realm']}:{password}")
    ha2 = md5(f"{method}:{uri}")
    nc, cnonce = "00000001", uuid.uuid4().hex[:16]
    response = md5(f"{ha1}:{params['nonce']}:{nc}:{cnonce}:auth:{ha2}")
    return (
        f'Digest username="{user.email}", realm="{params["realm"]}", nonce="{params["nonce"]}", '
        f'uri="{uri}", qop=auth, nc={nc}, cnonce="{cnonce}", response="{response}", '
        "algorithm=MD5"
    )


class Collect:
    """A client that signs in the way ODK Collect does: try, read the challenge, answer it."""

    def __init__(self, client, user, password: str = PASSWORD):
        self.client, self.user, self.password = client, user, password

    def request(self, method: str, uri: str, body=None, **kwargs):
        """`body` makes the multipart fields afresh for each attempt (files are read once)."""
        fresh = (lambda: {"data": body()}) if body else dict
        first = self.client.open(uri, method=method, headers=OPENROSA, **fresh(), **kwargs)
        if first.status_code != 401 or self.user is None:
            return first
        digest = next(
            h for h in first.headers.getlist("WWW-Authenticate") if h.startswith("Digest")
        )
        auth = digest_header(digest, self.user, method, uri, self.password)
        return self.client.open(
            uri, method=method, headers={**OPENROSA, "Authorization": auth}, **fresh(), **kwargs
        )


@pytest.fixture
def collect(client, make_user):
    return Collect(client, make_user("volunteer"))


def instance(instance_id: str, form: str = "FR", version: str = "1", **answers) -> bytes:
    values = {
        "title": "Crew kept on board",
        "site_type": "port",
        "what_happened": "Passports held by the captain.",
        "occurred_at": "2026-11-20T21:30:00.000+07:00",
        "location": "10.6093 103.5296 4.0 12.5",
        "categories": "forced_labour debt_bondage",
        "people_seen": "7",
        "minors_seen": "no",
        **answers,
    }
    fields = "".join(f"<{k}>{v}</{k}>" for k, v in values.items())
    return (
        f'<?xml version="1.0"?><data xmlns:jr="http://openrosa.org/javarosa" '
        f'xmlns:orx="http://openrosa.org/xforms" id="{form}" version="{version}">{fields}'
        f"<meta><instanceID>{instance_id}</instanceID></meta></data>"
    ).encode()


def submit(collect, document: bytes, attachments=(), incomplete: bool = False, path=None):
    """POST as ODK Collect does: the instance as xml_submission_file, each attachment by name."""

    def body() -> dict:
        data = {"xml_submission_file": (io.BytesIO(document), "submission.xml", "text/xml")}
        for index, (name, content) in enumerate(attachments):
            data[f"file{index}"] = (io.BytesIO(content), name, "image/jpeg")
        if incomplete:
            data["*isIncomplete*"] = "yes"
        return data

    return collect.request(
        "POST", path or "/openrosa/submission", body=body, content_type="multipart/form-data"
    )


def message(response) -> str:
    root = ElementTree.fromstring(response.data)
    assert root.tag == f"{RESPONSE}OpenRosaResponse"
    return root.find(f"{RESPONSE}message").text


def test_form_list_names_each_form_with_the_hash_of_its_xform(collect):
    response = collect.request("GET", "/openrosa/formList")
    assert response.status_code == 200
    assert response.headers["X-OpenRosa-Version"] == "1.0"
    assert response.mimetype == "text/xml"
    root = ElementTree.fromstring(response.data)
    assert root.tag == f"{LIST}xforms"
    entry = next(x for x in root if x.find(f"{LIST}formID").text == "FR")
    assert entry.find(f"{LIST}name").text == "Field report"
    assert entry.find(f"{LIST}version").text == "1"
    url = entry.find(f"{LIST}downloadUrl").text
    assert url.endswith("/openrosa/forms/FR.xml")
    xform = collect.request("GET", url.split("localhost", 1)[1])
    assert xform.status_code == 200 and xform.headers["X-OpenRosa-Version"] == "1.0"
    assert entry.find(f"{LIST}hash").text == "md5:" + hashlib.md5(xform.data).hexdigest()


def test_the_xform_is_a_complete_odk_form_in_three_languages(collect):
    root = ElementTree.fromstring(collect.request("GET", "/openrosa/forms/FR.xml").data)
    assert root.tag == f"{H}html"
    model = root.find(f"{H}head/{XFORMS}model")
    data = model.find(f"{XFORMS}instance/{XFORMS}data")
    assert (data.get("id"), data.get("version")) == ("FR", "1")
    assert data.find(f"{XFORMS}meta/{XFORMS}instanceID") is not None
    binds = {b.get("nodeset"): b for b in model.findall(f"{XFORMS}bind")}
    form = db.session.scalar(select(Form).where(Form.code == "FR"))
    expected = {
        "text": "string",
        "long_text": "string",
        "integer": "int",
        "datetime": "dateTime",
        "location": "geopoint",
        "photo": "binary",
        "select_one": "string",
        "select_many": "string",
        "yes_no": "string",
    }
    for field in form.current.fields:
        bind = binds[f"/data/{field['name']}"]
        assert bind.get("type") == expected[field["type"]], field["name"]
        assert (bind.get("required") == "true()") == field["required"]
    assert binds["/data/meta/instanceID"].get("readonly") == "true()"
    languages = {t.get("lang") for t in model.iter(f"{XFORMS}translation")}
    assert languages == {"English (en)", "Español (es)", "ខ្មែរ (km)"}
    spanish = next(t for t in model.iter(f"{XFORMS}translation") if "es" in t.get("lang"))
    texts = {t.get("id"): t.find(f"{XFORMS}value").text for t in spanish}
    assert texts["/data/title:label"] == "¿Qué vio? (título breve)"
    assert "-" not in texts.values()  # no untranslated placeholders
    body = root.find(f"{H}body")
    assert body.find(f"{XFORMS}upload").get("mediatype") == "image/*"


def test_head_probe_says_how_large_a_submission_may_be(collect):
    response = collect.request("HEAD", "/openrosa/submission")
    assert response.status_code == 204
    assert int(response.headers["X-OpenRosa-Accept-Content-Length"]) >= 10 * 2**20
    assert response.headers["X-OpenRosa-Version"] == "1.0"


def test_a_submission_with_a_photo_becomes_one_report(collect):
    instance_id = f"uuid:{uuid.uuid4()}"
    document = instance(instance_id, photo="1700000000.jpg")
    response = submit(collect, document, [("1700000000.jpg", jpeg_with_gps())])
    assert response.status_code == 201, response.data
    assert "reference" in message(response)
    report = db.session.scalar(select(Report).where(Report.idempotency_key == f"odk:{instance_id}"))
    assert (report.source, report.status, report.submitted_by_id) == (
        "odk",
        "pending",
        collect.user.id,
    )
    lat, lon = db.session.execute(
        select(func.ST_Y(Report.location), func.ST_X(Report.location)).where(Report.id == report.id)
    ).one()
    assert (lat, lon) == pytest.approx((10.6093, 103.5296))
    assert report.location_accuracy_m == 12.5
    assert report.occurred_at.isoformat() == "2026-11-20T14:30:00+00:00"
    assert report.custom_answers["answers"]["categories"] == ["forced_labour", "debt_bondage"]
    photo = db.session.scalar(select(Photo).where(Photo.report_id == report.id))
    assert photo.field == "photo" and photo.media_type == "image/jpeg"


def test_the_same_instance_sent_again_is_accepted_and_stored_once(collect):
    document = instance(f"uuid:{uuid.uuid4()}")
    before = count_rows("reports")
    assert submit(collect, document).status_code == 201
    assert submit(collect, document).status_code == 201
    assert count_rows("reports") == before + 1


def test_the_same_instance_id_with_different_answers_is_a_conflict(collect):
    instance_id = f"uuid:{uuid.uuid4()}"
    assert submit(collect, instance(instance_id)).status_code == 201
    changed = submit(collect, instance(instance_id, people_seen="9"))
    assert changed.status_code == 409
    assert "instanceID" in message(changed)


def test_a_submission_in_parts_is_assembled_when_the_last_part_arrives(collect):
    instance_id = f"uuid:{uuid.uuid4()}"
    document = instance(instance_id, photo="a.jpg")
    before = count_rows("reports")
    first = submit(collect, document, [("a.jpg", jpeg_with_gps())], incomplete=True)
    assert first.status_code == 201
    assert count_rows("reports") == before
    assert count_rows("pending_uploads") == 1
    last = submit(collect, document)
    assert last.status_code == 201, last.data
    assert count_rows("reports") == before + 1
    assert count_rows("pending_uploads") == 0
    report = db.session.scalar(select(Report).where(Report.idempotency_key == f"odk:{instance_id}"))
    assert db.session.scalar(select(Photo.field).where(Photo.report_id == report.id)) == "photo"


@pytest.mark.parametrize(
    "document, field",
    [
        (b"<data", "xml_submission_file"),
        (b'<!DOCTYPE d [<!ENTITY e "x">]><data id="FR">&e;</data>', "xml_submission_file"),
        (instance(f"uuid:{uuid.uuid4()}", version="7"), "version"),
        (instance(f"uuid:{uuid.uuid4()}", form="NOPE"), "formID"),
        (instance(f"uuid:{uuid.uuid4()}", location="95 10 0 0"), "answers.location"),
        (instance(f"uuid:{uuid.uuid4()}", photo="missing.jpg"), "answers.photo"),
    ],
    ids=[
        "broken",
        "entity",
        "unknown-version",
        "unknown-form",
        "bad-point",
        "missing-attachment",
    ],
)
def test_bad_submissions_get_an_openrosa_error_and_store_nothing(collect, document, field):
    before = count_rows("reports")
    response = submit(collect, document)
    assert 400 <= response.status_code < 500
    assert response.headers["X-OpenRosa-Version"] == "1.0"
    assert field in message(response)
    assert count_rows("reports") == before


def test_no_instance_id_is_named(collect):
    document = instance("x").replace(b"<meta><instanceID>x</instanceID></meta>", b"")
    response = submit(collect, document)
    assert response.status_code == 400 and "instanceID" in message(response)


def test_wrong_password_and_plain_http_basic_are_refused(client, make_user):
    user = make_user("volunteer")
    wrong = Collect(client, user, password="not the password at all")
    assert wrong.request("GET", "/openrosa/formList").status_code == 401
    # Basic is offered and accepted over HTTPS only.
    basic = {
        "Authorization": "Basic " + base64.b64encode(f"{user.email}:{PASSWORD}".encode()).decode()
    }
    plain = client.get("/openrosa/formList", headers=basic)
    assert plain.status_code == 401
    assert not any(h.startswith("Basic") for h in plain.headers.getlist("WWW-Authenticate"))
    secure = client.get("/openrosa/formList", headers=basic, base_url="https://localhost")
    assert secure.status_code == 200


def test_staff_without_the_volunteer_permission_get_no_forms(client, make_user):
    analyst = Collect(client, make_user("analyst"))
    root = ElementTree.fromstring(analyst.request("GET", "/openrosa/formList").data)
    assert list(root) == []
    assert submit(analyst, instance(f"uuid:{uuid.uuid4()}")).status_code == 403


def test_a_stale_nonce_is_answered_with_a_fresh_challenge(client, make_user, monkeypatch):
    import mapper.auth.device as device

    user = make_user("volunteer")
    challenge = client.get("/openrosa/formList").headers["WWW-Authenticate"]
    monkeypatch.setattr(device.time, "time", lambda: 10**10)
    again = client.get(
        "/openrosa/formList",
        headers={"Authorization": digest_header(challenge, user, "GET", "/openrosa/formList")},
    )
    assert again.status_code == 401
    assert "stale=TRUE" in again.headers["WWW-Authenticate"]


def test_a_public_form_takes_submissions_through_its_token_without_an_account(client):
    form = db.session.scalar(select(Form).where(Form.code == "FR"))
    form.audience = "public"
    db.session.commit()
    anonymous = Collect(client, None)
    base = f"/openrosa/t/{form.submission_token}"
    listing = ElementTree.fromstring(anonymous.request("GET", f"{base}/formList").data)
    url = listing.find(f"{LIST}xform/{LIST}downloadUrl").text
    assert base + "/forms/FR.xml" in url
    assert anonymous.request("GET", f"{base}/forms/FR.xml").status_code == 200
    response = submit(anonymous, instance(f"uuid:{uuid.uuid4()}"), path=f"{base}/submission")
    assert response.status_code == 201
    assert client.get("/openrosa/t/wrong-token/formList").status_code == 404
    form.audience = "volunteers"
    db.session.commit()
    assert client.get(f"{base}/formList").status_code == 404


def test_parts_of_a_submission_never_finished_are_let_go_after_a_week(collect):
    from datetime import UTC, datetime, timedelta

    from mapper.models import PendingUpload

    old = PendingUpload(instance_id="uuid:old", filename="a.jpg", content=b"x")
    db.session.add(old)
    db.session.flush()
    old.created_at = datetime.now(UTC) - timedelta(days=8)
    db.session.commit()
    document = instance(f"uuid:{uuid.uuid4()}", photo="b.jpg")
    response = submit(collect, document, [("b.jpg", jpeg_with_gps())], incomplete=True)
    assert response.status_code == 201
    assert response.headers["X-OpenRosa-Accept-Content-Length"]
    held = db.session.scalars(select(PendingUpload.instance_id)).all()
    assert "uuid:old" not in held and len(held) == 1
