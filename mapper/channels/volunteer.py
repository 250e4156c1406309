"""The volunteer web app at /volunteer: pick a form, fill it on a phone, see "my reports".

Pages work offline through the service worker; filled forms wait in the browser (IndexedDB)
and are sent to /volunteer/api/submissions when the connection returns, each with the UUID the
browser gave it, so that a form sent twice is stored once.
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from mapper import jsontext
from mapper.auth.permissions import can, require
from mapper.errors import MapperError
from mapper.extensions import csrf, db
from mapper.forms import service
from mapper.forms.photos import MAX_BYTES, discard
from mapper.models import Photo, Report
from mapper.tiles import tile_prefix

bp = Blueprint("volunteer", __name__)
# Queued forms are sent hours later, when a CSRF token would have expired: the JSON endpoint
# checks that the request comes from this site instead (see same_site_only).
csrf.exempt(bp)
MAX_PHOTOS = 10


@bp.before_request
def same_site_only():
    """Writes must come from this site's own pages (Fetch Metadata, else Origin)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    request.max_content_length = MAX_PHOTOS * MAX_BYTES + 2**20
    site = request.headers.get("Sec-Fetch-Site")
    origin = request.headers.get("Origin")
    if site is not None and site != "same-origin":
        abort(403)
    if site is None and origin is not None and origin != request.host_url.rstrip("/"):
        abort(403)
    return None


@bp.get("/")
@require("submit_volunteer_report")
def home():
    """Show the forms this volunteer may fill in and the queue of unsent ones."""
    return render_template("volunteer/home.html", forms=service.forms_for(current_user))


@bp.get("/forms/<code>")
@require("submit_volunteer_report")
def fill(code: str):
    """Show one form, ready to fill in online or offline."""
    form = service.find_form(code)
    if not service.may_submit(current_user, form):
        abort(403)
    return render_template(
        "volunteer/form.html",
        form=form,
        version=form.current,
        fields=service.fields_of(form.current),
        language=str(get_locale()),
    )


@bp.get("/reports")
@require("submit_volunteer_report")
def my_reports():
    """List the reports this volunteer sent, with their review status."""
    reports = db.session.scalars(
        select(Report)
        .where(Report.submitted_by_id == current_user.id)
        .order_by(Report.received_at.desc())
        .limit(200)
    ).all()
    return render_template("volunteer/reports.html", reports=reports)


@bp.post("/api/submissions")
@require("submit_volunteer_report")
def submit():
    """Store one filled form: a JSON `meta` part plus the photos its answers name."""
    try:
        meta = jsontext.loads(request.form.get("meta") or "")
    except ValueError:
        raise MapperError(_("The meta part must be JSON."), "meta") from None
    if not isinstance(meta, dict):
        raise MapperError(_("The meta part must be JSON."), "meta")
    form = service.find_form(str(meta.get("form") or ""))
    if not service.may_submit(current_user, form):
        raise MapperError(_("You may not submit this form."), "form", 403)
    files = request.files.getlist("photos")
    if len(files) > MAX_PHOTOS:
        raise MapperError(_("At most %(n)d photos.", n=MAX_PHOTOS), "photos", 413)
    instance_id = meta.get("instance_id")
    if not isinstance(instance_id, str) or not instance_id.strip():
        raise MapperError(_("Each submission needs its UUID."), "instance_id")
    answers = meta.get("answers", {})
    if not isinstance(answers, dict):
        raise MapperError(_("The answers must be a JSON object of field names."), "answers")
    filled = service.FilledForm(
        version=service.version_of(form, meta.get("version")),
        answers=answers,
        uploads={f.filename: f.read() for f in files if f.filename},
        instance_id=instance_id,
        language=meta.get("language") if isinstance(meta.get("language"), str) else None,
    )
    written: list[str] = []
    try:
        result, written = service.submit_form(filled, current_user, "volunteer")
        db.session.commit()
    except Exception:
        db.session.rollback()
        discard(written, service.upload_dir())
        raise
    body = {"reference": result.reference, "status": result.status, "created": result.created}
    return jsonify(body), 201 if result.created else 200


@bp.get("/photos/<name>")
def photo(name: str):
    """Send a stored photo to the volunteer who took it and to reviewers who may see it."""
    stored = db.session.scalar(select(Photo).where(Photo.name == name))
    if stored is None or not current_user.is_authenticated:
        abort(404)
    own = stored.uploaded_by_id is not None and stored.uploaded_by_id == current_user.id
    allowed = can(current_user, "view_private_answers") or (
        not stored.private and can(current_user, "view_pending")
    )
    if not (own or allowed):
        abort(404)
    path = Path(service.upload_dir()) / stored.name
    response = send_file(path, mimetype=stored.media_type, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = "inline"
    return response


@bp.get("/sw.js")
@require("submit_volunteer_report")
def service_worker():
    """Serve the service worker from /volunteer/ so that it controls the whole app.

    Only to a signed-in volunteer: a browser checking for a new version while signed out
    keeps the one it has instead of installing one that would fetch pages it cannot see.
    """
    forms = service.forms_for(current_user)
    shell = [url_for(".home"), url_for(".my_reports")]
    shell += [url_for(".fill", code=f.code) for f in forms]
    assets = [
        url_for("static", filename="css/mapper.css"),
        url_for("static", filename="js/volunteer.js"),
        url_for("static", filename="js/leaflet-setup.js"),
        # Land and borders, drawn where no kept tile covers the map.
        url_for("static", filename="vendor/topojson-client/topojson-client.min.js"),
        url_for("static", filename="vendor/world-atlas/countries-50m.json"),
        url_for("static", filename="js/location-picker.js"),
        url_for("static", filename="js/quick-exit.js"),
        # Khmer letters for phones without a Khmer font.
        url_for("static", filename="vendor/noto-sans-khmer/noto-sans-khmer-khmer-400-normal.woff2"),
        url_for("static", filename="vendor/noto-sans-khmer/noto-sans-khmer-khmer-700-normal.woff2"),
        url_for("web.vendor", package="leaflet", filename="leaflet.js"),
        url_for("web.vendor", package="leaflet", filename="leaflet.css"),
        url_for("web.vendor", package="leaflet", filename="images/marker-icon.png"),
        url_for("web.vendor", package="leaflet", filename="images/marker-shadow.png"),
    ]
    script = render_template(
        "volunteer/sw.js",
        shell=json.dumps(shell),
        assets=json.dumps(assets),
        tiles=json.dumps(tile_prefix()),
        most_tiles=max(0, current_app.config["MAPPER_VOLUNTEER_TILES"]),
    )
    response = Response(script, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = url_for(".home")
    return response
