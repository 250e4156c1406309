"""Exports of 1M reports in each format under gunicorn, against PostgreSQL's own COPY.

Seeds synthetic reports with `mapper seed`, then downloads /exports/reports.<format> for
every report (the public view, through the privacy gate) and prints rows/s and the growth of
the serving worker's memory while it streams. The baseline is `COPY (the same query) TO
STDOUT WITH CSV` on the same database in the same run. Targets: >= 50,000 rows/s for CSV,
peak memory growth <= 100 MB.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import gunicorn, seed, throwaway_database, worker_pids  # noqa: E402

FORMATS = ("csv", "hxl.csv", "geojson", "kml")
PUBLIC_QUERY = """
    SELECT r.reference, r.occurred_at, (r.received_at AT TIME ZONE 'UTC')::date, r.title,
           r.description,
           (SELECT array_agg(c.slug ORDER BY c.position) FROM report_categories rc
              JOIN categories c ON c.id = rc.category_id WHERE rc.report_id = r.id),
           r.source, r.status, r.place_name, r.language,
           ST_Y(r.public_location), ST_X(r.public_location)
    FROM reports r WHERE r.status IN ('published', 'verified') ORDER BY r.id
"""


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class PeakMemory:
    """Samples the resident memory of `pids` every 20 ms; `growth_mb` is the peak over start."""

    def __init__(self, pids: list[int]):
        self.pids = pids
        self.start = {pid: rss_kb(pid) for pid in pids}
        self.peak = dict(self.start)
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        while self.running:
            for pid in self.pids:
                self.peak[pid] = max(self.peak[pid], rss_kb(pid))
            time.sleep(0.02)

    def stop(self) -> float:
        self.running = False
        self.thread.join()
        return max(self.peak[p] - self.start[p] for p in self.pids) / 1024


def download(base: str, fmt: str) -> tuple[int, float, int]:
    """Rows (lines or features), seconds, bytes of one export."""
    began = time.perf_counter()
    rows = size = 0
    marker = {"csv": b"\n", "hxl.csv": b"\n", "geojson": b'"type": "Feature"', "kml": b"<Placemark"}
    carry = b""
    with urllib.request.urlopen(f"{base}/exports/reports.{fmt}", timeout=3600) as response:
        while chunk := response.read(1 << 20):
            size += len(chunk)
            text = carry + chunk
            rows += text.count(marker[fmt])
            carry = text[-(len(marker[fmt]) - 1) :] if len(marker[fmt]) > 1 else b""
    seconds = time.perf_counter() - began
    if fmt in ("csv", "hxl.csv"):
        rows -= 1 if fmt == "csv" else 2  # header rows (quoted newlines are rare in seed data)
    return rows, seconds, size


def copy_baseline(url: str) -> tuple[int, float]:
    import psycopg

    began = time.perf_counter()
    rows = 0
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        with conn.cursor().copy(f"COPY ({PUBLIC_QUERY}) TO STDOUT WITH CSV") as copy:
            for data in copy:
                rows += bytes(data).count(b"\n")
    return rows, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    args = parser.parse_args()
    with throwaway_database() as url:
        seconds = seed(url, args.count)
        print(f"== {args.count:,} reports (seeded in {seconds:.0f} s)", flush=True)
        base_rows, base_seconds = copy_baseline(url)
        base_rate = base_rows / base_seconds
        print(
            f"COPY baseline   {base_rows:>9,} rows  {base_seconds:6.1f} s  {base_rate:9,.0f} rows/s"
        )
        with gunicorn(url, workers=1, threads=2) as base:
            urllib.request.urlopen(f"{base}/exports/reports.csv?bbox=0,0,0.001,0.001").read()
            for fmt in FORMATS:
                memory = PeakMemory(worker_pids(base))
                rows, took, size = download(base, fmt)
                growth = memory.stop()
                rate = rows / took
                print(
                    f"{fmt:<14} {rows:>9,} rows  {took:6.1f} s  {rate:9,.0f} rows/s  "
                    f"{rate / base_rate:4.2f}x COPY  {size / 2**20:7.1f} MB  "
                    f"memory +{growth:5.1f} MB",
                    flush=True,
                )
        print("targets: csv >= 50,000 rows/s, memory growth <= 100 MB")


if __name__ == "__main__":
    main()
