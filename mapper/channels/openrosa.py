"""ODK Collect and KoboCollect over OpenRosa 1.0: the form list, XForms, and submissions.

Volunteers sign in with HTTP Digest (or Basic over HTTPS); a public form is also reachable
through its secret token in the path, without an account. Every answer carries the
`X-OpenRosa-Version: 1.0` header; errors come back as OpenRosaResponse messages.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree.ElementTree import Element, SubElement, tostring

from defusedxml.ElementTree import fromstring
from flask import Blueprint, Response, request, url_for
from flask_babel import gettext as _
from sqlalchemy import delete, select

from mapper.auth.device import SignInNeeded, device_user
from mapper.errors import MapperError
from mapper.extensions import csrf, db
from mapper.forms import service
from mapper.forms.photos import MAX_BYTES, discard
from mapper.forms.xform import build_xform, md5_hash
from mapper.models import Form, PendingUpload

bp = Blueprint("openrosa", __name__)
csrf.exempt(bp)

XFORMS_LIST = "http://openrosa.org/xforms/xformsList"
RESPONSE = "http://openrosa.org/http/response"
# The largest request body a client may send; it splits bigger submissions into parts.
ACCEPT_CONTENT_LENGTH = 4 * MAX_BYTES
PARTS_KEPT = timedelta(days=7)


@bp.before_request
def larger_bodies() -> None:
    """Submissions carry photos: allow them past the site-wide body limit."""
    request.max_content_length = ACCEPT_CONTENT_LENGTH + 2**20


@bp.after_request
def openrosa_headers(response: Response) -> Response:
    response.headers["X-OpenRosa-Version"] = "1.0"
    if request.endpoint in ("openrosa.submission", "openrosa.submission_probe"):
        response.headers["X-OpenRosa-Accept-Content-Length"] = str(ACCEPT_CONTENT_LENGTH)
    return response


def _message(text: str, status: int, nature: str = "") -> Response:
    root = Element("OpenRosaResponse", xmlns=RESPONSE)
    message = SubElement(root, "message")
    if nature:
        message.set("nature", nature)
    message.text = text
    body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode").encode()
    return Response(body, status=status, mimetype="text/xml")


@bp.errorhandler(MapperError)
def openrosa_error(exc: MapperError) -> Response:
    """Errors as OpenRosa messages that Collect shows to the volunteer."""
    text = "; ".join(
        f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in exc.errors()
    )
    response = _message(text, exc.status, "submit_error")
    if isinstance(exc, SignInNeeded):
        for challenge in exc.challenges():
            response.headers.add("WWW-Authenticate", challenge.to_header())
    return response


def _xml(document: bytes) -> Response:
    return Response(document, mimetype="text/xml")


def _form_for_token(token: str) -> Form:
    form = db.session.scalar(select(Form).where(Form.submission_token == token))
    if form is None or form.audience != "public" or not form.active:
        raise MapperError(_("No such form."), "token", 404)
    return form


def _forms(token: str | None) -> tuple[list[Form], object]:
    """The forms the request may use: a token's one public form, or the account's forms."""
    if token is not None:
        return [_form_for_token(token)], None
    user = device_user()
    return service.forms_for(user), user


def _xform_of(form: Form) -> bytes:
    version = form.current
    return build_xform(form.code, form.name("en"), version.number, service.fields_of(version))


@bp.get("/formList")
@bp.get("/t/<token>/formList")
def form_list(token: str | None = None):
    """List the forms this client may fill in, with each XForm's hash and address."""
    forms, _user = _forms(token)
    root = Element("xforms", xmlns=XFORMS_LIST)
    for form in forms:
        entry = SubElement(root, "xform")
        SubElement(entry, "formID").text = form.code
        SubElement(entry, "name").text = form.name("en")
        SubElement(entry, "version").text = str(form.current.number)
        SubElement(entry, "hash").text = md5_hash(_xform_of(form))
        address = url_for(".xform", code=form.code, token=token, _external=True)
        SubElement(entry, "downloadUrl").text = address
    return _xml(b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root))


@bp.get("/forms/<code>.xml")
@bp.get("/t/<token>/forms/<code>.xml")
def xform(code: str, token: str | None = None):
    """Send one form as an XForm."""
    forms, _user = _forms(token)
    form = next((f for f in forms if f.code == code), None)
    if form is None:
        raise MapperError(_("No such form."), "formID", 404)
    return _xml(_xform_of(form))


@bp.route("/submission", methods=["HEAD"])
@bp.route("/t/<token>/submission", methods=["HEAD"])
def submission_probe(token: str | None = None):
    """Tell the client it may submit here, and how large a request may be."""
    _forms(token)
    return Response(status=204)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_instance(document: bytes) -> tuple[str, str, str, dict]:
    """Form id, version, instance id and the answers of a submitted XForm instance."""
    try:
        root = fromstring(document)
    except Exception:  # defusedxml refuses entities; ElementTree refuses broken XML
        raise MapperError(
            _("The submission is not well-formed XML."), "xml_submission_file"
        ) from None
    answers, instance_id = {}, ""
    for child in root:
        name = _local(child.tag)
        if name == "meta":
            for item in child:
                if _local(item.tag) == "instanceID":
                    instance_id = (item.text or "").strip()
        else:
            answers[name] = (child.text or "").strip()
    if not instance_id:
        raise MapperError(_("The submission has no meta/instanceID."), "instanceID")
    return root.get("id", ""), root.get("version", ""), instance_id, answers


def _held_parts(instance_id: str) -> dict[str, bytes]:
    rows = db.session.execute(
        select(PendingUpload.filename, PendingUpload.content).where(
            PendingUpload.instance_id == instance_id
        )
    )
    return {filename: content for filename, content in rows}


def _hold(instance_id: str, uploads: dict[str, bytes]) -> None:
    # Parts of submissions never finished within a week are let go.
    stale = datetime.now(UTC) - PARTS_KEPT
    db.session.execute(delete(PendingUpload).where(PendingUpload.created_at < stale))
    held = _held_parts(instance_id)
    for filename, content in uploads.items():
        if filename not in held:
            db.session.add(
                PendingUpload(instance_id=instance_id, filename=filename, content=content)
            )


@bp.post("/submission")
@bp.post("/t/<token>/submission")
def submission(token: str | None = None):
    """Store one filled form sent as multipart: the instance XML plus its attachments."""
    forms, user = _forms(token)
    document = request.files.get("xml_submission_file")
    if document is None:
        raise MapperError(_("The xml_submission_file part is missing."), "xml_submission_file")
    form_id, version_number, instance_id, answers = parse_instance(document.read())
    form = next((f for f in forms if f.code == form_id), None)
    if form is None:
        raise MapperError(_("You may not submit this form."), "formID", 403)
    uploads = {
        part.filename: part.read()
        for key, part in request.files.items(multi=True)
        if key != "xml_submission_file" and part.filename
    }
    if "*isIncomplete*" in request.form:
        _hold(instance_id, uploads)
        db.session.commit()
        return _message(_("Part received."), 201, "submit_success")
    uploads = {**_held_parts(instance_id), **uploads}
    filled = service.FilledForm(
        version=service.version_of(form, version_number),
        answers=answers,
        uploads=uploads,
        instance_id=instance_id,
    )
    written: list[str] = []
    try:
        result, written = service.submit_form(filled, user, "odk")
        db.session.execute(delete(PendingUpload).where(PendingUpload.instance_id == instance_id))
        db.session.commit()
    except MapperError as exc:
        db.session.rollback()
        discard(written, service.upload_dir())
        if exc.field == "Idempotency-Key":
            raise MapperError(
                _("This instanceID was already sent with different answers."), "instanceID", 409
            ) from None
        raise
    except Exception:
        db.session.rollback()
        discard(written, service.upload_dir())
        raise
    text = _("Thank you. Your report's reference is %(reference)s.", reference=result.reference)
    return _message(text, 201, "submit_success")
