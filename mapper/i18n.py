"""Locale selection: ?lang=, then the visitor's saved choice, then Accept-Language."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from babel.dates import format_skeleton, get_month_names
from flask import Flask, current_app, g, has_request_context, request

from mapper.extensions import babel
from mapper.names import template_names

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


@lru_cache(maxsize=8)
def date_words(locale: str) -> dict:
    """Month names and date patterns of `locale`, from CLDR, for the map's scripts: browsers
    may lack a language's calendar data (Khmer, often). In a pattern, {year}, {month} and
    {day} stand for the parts; "month" takes a wide name, the others an abbreviated one."""
    sample = date(2001, 1, 22)
    wide = get_month_names("wide", locale=locale)
    short = get_month_names("abbreviated", locale=locale)
    alone = get_month_names("abbreviated", context="stand-alone", locale=locale)

    def pattern(skeleton: str, names) -> str:
        text = format_skeleton(skeleton, sample, locale=locale)
        return text.replace("2001", "{year}").replace(names[1], "{month}").replace("22", "{day}")

    return {
        "months": [wide[m] for m in range(1, 13)],
        "monthsShort": [short[m] for m in range(1, 13)],
        "monthsAlone": [alone[m] for m in range(1, 13)],
        "month": pattern("yMMMM", wide),
        "monthShort": pattern("yMMM", short),
        "day": pattern("yMMMd", short),
        "dayMonth": pattern("MMMd", short),
    }


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

    app.jinja_env.globals.update(template_names())

    @app.context_processor
    def language_context():
        from flask_babel import get_locale

        g.language = str(get_locale())
        return {"language": g.language, "language_names": LANGUAGE_NAMES}
