"""Migrations build the schema the models describe, from an empty database, with one head."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from geoalchemy2 import alembic_helpers
from sqlalchemy import text

from mapper import create_app
from mapper.config import ROOT
from mapper.dbcluster import temporary_database
from mapper.extensions import db
from mapper.models.report import MAP_EXPRESSION_INDEXES


def _include_object(obj, name, kind, reflected, compare_to):
    if kind == "index" and name in MAP_EXPRESSION_INDEXES:
        return False  # expression indexes: checked by name below
    return alembic_helpers.include_object(obj, name, kind, reflected, compare_to)


@pytest.fixture
def empty_database(database_url):
    with temporary_database(database_url, "mapper_migrations") as url:
        yield url


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
                conn, opts={"include_object": _include_object, "compare_type": True}
            )
            assert compare_metadata(context, db.metadata) == []
            present = conn.execute(
                text("SELECT indexname FROM pg_indexes WHERE indexname = ANY(:names)"),
                {"names": list(MAP_EXPRESSION_INDEXES)},
            ).scalars()
            assert sorted(present) == sorted(MAP_EXPRESSION_INDEXES)
            assert conn.execute(text("SELECT count(*) FROM categories")).scalar() >= 12
            assert conn.execute(
                text("SELECT extversion FROM pg_extension WHERE extname = 'postgis'")
            ).scalar()
        downgrade(revision="base")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT to_regclass('reports')")).scalar() is None
        upgrade()
        db.engine.dispose()
