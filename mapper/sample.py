"""Load sample_data/ through the intake service, then give each report its sample status."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from tqdm import tqdm

from mapper.config import ROOT
from mapper.extensions import db
from mapper.geo import GeoValueError, parse_latitude, parse_longitude
from mapper.intake import ContactInput, Submission, submit
from mapper.intake.places import cached_gazetteer
from mapper.models import HelpService, Place, Report
from mapper.moderation import apply_action

SAMPLE_REPORTS = ROOT / "sample_data" / "reports.jsonl"
GAZETTEER = ROOT / "sample_data" / "gazetteer.csv"
HELP_SERVICES = ROOT / "sample_data" / "help_services.csv"
BATCH = 200
STATUS_ACTION = {
    "published": "publish",
    "verified": "verify",
    "rejected": "reject",
    "archived": "archive",
}


def read_sample(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def to_submission(record: dict) -> Submission:
    location = record.get("location") or {}
    contact = record.get("contact")
    return Submission(
        source=record["source"],
        title=record["title"],
        description=record["description"],
        occurred_at=record["occurred_at"],
        latitude=location.get("lat"),
        longitude=location.get("lon"),
        location_accuracy=location.get("accuracy"),
        place_name=record.get("place_name"),
        categories=record["categories"],
        contact=ContactInput(**contact) if contact else None,
        language=record["language"],
        idempotency_key=record["key"],
        received_at=datetime.fromisoformat(record["received_at"]),
    )


def _point(lat: str, lon: str) -> str | None:
    return f"SRID=4326;POINT({float(lon)} {float(lat)})" if lat and lon else None


def upsert_by_name(model, rows: list[dict]) -> int:
    """Insert `rows`, or update the existing row with the same name: reloading is safe."""
    stmt = pg_insert(model).values(rows)
    changed = {column: stmt.excluded[column] for column in rows[0] if column != "name"}
    db.session.execute(stmt.on_conflict_do_update(index_elements=["name"], set_=changed))
    return len(rows)


PLACE_COLUMNS = ("name", "lat", "lon", "country")
UPSERT_ROWS = 1000  # a statement carries at most 65,535 parameters


def csv_places(path: Path) -> list[dict]:
    """Places from a CSV with the columns of sample_data/gazetteer.csv; `name`, `lat`, `lon`
    and `country` are needed, `name_es`, `name_local`, `variants` (separated by ";") and
    `admin_area` may be left out. Raises ValueError naming what is missing or wrong."""
    places = []
    with path.open(encoding="utf-8-sig") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            missing = [c for c in PLACE_COLUMNS if not (row.get(c) or "").strip()]
            if missing:
                raise ValueError(f"line {line}: no {missing[0]}")
            names = {
                row.get("name_es"),
                row.get("name_local"),
                *(row.get("variants") or "").split(";"),
            }
            try:
                lat, lon = parse_latitude(row["lat"]), parse_longitude(row["lon"])
            except GeoValueError:
                raise ValueError(f"line {line}: lat and lon must be a point on Earth") from None
            name = row["name"].strip()
            places.append(
                {
                    "name": name,
                    "admin_area": (row.get("admin_area") or "").strip() or None,
                    "country": row["country"].strip().upper(),
                    "variants": sorted({(n or "").strip() for n in names} - {"", name}),
                    "lat": lat,
                    "lon": lon,
                }
            )
    return places


def store_places(places: list[dict]) -> int:
    """Add `places` to the gazetteer, or update those of the same name; the caller commits."""
    rows = [
        {
            "name": place["name"],
            "admin_area": place["admin_area"],
            "country": place["country"],
            "variants": place["variants"],
            "location": f"SRID=4326;POINT({place['lon']} {place['lat']})",
        }
        for place in places
    ]
    for start in range(0, len(rows), UPSERT_ROWS):
        upsert_by_name(Place, rows[start : start + UPSERT_ROWS])
    cached_gazetteer.clear()
    return len(rows)


def load_places(path: Path = GAZETTEER) -> int:
    """Upsert the gazetteer (name, Spanish and local names, variants) into `places`."""
    return store_places(csv_places(path))


def load_help_services(path: Path = HELP_SERVICES) -> int:
    """Upsert the help services a HELP message is pointed to."""
    with path.open(encoding="utf-8") as handle:
        rows = [
            {
                "name": row["name"],
                "kind": row["kind"],
                "phone": row["phone"],
                "country": row["country"],
                "national_hotline": row["national_hotline"] == "true",
                "location": _point(row["lat"], row["lon"]),
            }
            for row in csv.DictReader(handle)
        ]
    return upsert_by_name(HelpService, rows)


def loaded_count() -> int:
    return (
        db.session.scalar(select(func.count()).where(Report.idempotency_key.like("%:sample-%")))
        or 0
    )


def load_sample(path: str | Path | None = None) -> tuple[int, int]:
    """Submit every sample report (idempotent: keys make reruns store nothing new).

    Statuses are the moderation outcome the sample describes, applied through the
    moderation service (so each has its audit event), with no acting account.
    """
    load_places()
    load_help_services()
    db.session.commit()
    records = read_sample(Path(path) if path else SAMPLE_REPORTS)
    if loaded_count() >= len(records):
        return 0, len(records)
    created = 0
    for start in tqdm(
        range(0, len(records), BATCH), desc="sample reports", unit="batch", disable=None
    ):
        for record in records[start : start + BATCH]:
            result = submit(to_submission(record))
            if result.created:
                created += 1
                if record["status"] != "pending":
                    report = db.session.get(Report, result.id)
                    apply_action(
                        report,
                        STATUS_ACTION[record["status"]],
                        None,
                        report.version,
                        reason="sample data",
                    )
        db.session.commit()
    return created, len(records) - created
