"""Fixtures: a throwaway PostGIS for the session, per-test rollback, and factories via intake."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import uuid
from pathlib import Path

import psycopg
import pytest
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import scoped_session, sessionmaker

from mapper import create_app
from mapper.dbcluster import FAST_SETTINGS, Cluster, temporary_database
from mapper.extensions import db
from mapper.intake import ContactInput, Submission, submit
from mapper.intake.places import cached_gazetteer
from mapper.models import Report
from mapper.sample import load_help_services, load_places

REPORT_TABLES = (
    "outbound_messages, inbound_messages, audit_events, reporter_contacts, report_categories, "
    "reports, users, map_cells, map_cell_changes"
)


@pytest.fixture(scope="session")
def database_url():
    """A database that exists only for this test run.

    MAPPER_TEST_DATABASE_URL names a server (and a database to connect through) on
    which a throwaway database is created; otherwise a throwaway cluster is started.
    """
    external = os.environ.get("MAPPER_TEST_DATABASE_URL")
    if external:
        with temporary_database(external, "mapper_test") as url:
            yield url
        return
    base = Path(tempfile.mkdtemp(prefix="mapper-test-pg-"))
    cluster = Cluster(base=base, dbname="mapper_test", settings=FAST_SETTINGS)
    try:
        cluster.start()
        yield cluster.url
    finally:
        cluster.destroy()
        shutil.rmtree(base, ignore_errors=True)


class RequestPerContextClient(FlaskClient):
    """Each request gets its own application context, as in production.

    Without this, requests made while a test holds an app context share its `g`,
    so per-request caches (the signed-in user, the CSRF token) leak between requests.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


class TileServer:
    """A tile server on this machine, answering every tile with one small PNG (or, as told,
    with an error or a page), and noting each request's path and headers."""

    def __init__(self) -> None:
        import io
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        from PIL import Image

        image = io.BytesIO()
        Image.new("RGB", (256, 256), (170, 211, 223)).save(image, "PNG")
        self.png = image.getvalue()
        self.answer = "tile"  # or "error", "page", "none"
        self.requests: list[tuple[str, dict]] = []
        # Cleared, requests wait for it: a tile server as slow as the test wants.
        self.open = threading.Event()
        self.open.set()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append((self.path, dict(self.headers)))
                server.open.wait(30)
                status, kind, body = {
                    "tile": (200, "image/png", server.png),
                    "error": (500, "text/plain", b"overloaded"),
                    "page": (200, "image/png", b"<html><script>alert(1)</script></html>"),
                    "none": (404, "text/plain", b"no tile"),
                }[server.answer]
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.http.serve_forever, daemon=True).start()
        self.template = f"http://127.0.0.1:{self.http.server_port}/{{z}}/{{x}}/{{y}}.png"

    def paths(self) -> list[str]:
        return [path for path, _headers in self.requests]


@pytest.fixture(scope="session")
def tile_server():
    server = TileServer()
    yield server
    server.http.shutdown()


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory, tile_server):
    app = create_app(
        {
            "MAPPER_UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),
            "MAPPER_VAR_DIR": str(tmp_path_factory.mktemp("app-var")),
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret",
            "MAPPER_QUICK_EXIT_URL": "about:blank",
            "MAPPER_PUBLIC_URL": "https://mapper.example.org",
            "MAPPER_TWILIO_AUTH_TOKEN": "twilio-test-token",
            "MAPPER_SMSSYNC_SECRET": "smssync-test-secret",
            "MAPPER_FRONTLINESMS_SECRET": "frontline-test-secret",
            "MAPPER_AFRICASTALKING_TOKEN": "africastalking-test-token",
            "MAPPER_TILE_URL": tile_server.template,
        }
    )
    app.test_client_class = RequestPerContextClient
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    return app


@pytest.fixture(scope="session")
def live_server(app, database_url, tmp_path_factory, tile_server):
    """The app under gunicorn, as in production, on the test database, with the tile
    server above behind it."""
    from benchmarks.common import gunicorn

    var = str(tmp_path_factory.mktemp("var"))
    # Its workers do not fold the map rollups: tests of folding see only their own folds
    # (counts are exact either way; a server that folds is tested on its own).
    with gunicorn(
        database_url,
        MAPPER_QUICK_EXIT_URL="about:blank",
        MAPPER_VAR_DIR=var,
        MAPPER_ROLLUP_FOLD_SECONDS="0",
        MAPPER_TILE_URL=tile_server.template,
    ) as url:
        yield url


@pytest.fixture(autouse=True)
def _fresh_rate_limits(app):
    """Sign-in throttling counts per process; each test starts from zero."""
    from mapper.extensions import limiter

    limiter.reset()


@pytest.fixture
def db_session(app):
    """Every test's writes happen in one outer transaction that is rolled back after it.

    Commits inside the code under test release savepoints instead, so the code runs as
    in production while the database is left as it was found.
    """
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        # A plain session bound to this connection: Flask-SQLAlchemy's own session class
        # would pick the engine again and commit for real.
        db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=_app_ctx_id,
        )
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def live_db(app):
    """Real commits, visible to other connections and processes; emptied afterwards."""
    with app.app_context():
        yield db.session
        db.session.remove()
        # A page of a browser test may still be reading when the test ends: TRUNCATE takes
        # its tables' locks one by one, and a read taking them in another order is a
        # deadlock that PostgreSQL settles by cancelling one side. Emptying is tried again.
        for attempt in range(3):
            try:
                with db.engine.begin() as conn:
                    # The audit table refuses TRUNCATE; replica mode (superuser) skips that
                    # trigger.
                    conn.execute(text("SET LOCAL session_replication_role = replica"))
                    conn.execute(text(f"TRUNCATE {REPORT_TABLES} RESTART IDENTITY CASCADE"))
                break
            except DBAPIError as error:
                if attempt == 2 or not isinstance(error.orig, psycopg.errors.DeadlockDetected):
                    raise


@pytest.fixture
def client(app, db_session):
    return app.test_client()


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def form_token(client):
    """A CSRF token valid for `client`'s session, taken from the report form."""
    return csrf_token_from(client.get("/report").get_data(as_text=True))


@pytest.fixture
def make_report(app):
    """Create a report through intake (so it passes real validation), optionally set status."""

    def make(status: str = "pending", **fields) -> Report:
        fields.setdefault("title", "Workers locked in at night")
        fields.setdefault("description", "Gate locked from outside.")
        fields.setdefault("latitude", 13.6593)
        fields.setdefault("longitude", 102.5635)
        fields.setdefault("categories", ["forced-labour"])
        contact = fields.pop("contact", None)
        result = submit(
            Submission(
                source=fields.pop("source", "api"),
                contact=ContactInput(**contact) if contact else None,
                **fields,
            )
        )
        report = db.session.get(Report, result.id)
        report.status = status
        db.session.commit()
        return report

    return make


def count_rows(table: str) -> int:
    return db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_user(app):
    """Create an account through the account service."""
    from mapper.auth.accounts import create_user

    def make(role: str = "moderator", email: str | None = None):
        user = create_user(email or f"{role}-{uuid.uuid4().hex[:6]}@example.org", PASSWORD, role)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(client):
    """Sign `client` in as `user` through the real sign-in form."""

    def sign_in(user, password: str = PASSWORD):
        token = csrf_token_from(client.get("/auth/login").get_data(as_text=True))
        return client.post(
            "/auth/login", data={"email": user.email, "password": password, "csrf_token": token}
        )

    return sign_in


@pytest.fixture
def places(db_session):
    """The sample gazetteer and help services, read afresh by intake and the SMS parser."""
    load_places()
    load_help_services()
    db.session.commit()
    cached_gazetteer.clear()
    yield
    cached_gazetteer.clear()
