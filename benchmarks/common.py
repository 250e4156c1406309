"""Shared benchmark plumbing: a throwaway database, gunicorn, and a closed-loop HTTP load."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mapper.dbcluster import temporary_database

ROOT = Path(__file__).resolve().parents[1]


def base_url() -> str:
    """The database server in use (MAPPER_DATABASE_URL or the embedded one)."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "mapper"), "db", "url"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return result.stdout.strip()


def app_on(url: str):
    """The app on the database at `url` (the environment's MAPPER_DATABASE_URL was read when
    mapper was first imported, so it cannot choose the database here)."""
    from mapper import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url})


def migrate(url: str) -> None:
    env = {**os.environ, "MAPPER_DATABASE_URL": url}
    mapper = str(Path(sys.executable).parent / "mapper")
    subprocess.run([mapper, "db", "upgrade"], env=env, check=True, capture_output=True, cwd=ROOT)


@contextmanager
def throwaway_database() -> Iterator[str]:
    """A migrated database of its own on the server in use, dropped afterwards."""
    with temporary_database(base_url(), "mapper_bench") as url:
        migrate(url)
        yield url


@contextmanager
def existing_database(url: str) -> Iterator[str]:
    """A database given by URL, migrated, and kept afterwards (to measure again later)."""
    migrate(url)
    yield url


def report_count(url: str) -> int:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        return conn.execute("SELECT count(*) FROM reports").fetchone()[0]


def seed(url: str, count: int) -> float:
    """Add `count` synthetic reports to `url` with `mapper seed`, then settle the database;
    returns the seconds the seeding took."""
    env = {**os.environ, "MAPPER_DATABASE_URL": url}
    began = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).parent / "mapper"), "seed", "--count", str(count)],
        env=env,
        check=True,
        cwd=ROOT,
    )
    seconds = time.perf_counter() - began
    settle(url)
    return seconds


def settle(url: str) -> None:
    """VACUUM (ANALYZE) after the bulk load, as autovacuum leaves a database in service: without
    it the first reads of every fresh row also write its hint bits, and the measured runs
    race autovacuum for the two cores."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


# The gunicorn master process of each running server, by base URL.
SERVERS: dict[str, subprocess.Popen] = {}


def worker_pids(base: str) -> list[int]:
    """The worker processes of the gunicorn serving `base`."""
    master = SERVERS[base].pid
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            pids.append(int(stat.parent.name))
    return pids


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, workers: int = 2, threads: int = 4, **env: str) -> Iterator[str]:
    """The app under gunicorn with gunicorn.conf.py on `database_url`; yields its base URL."""
    port = free_port()
    environment = {
        **os.environ,
        "MAPPER_DATABASE_URL": database_url,
        # Load comes from one address: per-address limits would measure the limiter.
        "MAPPER_RATELIMIT_ENABLED": "false",
        "MAPPER_SECRET_KEY": "not-secret",
        "MAPPER_ACCESS_LOG": "",
        **env,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "mapper:create_app()",
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/healthz", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    process.kill()
                    message = "gunicorn did not start:\n" + process.stderr.read().decode()
                    raise RuntimeError(message) from None
                time.sleep(0.2)
        SERVERS[url] = process
        yield url
    finally:
        SERVERS.pop(url, None)
        process.terminate()
        process.wait(timeout=15)


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    def line(self, label: str) -> str:
        return (
            f"{label:<10} {self.rate:8.0f} req/s   p50 {self.percentile(50):6.1f} ms   "
            f"p99 {self.percentile(99):6.1f} ms   errors {self.errors}"
        )


def closed_loop(
    port: int,
    clients: int,
    seconds: float,
    make_request: Callable[[], tuple[str, str, bytes | None, dict]],
    expect: int,
) -> LoadResult:
    """`clients` connections each sending requests back to back for `seconds`."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start_gate = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        failures = 0
        start_gate.wait()
        while time.perf_counter() < stop_at[0]:
            method, path, body, headers = make_request()
            began = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == expect
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            if ok:
                mine.append((time.perf_counter() - began) * 1000)
            else:
                failures += 1
        with lock:
            latencies.extend(mine)
            errors[0] += failures

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    start_gate.wait()
    for thread in threads:
        thread.join()
    return LoadResult(len(latencies), errors[0], time.perf_counter() - began, latencies)
