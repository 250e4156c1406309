"""Intake throughput under gunicorn against a trivial endpoint, and bulk seeding against COPY.

    make bench-intake            (or: .venv/bin/python benchmarks/intake.py --help)

Targets: intake/trivial throughput ratio >= 0.5 and intake p99 <= 50 ms at 32 clients;
`mapper seed` >= 0.5 of a plain COPY of the same rows into the same indexed table.

Also measures PostgreSQL alone: intake's own INSERT statement, with its triggers, sent by
pgbench (a C client) from as many connections as the server has threads. A report costs the
machine at least a trivial request plus that database work, which bounds the rate intake can
reach here, whatever the web tier does.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import app_on, closed_loop, gunicorn, throwaway_database  # noqa: E402

CATEGORIES = [
    "forced-labour",
    "sexual-exploitation-venue",
    "child-labour",
    "debt-bondage",
    "recruitment-fraud",
    "suspicious-activity",
]


def report_body() -> bytes:
    body = {
        "title": "Workers locked in at night",
        "description": "The gate of the compound is locked from outside every night. " * 3,
        "occurred_at": "2025-06-01T21:30:00+07:00",
        "location": {
            "lat": round(random.uniform(10.5, 14.0), 6),
            "lon": round(random.uniform(102.3, 105.5), 6),
        },
        "categories": random.sample(CATEGORIES, 2),
        "language": "en",
    }
    return json.dumps(body).encode()


# Bodies are made before the clock starts: the load generator shares the two cores with
# the server, and its own JSON encoding is not what is being measured.
BODIES = [report_body() for _ in range(5000)]
_counter = itertools.count()


def report_request() -> tuple[str, str, bytes, dict]:
    n = next(_counter)
    headers = {
        "Content-Type": "application/json",
        "Idempotency-Key": f"bench-{n}-{uuid.uuid4().hex}",
    }
    return "POST", "/api/v1/reports", BODIES[n % len(BODIES)], headers


def trivial_request() -> tuple[str, str, None, dict]:
    return "GET", "/healthz", None, {}


def bench_intake(database_url: str, args) -> dict:
    with gunicorn(database_url, args.workers, args.threads) as url:
        port = int(url.rsplit(":", 1)[1])
        closed_loop(port, args.clients, 2, trivial_request, 200)  # warm-up
        closed_loop(port, args.clients, 2, report_request, 201)
        trivial = closed_loop(port, args.clients, args.seconds, trivial_request, 200)
        intake = closed_loop(port, args.clients, args.seconds, report_request, 201)
    print(
        f"gunicorn {args.workers} workers x {args.threads} threads, {args.clients} clients, "
        f"{args.seconds:.0f} s each"
    )
    print(trivial.line("trivial"))
    print(intake.line("intake"))
    ratio = intake.rate / trivial.rate
    print(
        f"intake/trivial throughput ratio {ratio:.2f} (target >= 0.5); "
        f"intake p99 {intake.percentile(99):.1f} ms (target <= 50)"
    )
    return {
        "trivial_rps": trivial.rate,
        "intake_rps": intake.rate,
        "ratio": ratio,
        "intake_p50_ms": intake.percentile(50),
        "intake_p99_ms": intake.percentile(99),
        "errors": intake.errors + trivial.errors,
    }


def pgbench_script(category_ids: list[int]) -> str:
    """Intake's INSERT as a pgbench script: every report fresh, in the benchmark's region."""
    from mapper.intake.service import INSERT_REPORT

    values = {
        "reference": "upper(substr(md5(random()::text), 1, 8))",
        "title": "'Workers locked in at night'",
        "description": "repeat('The gate of the compound is locked from outside. ', 3)",
        "occurred_at": "'2025-06-01T21:30:00+07:00'::timestamptz",
        "received_at": "now()",
        "lat": "(10.5 + random() * 3.5)",
        "lon": "(102.3 + random() * 3.2)",
        "public_lat": "(10.5 + random() * 3.5)",
        "public_lon": "(102.3 + random() * 3.2)",
        "accuracy": "NULL",
        "place_name": "NULL",
        "source": "'api'",
        "language": "'en'",
        "answers": "'{}'",
        "mask_seed": "decode(md5(random()::text), 'hex')",
        "idempotency_key": "md5(random()::text)",
        "fingerprint": "md5(random()::text)",
        "urgent": "false",
        "h3_public": "NULL",
        "h3_exact": "NULL",
        "form_version_id": "NULL",
        "submitted_by_id": "NULL",
        "location_hidden": "false",
        "time_hidden": "false",
        "category_ids": f"'{{{','.join(map(str, sorted(category_ids)))}}}'",
        "has_contact": "false",
        "contact_name": "NULL",
        "contact_phone": "NULL",
        "contact_email": "NULL",
    }
    sql = re.sub(r"%\((\w+)\)s", lambda m: values[m.group(1)], INSERT_REPORT)
    return " ".join(sql.split()) + ";\n"


def bench_database_ceiling(database_url: str, connections: int, seconds: float) -> dict:
    """Intake's INSERT (triggers included, one transaction each) from pgbench: the rate
    PostgreSQL alone sustains on this machine."""
    from sqlalchemy import create_engine, make_url, text

    from mapper.dbcluster import find_bindir

    url = make_url(database_url)
    engine = create_engine(url)
    with engine.connect() as conn:
        slugs = ("forced-labour", "debt-bondage")
        category_ids = list(
            conn.execute(
                text("SELECT id FROM categories WHERE slug = ANY(:s)"), {"s": list(slugs)}
            ).scalars()
        )
    engine.dispose()
    env = {
        **os.environ,
        "PGHOST": url.query.get("host") or url.host or "",
        "PGPORT": str(url.query.get("port") or url.port or 5432),
        "PGUSER": url.username or "",
        "PGPASSWORD": url.password or "",
        "PGDATABASE": url.database,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".sql") as script:
        script.write(pgbench_script(category_ids))
        script.flush()
        result = subprocess.run(
            [
                str(find_bindir() / "pgbench"),
                "-n",
                "-c",
                str(connections),
                "-j",
                "2",
                "-T",
                str(int(seconds)),
                "-f",
                script.name,
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
    rate = float(re.search(r"tps = ([0-9.]+)", result.stdout).group(1))
    print(
        f"PostgreSQL alone: intake's INSERT from {connections} pgbench connections "
        f"{rate:,.0f} reports/s"
    )
    return {"database_only_rps": rate}


def bench_seed(database_url: str, count: int) -> dict:
    """Time `mapper seed` and a plain COPY of the same kind of rows on the same empty table."""
    import numpy as np
    from sqlalchemy import select, text

    from mapper.extensions import db
    from mapper.models import Category
    from mapper.seed import CHUNK, REPORT_COLUMNS, reserve_ids, seed_reports, synthetic_chunk

    app = app_on(database_url)
    with app.app_context():

        def empty() -> None:
            # The audit table refuses TRUNCATE; replica mode (superuser) skips that trigger.
            db.session.execute(text("SET LOCAL session_replication_role = replica"))
            db.session.execute(text("TRUNCATE reports RESTART IDENTITY CASCADE"))
            db.session.commit()

        empty()
        took = seed_reports(count, random_seed=7)
        empty()
        # Baseline: the rows are generated beforehand, so only COPY itself is timed.
        categories = list(db.session.scalars(select(Category.id)))
        first = reserve_ids(count)
        rng = np.random.default_rng(7)
        chunks = [
            synthetic_chunk(first + offset, min(CHUNK, count - offset), rng, categories)
            for offset in range(0, count, CHUNK)
        ]
        raw = db.session.connection().connection.driver_connection
        began = time.perf_counter()
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY reports ({', '.join(REPORT_COLUMNS)}) FROM STDIN") as copy:
                for reports, _links in chunks:
                    copy.write(reports)
            with cursor.copy("COPY report_categories (report_id, category_id) FROM STDIN") as copy:
                for _reports, links in chunks:
                    copy.write(links)
        db.session.commit()
        copy_seconds = time.perf_counter() - began
        empty()
    write_rate, seed_rate = count / took.reports, count / took.total
    copy_rate = count / copy_seconds
    print(
        f"mapper seed {write_rate:10,.0f} reports/s writing the reports ({took.reports:.1f} s; "
        f"target >= 50,000/s), {seed_rate:,.0f} reports/s with their map rollups "
        f"(+{took.rollups:.1f} s)"
    )
    print(f"plain COPY  {copy_rate:10,.0f} reports/s into the indexed table, triggers on")
    print(f"seed/COPY ratio, rollups included {seed_rate / copy_rate:.2f} (target >= 0.5)")
    return {
        "seed_write_rps": write_rate,
        "seed_rps": seed_rate,
        "copy_rps": copy_rate,
        "seed_copy_ratio": seed_rate / copy_rate,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seed-count", type=int, default=500_000)
    parser.add_argument("--skip-seed", action="store_true")
    args = parser.parse_args()
    with throwaway_database() as url:
        results = bench_intake(url, args)
        results |= bench_database_ceiling(url, args.workers * args.threads, args.seconds)
        # A report costs the machine at least a trivial request plus its database work.
        bound = 1 / (1 / results["trivial_rps"] + 1 / results["database_only_rps"])
        results["intake_bound_rps"] = bound
        print(
            f"bound for intake on this machine, 1/(1/trivial + 1/PostgreSQL alone): "
            f"{bound:,.0f} reports/s, intake/trivial {bound / results['trivial_rps']:.2f}"
        )
        if not args.skip_seed:
            results |= bench_seed(url, args.seed_count)
    print(json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in results.items()}))


if __name__ == "__main__":
    main()
