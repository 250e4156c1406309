"""`mapper seed`: synthetic reports written in bulk with COPY, for benchmarks at scale.

Rows carry the same derived values intake computes (masked public point, mask seed,
reference code), so queries over seeded data behave as over real data.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from flask import current_app
from psycopg.copy import QueuedLibpqWriter
from sqlalchemy import select, text
from tqdm import tqdm

from mapper.extensions import db
from mapper.geo import displace_many
from mapper.geo.hexes import hex_of
from mapper.intake.service import REFERENCE_ALPHABET
from mapper.models import Category

REPORT_COLUMNS = (
    "id",
    "reference",
    "title",
    "description",
    "occurred_at",
    "received_at",
    "location",
    "public_location",
    "location_accuracy_m",
    "place_name",
    "source",
    "status",
    "language",
    "custom_answers",
    "mask_seed",
    "h3_public",
    "h3_exact",
    "category_ids",
)
# Regions the synthetic towns lie in (lat, lon, spread in degrees).
HOTSPOTS = [
    (13.66, 102.56, 0.3),
    (11.56, 104.93, 0.4),
    (10.63, 103.52, 0.3),
    (13.36, 103.86, 0.3),
    (19.32, -98.24, 0.4),
    (19.43, -99.13, 0.5),
    (32.51, -117.04, 0.3),
    (4.71, -74.07, 0.5),
    (6.24, -75.58, 0.4),
    (10.39, -75.48, 0.3),
    (3.45, -76.53, 0.3),
    (14.0, 100.6, 2.0),
]


def _towns(count: int = 300) -> tuple[np.ndarray, np.ndarray]:
    """A few hundred towns scattered over the regions above, with Zipf-like sizes: (lat, lon,
    spread) rows and the share of reports each one draws. Fixed, so every run maps alike."""
    rng = np.random.default_rng(2026)
    regions = np.array(HOTSPOTS)[np.arange(count) % len(HOTSPOTS)]
    towns = np.column_stack(
        (
            regions[:, 0] + rng.normal(0, regions[:, 2] * 2),
            regions[:, 1] + rng.normal(0, regions[:, 2] * 2),
            rng.uniform(0.01, 0.12, count),
        )
    )
    weights = 1.0 / np.arange(1, count + 1) ** 0.9
    return towns, weights / weights.sum()


TOWNS, TOWN_WEIGHTS = _towns()
STATUSES = ["published"] * 6 + ["verified"] * 2 + ["pending", "rejected"]
SOURCES = ["web"] * 4 + ["sms"] * 3 + ["volunteer"] * 2 + ["api", "odk", "import"]
START = datetime(2021, 11, 1, tzinfo=UTC)  # five years of event dates
START64 = np.datetime64(START.replace(tzinfo=None), "s")
CHUNK = 5000
BULK_THRESHOLD = 100_000
SPAN_SECONDS = int((datetime(2026, 11, 1, tzinfo=UTC) - START).total_seconds())
_MASK40 = (1 << 40) - 1
_SHIFTS = (35, 30, 25, 20, 15, 10, 5, 0)


def reference_for(report_id: int) -> str:
    """A reference unique per id: a bijective 40-bit mix of the id, written in base 32."""
    x = (report_id * 0x9E3779B97) & _MASK40
    x ^= x >> 19
    x = (x * 0xC2B2AE3D27) & _MASK40
    x ^= x >> 17
    return "".join(REFERENCE_ALPHABET[(x >> shift) & 31] for shift in _SHIFTS)


def synthetic_chunk(
    first_id: int, count: int, rng: np.random.Generator, category_ids: list[int]
) -> tuple[str, str]:
    """COPY text for `count` reports from `first_id` on, and for their category links."""
    config = current_app.config
    centres = TOWNS[rng.choice(len(TOWNS), count, p=TOWN_WEIGHTS)]
    lats = np.round(np.clip(rng.normal(centres[:, 0], centres[:, 2]), -89.9, 89.9), 6)
    lons = np.round(np.clip(rng.normal(centres[:, 1], centres[:, 2]), -179.9, 179.9), 6)
    raw_seeds = rng.bytes(16 * count)
    seeds = [raw_seeds[i : i + 16] for i in range(0, 16 * count, 16)]
    public_lats, public_lons = displace_many(
        lats, lons, seeds, config["MAPPER_MASK_MIN_METERS"], config["MAPPER_MASK_MAX_METERS"]
    )
    occurred = START64 + rng.integers(0, SPAN_SECONDS, count).astype("timedelta64[s]")
    occurred_text = np.datetime_as_string(occurred)
    received_text = np.datetime_as_string(occurred + np.timedelta64(6, "h"))
    sources = np.array(SOURCES)[rng.integers(0, len(SOURCES), count)]
    statuses = np.array(STATUSES)[rng.integers(0, len(STATUSES), count)]
    categories = np.array(category_ids)[rng.integers(0, len(category_ids), count)]
    lats, lons = lats.tolist(), lons.tolist()
    public_lats, public_lons = public_lats.tolist(), public_lons.tolist()
    occurred_text, received_text = occurred_text.tolist(), received_text.tolist()
    sources, statuses, categories = sources.tolist(), statuses.tolist(), categories.tolist()
    reports, links = [], []
    for i in range(count):
        report_id = first_id + i
        reports.append(
            f"{report_id}\t{reference_for(report_id)}\tSynthetic report {report_id}\t"
            f"Generated for load testing.\t{occurred_text[i]}Z\t{received_text[i]}Z\t"
            f"SRID=4326;POINT({lons[i]} {lats[i]})\t"
            f"SRID=4326;POINT({public_lons[i]} {public_lats[i]})\t50\t\\N\t{sources[i]}\t"
            f"{statuses[i]}\ten\t{{}}\t\\\\x{seeds[i].hex()}\t"
            f"{hex_of(public_lats[i], public_lons[i])}\t{hex_of(lats[i], lons[i])}\t"
            f"{{{categories[i]}}}\n"
        )
        links.append(f"{report_id}\t{categories[i]}\n")
    return "".join(reports), "".join(links)


def reserve_ids(count: int) -> int:
    """Take `count` consecutive ids from the reports sequence; return the first."""
    sequence = db.session.scalar(text("SELECT pg_get_serial_sequence('reports', 'id')"))
    # The table lock keeps concurrent inserts from drawing ids inside the block.
    db.session.execute(text("LOCK TABLE reports IN SHARE ROW EXCLUSIVE MODE"))
    last = db.session.scalar(
        text("SELECT setval(:s, nextval(:s) + :n - 1)"), {"s": sequence, "n": count}
    )
    return last - count + 1


def copy_chunks(connection, chunks: Iterator[tuple[str, str]]) -> None:
    """COPY reports, then their category links; a writer thread overlaps generation and COPY."""
    columns = ", ".join(REPORT_COLUMNS)
    links: list[str] = []
    with connection.cursor() as cursor:
        with cursor.copy(
            f"COPY reports ({columns}) FROM STDIN", writer=QueuedLibpqWriter(cursor)
        ) as copy:
            for reports, chunk_links in chunks:
                copy.write(reports)
                links.append(chunk_links)
        with cursor.copy("COPY report_categories (report_id, category_id) FROM STDIN") as copy:
            copy.write("".join(links))


def bulk_load_ddl(table: str, keep_primary: bool) -> list[tuple[str, str]]:
    """(drop, create) statements for the constraints and indexes a bulk load can rebuild."""
    constraints = db.session.execute(
        text("""
        SELECT conname, contype, pg_get_constraintdef(oid), conindid
        FROM pg_constraint WHERE conrelid = CAST(:t AS regclass) AND contype IN ('p', 'u', 'f')
    """),
        {"t": table},
    ).all()
    ddl, constraint_indexes = [], set()
    for name, kind, definition, index_oid in constraints:
        if kind == "p":
            constraint_indexes.add(index_oid)
            if keep_primary:
                continue
        elif kind == "u":
            constraint_indexes.add(index_oid)
        ddl.append(
            (
                f'ALTER TABLE {table} DROP CONSTRAINT "{name}"',
                f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}',
            )
        )
    indexes = db.session.execute(
        text("""
        SELECT indexrelid, indexrelid::regclass::text, pg_get_indexdef(indexrelid)
        FROM pg_index WHERE indrelid = CAST(:t AS regclass)
    """),
        {"t": table},
    ).all()
    for oid, name, definition in indexes:
        if oid not in constraint_indexes:
            ddl.append((f"DROP INDEX {name}", definition))
    return ddl


@dataclass(frozen=True)
class SeedTiming:
    """Seconds spent writing the reports (with their indexes), then their map rollups."""

    reports: float
    rollups: float

    @property
    def total(self) -> float:
        return self.reports + self.rollups


def seed_reports(count: int, random_seed: int = 1, batch: int = 500_000) -> SeedTiming:
    """Write `count` synthetic reports in one transaction; return the seconds taken.

    A large load into a smaller table drops the secondary indexes, unique and foreign-key
    constraints and builds them again afterwards, which is several times faster than
    maintaining them row by row; the tables stay locked until the load commits.
    """
    rng = np.random.default_rng([random_seed, int.from_bytes(os.urandom(4), "big")])
    category_ids = list(db.session.scalars(select(Category.id)))
    started = time.perf_counter()
    existing = (
        db.session.scalar(
            text("SELECT reltuples::bigint FROM pg_class WHERE oid = 'reports'::regclass")
        )
        or 0
    )
    rebuild = count >= max(BULK_THRESHOLD, existing)
    first = reserve_ids(count)
    ddl = (
        (
            bulk_load_ddl("report_categories", keep_primary=False)
            + bulk_load_ddl("reports", keep_primary=True)
        )
        if rebuild
        else []
    )
    for drop, _create in ddl:
        db.session.execute(text(drop))
    _bulk_load_triggers("DISABLE")
    progress = tqdm(
        total=count, desc="reports", unit="rows", unit_scale=True, disable=None, mininterval=1
    )

    def chunks():
        for offset in range(0, count, CHUNK):
            n = min(CHUNK, count - offset)
            yield synthetic_chunk(first + offset, n, rng, category_ids)
            progress.update(n)

    copy_chunks(db.session.connection().connection.driver_connection, chunks())
    progress.close()
    # Reports' indexes and constraints first: the link table's foreign keys need them.
    for _drop, create in reversed(ddl):
        db.session.execute(text(create))
    db.session.execute(text("ANALYZE reports"))
    _bulk_load_triggers("ENABLE")
    written = time.perf_counter()
    if rebuild:
        db.session.execute(text("SELECT map_cells_rebuild()"))
    else:
        db.session.execute(ADD_TO_ROLLUPS, {"first": first, "stop": first + count})
        db.session.execute(text("SELECT map_cells_fold()"))
    db.session.commit()
    return SeedTiming(written - started, time.perf_counter() - written)


# The map rollups for reports loaded with their triggers off (small loads).
ADD_TO_ROLLUPS = text("""
SELECT map_cells_apply(array_agg(map_change_of(r, c, 1)))
FROM reports AS r
CROSS JOIN LATERAL unnest(0 || map_category_closure(ARRAY(
    SELECT category_id FROM report_categories WHERE report_id = r.id))) AS c
WHERE r.id >= :first AND r.id < :stop
""")


def _bulk_load_triggers(action: str) -> None:
    """Row-by-row rollup upkeep is slow for bulk loads: rollups are made once afterwards. The
    reports' category ids are written with them, so their trigger would find nothing to do."""
    for table, trigger in (
        ("reports", "map_reports_inserted"),
        ("report_categories", "map_links_inserted"),
        ("report_categories", "report_links_inserted"),
    ):
        db.session.execute(text(f"ALTER TABLE {table} {action} TRIGGER {trigger}"))
