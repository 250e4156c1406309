"""Configuration defaults, overridden by MAPPER_* environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


class Config:
    """Defaults that suit development; every value can come from the environment."""

    MAPPER_ENV = os.environ.get("MAPPER_ENV", "development")
    # A random key per process would log everyone out at each restart and break
    # CSRF tokens across gunicorn workers, so production must set one.
    SECRET_KEY = os.environ.get("MAPPER_SECRET_KEY") or secrets.token_hex(32)
    SQLALCHEMY_DATABASE_URI = os.environ.get("MAPPER_DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    MAX_CONTENT_LENGTH = 1024 * 1024
    LANGUAGES = ("en", "es", "km")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "mapper" / "translations")
    WTF_CSRF_TIME_LIMIT = None
    # Public locations are displaced by a distance in this range (metres).
    MAPPER_MASK_MIN_METERS = _env_float("MAPPER_MASK_MIN_METERS", 500.0)
    MAPPER_MASK_MAX_METERS = _env_float("MAPPER_MASK_MAX_METERS", 2000.0)
    MAPPER_TILE_URL = os.environ.get(
        "MAPPER_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    )
    MAPPER_TILE_ATTRIBUTION = os.environ.get(
        "MAPPER_TILE_ATTRIBUTION", "© OpenStreetMap contributors"
    )
    MAPPER_QUICK_EXIT_URL = os.environ.get("MAPPER_QUICK_EXIT_URL", "https://www.wikipedia.org/")
    MAPPER_DEFAULT_PHONE_REGION = os.environ.get("MAPPER_DEFAULT_PHONE_REGION") or None
    MAPPER_VAR_DIR = os.environ.get("MAPPER_VAR_DIR", str(ROOT / "var"))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = MAPPER_ENV == "production"
