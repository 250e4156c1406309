"""Migrations build the schema the models describe, from an empty database, with one head."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from geoalchemy2 import alembic_helpers
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from mapper import create_app
from mapper.config import ROOT
from mapper.extensions import db


@pytest.fixture
def empty_database(database_url):
    name = f"mapper_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(
        make_url(database_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_there_is_a_single_head():
    from alembic.config import Config

    config = Config(str(ROOT / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_upgrade_from_empty_matches_the_models_and_downgrades_cleanly(empty_database):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"include_object": alembic_helpers.include_object, "compare_type": True}
            )
            assert compare_metadata(context, db.metadata) == []
            assert conn.execute(text("SELECT count(*) FROM categories")).scalar() >= 12
            assert conn.execute(
                text("SELECT extversion FROM pg_extension WHERE extname = 'postgis'")
            ).scalar()
        downgrade(revision="base")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT to_regclass('reports')")).scalar() is None
        upgrade()
        db.engine.dispose()
