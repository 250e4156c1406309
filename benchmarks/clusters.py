"""Map endpoints at 1M and 10M reports against the naive grid query on the same database.

Seeds synthetic reports with `mapper seed`, then replays a fixed, seeded set of requests
(zoom 2-16, views inside the data, windows of a week to five years, half of them with a
category) against /api/v1/clusters, /heatmap and /histogram under gunicorn, on one kept
connection as a browser's map sends them, twice (the second pass shows them with the pages
they read in memory; the targets and the ratio are read from the first), and runs the naive
query (ST_SnapToGrid + GROUP BY over the reports table) for the same views and filters.
Targets: clusters p50 <= 25 ms and p95 <= 60 ms, >= 20x faster than naive at p50, responses
<= 100 KB; Gi* at H3 resolution 7 over 1M reports <= 2 s; in the browser, clusters drawn
<= 1.5 s after navigation and <= 300 ms after a time-slider change.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import random
import sys
import time
import urllib.parse
import urllib.request
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (  # noqa: E402
    existing_database,
    gunicorn,
    report_count,
    seed,
    throwaway_database,
)

VIEW_PIXELS = (1280, 800)
FIRST_DAY = date(2021, 11, 1)
LAST_DAY = date(2026, 10, 31)
CATEGORIES = [
    "forced-labour",
    "sexual-exploitation",
    "forced-labour-fishing",
    "debt-bondage",
    "child-labour",
    "recruitment-fraud",
]

NAIVE = """
SELECT ST_SnapToGrid(public_location, %(size)s) AS cell, count(*), avg(ST_X(public_location)),
       avg(ST_Y(public_location))
FROM reports
WHERE status IN ('published', 'verified')
  AND public_location && ST_MakeEnvelope(%(w)s, %(s)s, %(e)s, %(n)s, 4326)
  AND occurred_at >= %(start)s AND occurred_at < %(end)s
  AND (%(category)s::text IS NULL OR id IN (
      SELECT rc.report_id FROM report_categories rc JOIN categories c ON c.id = rc.category_id
      LEFT JOIN categories p ON p.id = c.parent_id WHERE %(category)s IN (c.slug, p.slug)))
GROUP BY cell
"""


def view_bbox(lat: float, lon: float, zoom: int) -> tuple[float, float, float, float]:
    """The bbox a 1280x800 map centred on (lat, lon) shows at `zoom`."""
    scale = 256 * 2**zoom

    def to_y(latitude):
        phi = math.radians(max(min(latitude, 85.05), -85.05))
        return (1 - math.log(math.tan(phi) + 1 / math.cos(phi)) / math.pi) / 2 * scale

    def to_lat(y):
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / scale))))

    half_w, half_h = VIEW_PIXELS[0] / 2 / scale * 360, VIEW_PIXELS[1] / 2
    cy = to_y(lat)
    west, east = max(lon - half_w, -180), min(lon + half_w, 180)
    return west, to_lat(min(cy + half_h, scale)), east, to_lat(max(cy - half_h, 0))


def requests_for(count: int, towns) -> list[dict]:
    rng = random.Random(20261122)
    chosen = []
    for _ in range(count):
        lat, lon, spread = towns[rng.randrange(len(towns))]
        zoom = rng.randint(2, 16)
        w, s, e, n = view_bbox(lat + rng.gauss(0, spread), lon + rng.gauss(0, spread), zoom)
        days = int(math.exp(rng.uniform(math.log(7), math.log(5 * 365))))
        start = FIRST_DAY + timedelta(
            days=rng.randrange(max(1, (LAST_DAY - FIRST_DAY).days - days))
        )
        chosen.append(
            {
                "zoom": zoom,
                "bbox": f"{w:.5f},{s:.5f},{e:.5f},{n:.5f}",
                "from": start.isoformat(),
                "to": (start + timedelta(days=days - 1)).isoformat(),
                **({"category": rng.choice(CATEGORIES)} if rng.random() < 0.5 else {}),
            }
        )
    return chosen


def percentiles(values: list[float]) -> dict:
    ordered = sorted(values)
    pick = lambda p: ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]  # noqa: E731
    return {"p50": pick(50), "p95": pick(95), "p99": pick(99)}


def timed_get(url: str) -> tuple[float, int]:
    """One request on a new connection: milliseconds and answer bytes."""
    began = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        size = len(response.read())
    return (time.perf_counter() - began) * 1000, size


class Connection:
    """Requests one after another on one kept connection, as a browser's map makes them
    (gunicorn.conf.py keeps connections open for this); a new one after the server closed it."""

    def __init__(self, base: str) -> None:
        self.host = urllib.parse.urlsplit(base).netloc
        self.conn = http.client.HTTPConnection(self.host, timeout=120)

    def get(self, path: str) -> tuple[float, int]:
        """Milliseconds and answer bytes of GET `path`."""
        try:
            return self._get(path)
        except (http.client.RemoteDisconnected, ConnectionError):
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, timeout=120)
            return self._get(path)

    def _get(self, path: str) -> tuple[float, int]:
        began = time.perf_counter()
        self.conn.request("GET", path)
        with self.conn.getresponse() as response:
            size = len(response.read())
            if response.status != 200:
                raise SystemExit(f"{path}: HTTP {response.status}")
        return (time.perf_counter() - began) * 1000, size

    def close(self) -> None:
        self.conn.close()


def run_endpoints(base: str, chosen: list[dict]) -> dict:
    results = {}
    connection = Connection(base)
    for endpoint in ("clusters", "heatmap", "histogram"):
        times, sizes = [], []
        for args in chosen:
            query = dict(args)
            if endpoint == "histogram":
                query["bucket"] = "month" if query.get("to", "") > query.get("from", "") else "day"
            ms, size = connection.get(f"/api/v1/{endpoint}?" + urllib.parse.urlencode(query))
            times.append(ms)
            sizes.append(size)
        results[endpoint] = {
            **percentiles(times),
            "max_kb": max(sizes) / 1024,
            "mean_kb": sum(sizes) / len(sizes) / 1024,
        }
    connection.close()
    return results


def run_naive(database_url: str, chosen: list[dict], timeout_s: float) -> dict:
    """The naive query's times; one stopped at `timeout_s` counts as `timeout_s`, so that a
    percentile is exact while fewer requests than its share were stopped (else a lower
    bound, and so is the ratio to ours)."""
    import psycopg

    url = database_url.replace("postgresql+psycopg", "postgresql")
    times = []
    stopped = 0
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"SET statement_timeout = {int(timeout_s * 1000)}")
        for args in chosen:
            w, s, e, n = (float(v) for v in args["bbox"].split(","))
            end = date.fromisoformat(args["to"]) + timedelta(days=1)
            params = {
                "size": 360 / 2 ** (args["zoom"] + 2),
                "w": w,
                "s": s,
                "e": e,
                "n": n,
                "start": args["from"],
                "end": end.isoformat(),
                "category": args.get("category"),
            }
            began = time.perf_counter()
            try:
                conn.execute(NAIVE, params).fetchall()
                times.append((time.perf_counter() - began) * 1000)
            except psycopg.errors.QueryCanceled:
                times.append(timeout_s * 1000)
                stopped += 1
    figures = percentiles(times)
    # A percentile at or above the stopped share reads "at least".
    return {
        **figures,
        "stopped": stopped,
        "exact": {p: stopped < len(times) * (100 - int(p[1:])) / 100 for p in figures},
    }


def naive_line(naive: dict, timeout_s: float) -> str:
    cells = " ".join(
        f"{p} {'' if naive['exact'][p] else '>='}{naive[p]:7.1f} ms" for p in ("p50", "p95", "p99")
    )
    stopped = f" ({naive['stopped']} of the requests stopped at {timeout_s:.0f} s)"
    return f"naive           {cells}{stopped if naive['stopped'] else ''}"


def hotspot_timing(base: str) -> dict:
    first, _ = timed_get(f"{base}/api/v1/hotspots?resolution=7")
    again, size = timed_get(f"{base}/api/v1/hotspots?resolution=7")
    return {"first_ms": first, "cached_ms": again, "kb": size / 1024}


def browser_timing(base: str, town) -> dict:
    from playwright.sync_api import sync_playwright

    lat, lon, _ = town
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--headless=new", "--no-sandbox"]
        )
        page = browser.new_page(viewport={"width": VIEW_PIXELS[0], "height": VIEW_PIXELS[1]})
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort())
        loads, slides = [], []
        for attempt in range(5):
            began = time.perf_counter()
            page.goto(f"{base}/?z={6 + attempt}&lat={lat}&lon={lon}")
            page.wait_for_selector("#map[data-total]:not([aria-busy])")
            page.wait_for_selector(".marker-cluster, .leaflet-marker-icon")
            loads.append((time.perf_counter() - began) * 1000)
            page.wait_for_selector("#histogram[data-buckets]")
            for step in (3, 20, 40):
                drawn = page.get_attribute("#map", "data-drawn")
                began = time.perf_counter()
                page.evaluate(
                    "s => { const el = document.getElementById('time-slider');"
                    " el.value = String(s); el.dispatchEvent(new Event('input')); }",
                    step,
                )
                page.wait_for_function(
                    "n => document.querySelector('#map').dataset.drawn !== n"
                    " && !document.querySelector('#map').hasAttribute('aria-busy')",
                    arg=drawn,
                )
                slides.append((time.perf_counter() - began) * 1000)
        browser.close()
    return {"navigate_to_clusters": percentiles(loads), "slider_to_redraw": percentiles(slides)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument(
        "--naive-timeout", type=float, default=60, help="seconds before a naive query is stopped"
    )
    parser.add_argument(
        "--database",
        help="use (and keep) this database URL instead of a throwaway one; reports already "
        "in it count towards the sizes",
    )
    args = parser.parse_args()
    from mapper.seed import TOWNS

    towns = [tuple(t) for t in TOWNS[:200]]
    chosen = requests_for(args.requests, towns)
    report = {}
    with existing_database(args.database) if args.database else throwaway_database() as url:
        loaded = report_count(url)
        for size in (int(s) for s in args.sizes.split(",")):
            if size > loaded:
                seconds = seed(url, size - loaded)
                loaded = size
                print(f"\n== {size:,} reports (seeded {seconds:.0f} s incl. rollups)", flush=True)
            elif size == loaded:
                print(f"\n== {size:,} reports (already in the database)", flush=True)
            else:
                raise SystemExit(f"the database holds {loaded:,} reports, more than {size:,}")
            # No base map: the browser timing is of the app's own answers.
            with gunicorn(url, MAPPER_TILE_URL="") as base:
                timed_get(f"{base}/api/v1/clusters?zoom=2")  # warm the workers
                ours = run_endpoints(base, chosen)
                # The same requests again: what they cost once the pages they read are in
                # memory, as on a server in service (the first pass reads much from disk
                # where the database is larger than the memory).
                again = run_endpoints(base, chosen)
                # Printed at once: at 10M the naive baseline alone takes a long while.
                for label, figures_of in (("", ours), (" again", again)):
                    for endpoint, figures in figures_of.items():
                        print(
                            f"{endpoint + label:15} p50 {figures['p50']:7.1f} ms  "
                            f"p95 {figures['p95']:7.1f} ms  p99 {figures['p99']:7.1f} ms  "
                            f"max {figures['max_kb']:6.1f} KB  mean {figures['mean_kb']:5.1f} KB",
                            flush=True,
                        )
                naive = run_naive(url, chosen, args.naive_timeout)
                hot = hotspot_timing(base)
                ui = browser_timing(base, towns[0])
            print(naive_line(naive, args.naive_timeout))
            ratio = naive["p50"] / ours["clusters"]["p50"]
            print(
                f"naive/clusters at p50: {'' if naive['exact']['p50'] else '>='}{ratio:.1f}x "
                "(target >= 20x); "
                f"p50 target 25 ms, p95 target 60 ms, size target 100 KB"
            )
            print(
                f"Gi* H3 res 7: first {hot['first_ms']:.0f} ms, cached {hot['cached_ms']:.0f} ms "
                f"({hot['kb']:.0f} KB) (target <= 2000 ms)"
            )
            print(
                f"browser: navigation -> clusters p50 {ui['navigate_to_clusters']['p50']:.0f} ms "
                f"max-ish p95 {ui['navigate_to_clusters']['p95']:.0f} ms (target 1500); "
                f"slider -> redraw p50 {ui['slider_to_redraw']['p50']:.0f} ms "
                f"p95 {ui['slider_to_redraw']['p95']:.0f} ms (target 300)",
                flush=True,
            )
            report[size] = {
                "endpoints": ours,
                "again": again,
                "naive": naive,
                "ratio_p50": ratio,
                "hotspots": hot,
                "browser": ui,
            }
    print(json.dumps(report, default=lambda v: round(v, 1)))


if __name__ == "__main__":
    main()
