"""`mapper webhooks deliver`: send the queued webhook deliveries that are due."""

from __future__ import annotations

import click
from flask.cli import AppGroup

webhooks_group = AppGroup("webhooks", help="Partner webhooks.")


@webhooks_group.command("deliver")
@click.option("--limit", type=click.IntRange(min=1), default=500, show_default=True)
def deliver_command(limit: int) -> None:
    """Send due deliveries; failures are retried later with growing delays."""
    from mapper.partners.webhooks import deliver_due

    done = deliver_due(limit)
    click.echo(
        f"webhooks: {done['delivered']} delivered, {done['retrying']} to retry, "
        f"{done['failed']} given up"
    )
