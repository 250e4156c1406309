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


def test_eight_day_blocks_are_filled_from_the_daily_rollups_kept(empty_database):
    """A database with reports gets its rollups of eight-day blocks from its daily rows
    (migration 0021): equal to rollups rebuilt from its reports, removed reports included."""
    from mapper.intake import Submission, submit
    from mapper.models import Report
    from tests.query.test_rollups import rollups_match_a_rebuild

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade(revision="0020")
        for i in range(24):
            made = submit(
                Submission(
                    source="api",
                    title=f"Report {i}",
                    description="Workers kept on the boat.",
                    occurred_at=f"2024-03-{1 + i:02d}T10:00:00+00:00",
                    latitude=13.6 + (i % 4) * 0.01,
                    longitude=102.5 + (i % 3) * 0.01,
                    categories=["forced-labour-fishing"],
                )
            )
            # Published, then for some taken off the public map again: rows that sum to none.
            report = db.session.get(Report, made.id)
            report.status = "published"
            db.session.commit()
            if i % 5 == 0:
                report.status = "rejected"
                db.session.commit()
        db.session.execute(text("SELECT map_cells_fold()"))
        db.session.commit()
        upgrade()
        blocks = db.session.execute(
            text("SELECT count(*) FROM map_cells WHERE tier = 3 AND grp = 0 AND category = 0")
        ).scalar_one()
        assert blocks > 0
        rollups_match_a_rebuild()
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()
