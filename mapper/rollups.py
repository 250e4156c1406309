"""Upkeep of the map rollups: logged changes are folded into the rollup cells in batches.

Intake and moderation only append to the change log (no writer waits on another), and
readers add the log to the cells, so counts are exact whether or not a fold has run. Folding
keeps the log short, and so the reads fast. Served by gunicorn with `gunicorn.conf.py`, each
worker folds every MAPPER_ROLLUP_FOLD_SECONDS (one at a time); elsewhere run
`mapper fold-rollups` from cron.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask
from sqlalchemy import text

from mapper.extensions import db

log = logging.getLogger(__name__)


def fold() -> int:
    """Fold the committed changes into the cells; how many moved (0 while another session
    folds)."""
    moved = db.session.execute(text("SELECT map_cells_fold()")).scalar_one()
    db.session.commit()
    return moved


def start_folding(app: Flask) -> threading.Event | None:
    """Start a daemon thread folding every MAPPER_ROLLUP_FOLD_SECONDS (none when that is 0);
    setting the returned event stops it."""
    every = float(app.config["MAPPER_ROLLUP_FOLD_SECONDS"])
    if every <= 0:
        return None
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(every):
            try:
                with app.app_context():
                    fold()
            except Exception as exc:  # the next round tries again; counts stay exact meanwhile
                # The kind only: a database message may quote key values.
                log.error("folding the map rollups failed: %s", type(exc).__name__)

    threading.Thread(target=run, name="rollup-folder", daemon=True).start()
    return stop
