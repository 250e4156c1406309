"""The `mapper` command: database, sample data, synthetic load and the usual Flask commands."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from mapper.models.user import ROLES

ROLE_CHOICES = list(ROLES)


def _cluster():
    from mapper.dbcluster import embedded_cluster

    return embedded_cluster(current_app.config)


def _embedded() -> bool:
    import os

    return not os.environ.get("MAPPER_DATABASE_URL")


@click.group("db")
def db_group() -> None:
    """Manage the database (the embedded PostGIS unless MAPPER_DATABASE_URL is set)."""


@db_group.command("start")
@with_appcontext
def db_start() -> None:
    """Start the embedded PostgreSQL + PostGIS (initialising it the first time)."""
    if not _embedded():
        click.echo("MAPPER_DATABASE_URL is set: using that server, nothing to start.")
        return
    cluster = _cluster()
    cluster.start()
    click.echo(f"PostgreSQL running in {cluster.base}")


@db_group.command("stop")
@with_appcontext
def db_stop() -> None:
    """Stop the embedded PostgreSQL."""
    if not _embedded():
        click.echo("MAPPER_DATABASE_URL is set: nothing to stop.")
        return
    _cluster().stop()
    click.echo("PostgreSQL stopped")


@db_group.command("status")
@with_appcontext
def db_status() -> None:
    """Say whether the database answers; exit 1 when it does not."""
    from sqlalchemy import text

    from mapper.extensions import db

    try:
        with db.engine.connect() as conn:
            version = conn.execute(text("SELECT version()")).scalar()
            postgis = conn.execute(
                text("SELECT extversion FROM pg_extension WHERE extname = 'postgis'")
            ).scalar()
    except Exception as exc:  # any failure means "not usable"; say which
        click.echo(f"database not reachable ({type(exc).__name__})")
        sys.exit(1)
    kind = "embedded" if _embedded() else "external"
    click.echo(
        f"database up ({kind}): {version.split(' on ')[0]}, PostGIS {postgis or 'not installed'}"
    )


@db_group.command("url")
@with_appcontext
def db_url() -> None:
    """Print the SQLAlchemy URL of the database in use."""
    click.echo(current_app.config["SQLALCHEMY_DATABASE_URI"])


@db_group.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Apply all migrations."""
    from flask_migrate import upgrade

    upgrade()


@click.command("load-sample")
@click.option("--path", type=click.Path(exists=True, dir_okay=False), default=None)
@with_appcontext
def load_sample_command(path: str | None) -> None:
    """Load the sample reports through the intake service (skipped when already loaded)."""
    from mapper.sample import load_sample

    created, skipped = load_sample(path)
    click.echo(f"sample data: {created} reports created, {skipped} already present")


@click.command("load-places")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--geonames",
    is_flag=True,
    help="PATH is a GeoNames dump (e.g. KH.txt) instead of a CSV like sample_data/gazetteer.csv.",
)
@click.option(
    "--admin-names",
    type=click.Path(exists=True, dir_okay=False),
    help="GeoNames' admin1CodesASCII.txt, for the names of provinces and states.",
)
@click.option(
    "--feature-classes",
    default="P",
    show_default=True,
    help="GeoNames feature classes kept (P: cities and villages, A: areas).",
)
@click.option("--min-population", type=click.IntRange(min=0), default=0, show_default=True)
@with_appcontext
def load_places_command(
    path: str, geonames: bool, admin_names: str | None, feature_classes: str, min_population: int
) -> None:
    """Add the places of PATH to the gazetteer (or update those of the same name).

    The gazetteer places SMS and reports that name a town, and the report form's town search
    lists it. Names are unique: of GeoNames places sharing a name the most populous is kept.
    """
    from pathlib import Path

    from mapper.extensions import db
    from mapper.geo.gazetteer import geonames_admin_names, geonames_places
    from mapper.sample import csv_places, store_places

    try:
        if geonames:
            areas = {}
            if admin_names:
                with open(admin_names, encoding="utf-8") as lines:
                    areas = geonames_admin_names(lines)
            with open(path, encoding="utf-8") as lines:
                places = geonames_places(lines, areas, feature_classes, min_population)
        else:
            places = csv_places(Path(path))
    except (ValueError, UnicodeDecodeError) as problem:
        raise click.BadParameter(str(problem), param_hint="PATH") from None
    count = store_places(places)
    db.session.commit()
    click.echo(f"gazetteer: {count} place{'' if count == 1 else 's'} added or updated")


@click.command("seed")
@click.option("--count", type=click.IntRange(min=1), required=True)
@click.option("--seed", "random_seed", type=int, default=1, help="Random seed for the generator.")
@with_appcontext
def seed_command(count: int, random_seed: int) -> None:
    """Write COUNT synthetic reports quickly with COPY (for benchmarks)."""
    from mapper.seed import seed_reports

    took = seed_reports(count, random_seed)
    click.echo(
        f"seeded {count} reports in {took.reports:.1f} s ({count / took.reports:,.0f} reports/s),"
        f" then their map rollups in {took.rollups:.1f} s"
        f" ({count / took.total:,.0f} reports/s in all)"
    )


@click.command("fold-rollups")
@with_appcontext
def fold_rollups_command() -> None:
    """Fold the map rollups' change log into their cells (gunicorn workers do it by themselves)."""
    from mapper.rollups import fold

    click.echo(f"folded {fold()} rollup changes")


def _read_password() -> str:
    """Prompt twice on a terminal; otherwise read one line from standard input."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\n")


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(ROLE_CHOICES))
@with_appcontext
def create_user_command(email: str, role: str) -> None:
    """Create an account; the password is prompted for, or read from standard input."""
    from mapper.auth.accounts import create_user
    from mapper.errors import ValidationFailed
    from mapper.extensions import db

    try:
        user = create_user(email, _read_password(), role)
    except ValidationFailed as failure:
        raise click.ClickException("; ".join(f"{f}: {m}" for f, m in failure.pairs)) from None
    db.session.commit()
    click.echo(f"created {user.email} ({user.role})")


@click.command("set-role")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(ROLE_CHOICES))
@click.option(
    "--disable/--enable", "disable", default=None, help="Lock the account out, or let it back in."
)
@with_appcontext
def set_role_command(email: str, role: str | None, disable: bool | None) -> None:
    """Change an account's role or lock it out; its open sessions end either way."""
    from mapper.auth.accounts import find_user, set_active, set_role
    from mapper.extensions import db

    user = find_user(email)
    if user is None:
        raise click.ClickException(f"no account for {email}")
    if role:
        set_role(user, role)
    if disable is not None:
        set_active(user, not disable)
    db.session.commit()
    click.echo(f"{user.email}: {user.role}, {'active' if user.active else 'disabled'}")


@click.command("set-phone")
@click.option("--email", required=True)
@click.option("--phone", required=True, help="International format; empty to remove.")
@with_appcontext
def set_phone_command(email: str, phone: str) -> None:
    """Register a volunteer's phone: texts from it may carry compact form reports."""
    from mapper.auth.accounts import find_user, set_phone
    from mapper.errors import ValidationFailed
    from mapper.extensions import db

    user = find_user(email)
    if user is None:
        raise click.ClickException(f"no account for {email}")
    try:
        set_phone(user, phone)
    except ValidationFailed as failure:
        raise click.ClickException("; ".join(f"{f}: {m}" for f, m in failure.pairs)) from None
    db.session.commit()
    click.echo(f"{user.email}: phone {'set' if user.phone else 'removed'}")


@click.group("sms")
def sms_group() -> None:
    """The SMS channel."""


@sms_group.command("send-pending")
@click.option("--limit", type=click.IntRange(min=1), default=100)
@with_appcontext
def sms_send_pending(limit: int) -> None:
    """Send queued replies through the Twilio REST API."""
    from mapper.channels.sms.outbound import send_pending

    result = send_pending(limit)
    click.echo(f"sent {result.sent}, failed {result.failed}, to retry {result.retrying}")


def init_app(app: Flask) -> None:
    from mapper.exports.cli import export_command
    from mapper.partners.cli import webhooks_group

    app.cli.add_command(db_group)
    app.cli.add_command(load_sample_command)
    app.cli.add_command(load_places_command)
    app.cli.add_command(seed_command)
    app.cli.add_command(fold_rollups_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(set_role_command)
    app.cli.add_command(set_phone_command)
    app.cli.add_command(sms_group)
    app.cli.add_command(export_command)
    app.cli.add_command(webhooks_group)


def _create_app() -> Flask:
    from mapper import create_app

    return create_app()


cli = FlaskGroup(create_app=_create_app, help="mapper: crowdsourced incident mapping.")


def main() -> None:
    cli.main(prog_name="mapper")
