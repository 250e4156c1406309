"""Locale selection: ?lang=, then the visitor's saved choice, then Accept-Language."""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request

from mapper.extensions import babel

LANGUAGE_NAMES = {"en": "English", "es": "Español", "km": "ខ្មែរ"}
COOKIE = "mapper_lang"


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # command line: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    for candidate in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if candidate in languages:
            return candidate
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)

    @app.after_request
    def remember_language(response):
        # An explicit ?lang= choice sticks for the rest of the visit.
        chosen = request.args.get("lang")
        if chosen in app.config["LANGUAGES"] and request.cookies.get(COOKIE) != chosen:
            response.set_cookie(
                COOKIE,
                chosen,
                max_age=365 * 24 * 3600,
                samesite="Lax",
                httponly=True,
                secure=app.config["SESSION_COOKIE_SECURE"],
            )
        return response

    @app.context_processor
    def language_context():
        from flask_babel import get_locale

        g.language = str(get_locale())
        return {"language": g.language, "language_names": LANGUAGE_NAMES}
