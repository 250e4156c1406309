"""Alembic environment: the app's engine and metadata, with GeoAlchemy2's helpers."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from geoalchemy2 import alembic_helpers

config = context.config
if config.config_file_name:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db
engine = target_db.engine
config.set_main_option(
    "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def skip_empty_autogenerate(context_, revision, directives):
    """Write no revision file when autogenerate finds no change."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def configure_args() -> dict:
    args = dict(current_app.extensions["migrate"].configure_args)
    args.setdefault("include_object", alembic_helpers.include_object)
    args.setdefault("render_item", alembic_helpers.render_item)
    args.setdefault(
        "process_revision_directives", [alembic_helpers.writer, skip_empty_autogenerate]
    )
    args.setdefault("compare_type", True)
    return args


def _chain(hooks):
    def run(context_, revision, directives):
        for hook in hooks:
            hook(context_, revision, directives)

    return run


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_db.metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    args = configure_args()
    hooks = args["process_revision_directives"]
    if isinstance(hooks, list):
        args["process_revision_directives"] = _chain(hooks)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_db.metadata, **args)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
