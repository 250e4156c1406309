"""Sign-in and sign-out at /auth; accounts, passwords and the permission table live beside."""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFError

from mapper.auth import accounts
from mapper.auth.accounts import normalise_email
from mapper.auth.permissions import can
from mapper.errors import expired_form
from mapper.extensions import db, limiter, login_manager

bp = Blueprint("auth", __name__)


def _account_key() -> str:
    return "account:" + normalise_email(request.form.get("email", ""))


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: an open redirect would help phishing."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def _landing() -> str:
    return (
        url_for("admin.queue") if can(current_user, "view_pending") else url_for("web.public_map")
    )


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["MAPPER_LOGIN_LIMIT_PER_IP"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["MAPPER_LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_account_key,
    methods=["POST"],
)
def login():
    """Sign in with email and password."""
    if request.method == "GET":
        return render_template("auth/login.html", error=None, email="")
    user = accounts.authenticate(request.form.get("email", ""), request.form.get("password", ""))
    if user is None:
        db.session.rollback()
        # One message for unknown accounts and wrong passwords alike.
        error = _("Email or password is incorrect.")
        return render_template(
            "auth/login.html", error=error, email=request.form.get("email", "")
        ), 401
    target = _safe_next(request.args.get("next"))
    # A fresh session at sign-in: nothing set before it carries over.
    session.clear()
    g.pop("csrf_token", None)
    login_user(user)
    db.session.commit()
    return redirect(target or _landing())


@bp.errorhandler(CSRFError)
def expired_sign_in(exc: CSRFError):
    """An expired sign-in form is shown again with a fresh token, the email kept: the person
    signing in only has to send it again."""
    db.session.rollback()
    if request.endpoint != "auth.login":
        return expired_form()
    error = _("This sign-in page had expired. Please sign in again.")
    email = request.form.get("email", "")
    return render_template("auth/login.html", error=error, email=email), 400


@bp.post("/logout")
@login_required
def logout():
    """Sign out, ending every session of this account."""
    accounts.end_sessions(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("web.public_map"))


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    login_manager.user_loader(accounts.load_user)
    limiter.init_app(app)
