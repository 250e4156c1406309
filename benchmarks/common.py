"""Shared benchmark plumbing: a throwaway database, gunicorn, and a closed-loop HTTP load."""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

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


@contextmanager
def throwaway_database() -> Iterator[str]:
    """A migrated database of its own, dropped afterwards."""
    url = make_url(base_url())
    name = f"mapper_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    bench_url = url.set(database=name).render_as_string(hide_password=False)
    try:
        env = {**os.environ, "MAPPER_DATABASE_URL": bench_url}
        subprocess.run(
            [str(Path(sys.executable).parent / "mapper"), "db", "upgrade"],
            env=env,
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        yield bench_url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, workers: int, threads: int) -> Iterator[int]:
    port = free_port()
    env = {
        **os.environ,
        "MAPPER_DATABASE_URL": database_url,
        "MAPPER_SECRET_KEY": "bench",
        "MAPPER_ACCESS_LOG": os.environ.get("MAPPER_ACCESS_LOG", ""),
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
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/healthz")
                connection.getresponse().read()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield port
    finally:
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


def median(values: list[float]) -> float:
    return statistics.median(values)
