"""`mapper export`: the web exports from the command line, with a progress bar."""

from __future__ import annotations

import os
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from mapper.errors import MapperError
from mapper.exports import service
from mapper.models import REPORT_STATUSES
from mapper.query.grid import Audience
from mapper.query.maps import REVIEWER_DEFAULT_STATUSES

ALIASES = {"hxl": "hxl.csv"}
CHOICES = ("csv", "hxl.csv", "hxl", "geojson", "kml", "html")


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(CHOICES), required=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option("--full", is_flag=True, help="Every field and exact points, not the public view.")
@click.option("--status", help="With --full: comma-separated statuses (default: not rejected).")
@click.option("--category", help="Comma-separated category slugs.")
@click.option("--from", "start", help="First event date (YYYY-MM-DD or RFC 3339).")
@click.option("--to", "end", help="Last event date (YYYY-MM-DD or RFC 3339).")
@click.option("--bbox", help="west,south,east,north in degrees.")
@click.option("--source", help="Comma-separated sources.")
@click.option("--q", "text", help="Text in the title or description.")
@with_appcontext
def export_command(fmt, out, full, status, **filters) -> None:
    """Export the reports matching the filters to OUT (the public view unless --full)."""
    fmt = ALIASES.get(fmt, fmt)
    args = {"from": filters.pop("start"), "to": filters.pop("end"), **filters}
    args = {name: value for name, value in args.items() if value}
    audience = None
    if full:
        wanted = tuple(s.strip() for s in (status or "").split(",") if s.strip())
        unknown = [s for s in wanted if s not in REPORT_STATUSES]
        if unknown:
            raise click.BadParameter(f"unknown status {unknown[0]!r}", param_hint="--status")
        audience = Audience(wanted or REVIEWER_DEFAULT_STATUSES, exact=True)
    try:
        req = service.export_request(args, None, audience=audience)
        _write(fmt, req, out)
    except MapperError as error:
        raise click.UsageError(f"{error.field}: {error.message}") from None


def _write(fmt: str, req, out: str) -> None:
    """Write aside and move into place: an interrupted export leaves no half file."""
    draft = f"{out}.part"
    try:
        with open(draft, "wb") as handle:
            if fmt == "html":
                config = current_app.config
                html = service.offline_html(
                    req, config["MAPPER_TILE_URL"], config["MAPPER_TILE_ATTRIBUTION"]
                )
                handle.write(html.encode())
            else:
                total = service.count(req)
                with click.progressbar(length=total, label="exporting", file=sys.stderr) as bar:

                    def advance(rows: int) -> None:
                        bar.update(min(rows, total - bar.pos))

                    for chunk in service.export_chunks(fmt, req, progress=advance):
                        handle.write(chunk)
                click.echo(f"exported {total} reports to {out}", err=True)
        os.replace(draft, out)
    finally:
        if os.path.exists(draft):
            os.unlink(draft)
