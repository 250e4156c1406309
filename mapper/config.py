"""Configuration defaults, overridden by MAPPER_* environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _secret_key(var_dir: Path) -> str:
    """MAPPER_SECRET_KEY, else a key kept in var/ so that every worker and restart shares it."""
    key = os.environ.get("MAPPER_SECRET_KEY")
    if key:
        return key
    path = var_dir / "secret_key"
    try:
        var_dir.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            # Write aside, then link into place: concurrent workers never read a half-written
            # file, and the first link wins.
            draft = var_dir / f".secret_key.{os.getpid()}"
            draft.write_text(secrets.token_hex(32))
            draft.chmod(0o600)
            try:
                os.link(draft, path)
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        return path.read_text().strip()
    except OSError:  # read-only deployment without a key: sessions last one process
        return secrets.token_hex(32)


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


class Config:
    """Defaults that suit development; every value can come from the environment."""

    MAPPER_ENV = os.environ.get("MAPPER_ENV", "development")
    # Reverse proxies in front of the app whose X-Forwarded-For and X-Forwarded-Proto are
    # believed: with none, those headers (which anybody can send) are ignored, and behind one
    # every visitor would otherwise share the proxy's address and its rate limits.
    MAPPER_TRUSTED_PROXIES = int(os.environ.get("MAPPER_TRUSTED_PROXIES") or 0)
    MAPPER_VAR_DIR = os.environ.get("MAPPER_VAR_DIR", str(ROOT / "var"))
    SECRET_KEY = _secret_key(Path(MAPPER_VAR_DIR))
    SQLALCHEMY_DATABASE_URI = os.environ.get("MAPPER_DATABASE_URL")
    # No ping per checkout (a round trip on every request): a dropped connection fails one
    # request with 503, the pool is invalidated, and the client's retry gets a fresh one.
    #
    # Every connection opens with these settings (sent with the connection, no statement of
    # their own), as map reads run outside a transaction where a setting of their own would
    # cost two statements: a wide view sums tens of thousands of rows, in memory rather than
    # on disk; and the app's statements are short, where compiling one to machine code
    # (which the planner starts whenever its estimate passes a threshold, as guesses at
    # millions of reports often do) took longer than running it. The one aggregate over
    # every report that gains from it (Gi* hotspots) asks for it.
    SQLALCHEMY_ENGINE_OPTIONS = {
        "pool_size": 10,
        "max_overflow": 10,
        "connect_args": {"options": "-c work_mem=64MB -c jit=off"},
    }
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
    # Pages ask the app for tiles and the app asks the tile server, so that visitors'
    # addresses and the areas they look at stay here; tiles are kept on disk for a while.
    MAPPER_TILE_PROXY = os.environ.get("MAPPER_TILE_PROXY", "true").lower() != "false"
    MAPPER_TILE_CACHE_DAYS = _env_float("MAPPER_TILE_CACHE_DAYS", 7.0)
    MAPPER_TILE_CACHE_MB = _env_float("MAPPER_TILE_CACHE_MB", 1024.0)
    MAPPER_TILE_CACHE_DIR = os.environ.get("MAPPER_TILE_CACHE_DIR") or None
    MAPPER_TILE_RATE_LIMIT = os.environ.get("MAPPER_TILE_RATE_LIMIT", "1200 per minute")
    # Tiles a volunteer's browser keeps for the field, the latest it showed (some 15-20 KB each).
    MAPPER_VOLUNTEER_TILES = int(_env_float("MAPPER_VOLUNTEER_TILES", 3000))
    MAPPER_QUICK_EXIT_URL = os.environ.get("MAPPER_QUICK_EXIT_URL", "https://www.wikipedia.org/")
    MAPPER_DEFAULT_PHONE_REGION = os.environ.get("MAPPER_DEFAULT_PHONE_REGION") or None
    # Likely duplicates: this close in space and time, sharing a category (or a contact).
    MAPPER_DUPLICATE_DISTANCE_M = _env_float("MAPPER_DUPLICATE_DISTANCE_M", 1000.0)
    MAPPER_DUPLICATE_WINDOW_HOURS = _env_float("MAPPER_DUPLICATE_WINDOW_HOURS", 48.0)
    # SMS gateways: each is switched on by its secret; without one it answers 404.
    MAPPER_PUBLIC_URL = os.environ.get("MAPPER_PUBLIC_URL")
    MAPPER_TWILIO_AUTH_TOKEN = os.environ.get("MAPPER_TWILIO_AUTH_TOKEN")
    MAPPER_TWILIO_ACCOUNT_SID = os.environ.get("MAPPER_TWILIO_ACCOUNT_SID")
    MAPPER_TWILIO_FROM_NUMBER = os.environ.get("MAPPER_TWILIO_FROM_NUMBER")
    MAPPER_TWILIO_API_URL = os.environ.get("MAPPER_TWILIO_API_URL")
    MAPPER_SMSSYNC_SECRET = os.environ.get("MAPPER_SMSSYNC_SECRET")
    MAPPER_FRONTLINESMS_SECRET = os.environ.get("MAPPER_FRONTLINESMS_SECRET")
    MAPPER_AFRICASTALKING_TOKEN = os.environ.get("MAPPER_AFRICASTALKING_TOKEN")
    MAPPER_DEFAULT_COUNTRY = os.environ.get("MAPPER_DEFAULT_COUNTRY")
    # Words that mark an SMS as a call for help (any language, matched without accents).
    MAPPER_SMS_HELP_WORDS = [
        word.strip()
        for word in os.environ.get("MAPPER_SMS_HELP_WORDS", "help,ayuda,auxilio,socorro,ជួយ").split(
            ","
        )
        if word.strip()
    ]
    # Volunteers' photos, re-encoded, under random names; never inside static/.
    MAPPER_UPLOAD_DIR = os.environ.get("MAPPER_UPLOAD_DIR", str(Path(MAPPER_VAR_DIR) / "uploads"))
    # ODK Collect may sign in with Basic over plain HTTP only when this is set (development).
    MAPPER_OPENROSA_BASIC_OVER_HTTP = (
        os.environ.get("MAPPER_OPENROSA_BASIC_OVER_HTTP", "false").lower() == "true"
    )
    # How often each gunicorn worker folds the map rollups' change log into the cells (0: never).
    MAPPER_ROLLUP_FOLD_SECONDS = _env_float("MAPPER_ROLLUP_FOLD_SECONDS", 2.0)
    # Heat views holding more reports than this, at zooms finer than the rollups keep, are
    # answered on the rollups' finest grid rather than counted report by report.
    MAPPER_HEAT_EXACT_LIMIT = int(_env_float("MAPPER_HEAT_EXACT_LIMIT", 3000))
    RATELIMIT_STORAGE_URI = os.environ.get("MAPPER_REDIS_URL") or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_ENABLED = os.environ.get("MAPPER_RATELIMIT_ENABLED", "true").lower() != "false"
    # Public reads and submissions: per client address, or per partner token when one is sent.
    MAPPER_PUBLIC_RATE_LIMIT = os.environ.get("MAPPER_PUBLIC_RATE_LIMIT", "600 per minute")
    MAPPER_TOKEN_RATE_LIMIT = os.environ.get("MAPPER_TOKEN_RATE_LIMIT", "6000 per minute")
    # Sign-in throttling, per client address and per account.
    MAPPER_LOGIN_LIMIT_PER_IP = os.environ.get("MAPPER_LOGIN_LIMIT_PER_IP", "20 per minute")
    MAPPER_LOGIN_LIMIT_PER_ACCOUNT = os.environ.get(
        "MAPPER_LOGIN_LIMIT_PER_ACCOUNT", "5 per minute;20 per hour"
    )
    REMEMBER_COOKIE_HTTPONLY = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = MAPPER_ENV == "production"
    # Compressed when the client asks: answers, exports, scripts, styles. Pages are not (each
    # carries the form token beside text from the address, which compression would expose).
    COMPRESS_MIMETYPES = [
        "application/json",
        "application/geo+json",
        "application/vnd.oai.openapi+json",
        "application/vnd.google-earth.kml+xml",
        "application/xml",
        "text/xml",
        "text/csv",
        "text/css",
        "text/javascript",
        "application/javascript",
        "image/svg+xml",
    ]
    COMPRESS_REGISTER = False  # mapper.compression decides per response
    # Vendored files are sent as files; their validators must still answer conditional requests.
    COMPRESS_STREAMING_ENDPOINT_CONDITIONAL = ["static", "web.vendor"]
    # Exports stream: gzip too, for clients that accept nothing else.
    COMPRESS_ALGORITHM_STREAMING = ["zstd", "br", "gzip", "deflate"]
