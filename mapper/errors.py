"""Errors that carry their HTTP status, and handlers that answer in HTML or JSON."""

from __future__ import annotations

import logging
import traceback
from itertools import chain

from flask import Flask, Response, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from mapper.extensions import db

log = logging.getLogger(__name__)


class MapperError(Exception):
    """An error whose message is safe to show to the client."""

    status = 400

    def __init__(self, message: str, field: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if status is not None:
            self.status = status

    def errors(self) -> list[dict]:
        return [{"field": self.field, "message": self.message}]


class ValidationFailed(MapperError):
    """Invalid data: every (field, message) pair found, raised together."""

    status = 422

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__("; ".join(f"{f}: {m}" for f, m in errors))
        self.pairs = errors

    def errors(self) -> list[dict]:
        return [{"field": f, "message": str(m)} for f, m in self.pairs]

    def by_field(self) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        for field, message in self.pairs:
            grouped.setdefault(field, []).append(str(message))
        return grouped


class NotFound(MapperError):
    status = 404


class Conflict(MapperError):
    status = 409


def wants_json() -> bool:
    if request.path.startswith("/ogc") and request.args.get("f") != "html":
        return True
    if request.path.startswith(("/api/", "/volunteer/api/")):
        return True
    return request.accept_mimetypes.best == "application/json"


def _respond(status: int, errors: list[dict], title: str) -> Response:
    if wants_json():
        body: dict = {"errors": errors}
        if request.path.startswith("/ogc"):
            # OGC API clients read an exception as a code and a description.
            code = "InvalidParameterValue" if status in (400, 422) else title
            body = {"code": code, "description": errors[0]["message"], **body}
        return make_response(jsonify(body), status)
    page = render_template("errors/error.html", status=status, title=title, errors=errors)
    return make_response(page, status)


def _http_field(exc: HTTPException) -> str | None:
    return {413: "body", 415: "Content-Type", 400: "body"}.get(exc.code or 0)


def _http_message(exc: HTTPException) -> str:
    messages = {
        400: _("The request could not be understood."),
        403: _("You are not allowed to do this."),
        404: _("Nothing was found at this address."),
        405: _("This method is not allowed here."),
        413: _("The request body is too large."),
        415: _("Unsupported content type."),
        429: _("Too many requests. Please wait a moment and try again."),
    }
    return messages.get(exc.code or 500, exc.name)


def expired_form() -> Response:
    """A form whose token does not match the session: it was opened before a sign-in or
    sign-out in this browser, or the session's cookie has since been replaced."""
    message = _("This form has expired. Reload the page and send it again.")
    return _respond(400, [{"field": "csrf_token", "message": message}], message)


def register_error_handlers(app: Flask) -> None:
    """Answer every error as JSON under /api/ and as a page elsewhere, never with a trace."""

    @app.before_request
    def refuse_nul():
        # PostgreSQL keeps no NUL in text: an address holding one names nothing stored, and a
        # parameter or form field holding one is refused before anything reads or writes it.
        # (Neither can carry half a surrogate pair: their bytes are read as UTF-8, with U+FFFD
        # for what is not.) SMS gateways are answered field by field (a message's text is kept
        # as it came), and so are uploads, which their endpoints allow to be larger.
        if "\x00" in request.path:
            raise NotFound(_("Nothing was found at this address."))
        fields = request.args.items(multi=True)
        if request.blueprint != "sms" and request.mimetype == "application/x-www-form-urlencoded":
            fields = chain(fields, request.form.items(multi=True))
        for name, value in fields:
            if "\x00" in name or "\x00" in value:
                field = name.replace("\x00", "\ufffd")
                raise ValidationFailed([(field, _("Contains characters that are not allowed."))])

    @app.errorhandler(MapperError)
    def handle_mapper_error(exc: MapperError):
        db.session.rollback()
        return _respond(exc.status, exc.errors(), exc.message)

    @app.errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException):
        db.session.rollback()
        message = _http_message(exc)
        errors = [{"field": _http_field(exc), "message": message}]
        response = _respond(exc.code or 500, errors, message)
        if exc.code == 405 and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(CSRFError)
    def handle_expired_form(exc: CSRFError):
        db.session.rollback()
        return expired_form()

    @app.errorhandler(OperationalError)
    def handle_database_down(exc: DBAPIError):
        # Never acknowledge what was not stored: tell the client to retry.
        db.session.rollback()
        log.error("database unavailable: %s", type(exc.orig).__name__)
        message = _("The service is temporarily unavailable. Please try again shortly.")
        response = _respond(503, [{"field": None, "message": message}], message)
        response.headers["Retry-After"] = "30"
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        db.session.rollback()
        # The frames, not the message: messages can carry user data (SQL parameters, bodies).
        log.error(
            "unhandled %s on %s %s\n%s",
            type(exc).__name__,
            request.method,
            request.url_rule.rule if request.url_rule else "(no route)",
            "".join(traceback.format_tb(exc.__traceback__)),
        )
        message = _("Something went wrong on our side. Nothing was saved.")
        return _respond(500, [{"field": None, "message": message}], message)
