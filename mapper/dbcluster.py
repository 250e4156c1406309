"""An embedded PostgreSQL + PostGIS cluster under var/, run with the system's binaries.

The server listens on a Unix socket inside its own directory only, so it never
collides with a system PostgreSQL. As root it runs as the `postgres` user, since
PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_PORT = 54329
# Keep user data out of the server log: no statement text, no DETAIL lines with key values.
PRIVATE_LOGGING = ("log_min_error_statement=panic", "log_error_verbosity=terse")
# For throwaway test clusters: durability is not needed, speed is.
FAST_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


def memory_settings() -> tuple[str, ...]:
    """Shared buffers of a quarter of the machine's memory (at least PostgreSQL's default
    128 MB, at most 8 GB), and a planner told that half of it caches files: with the default
    128 MB, map rollups read again from disk whenever the system drops its file cache."""
    try:
        total_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    except (ValueError, OSError):
        return ()
    return (
        f"shared_buffers={min(8192, max(128, total_mb // 4))}MB",
        f"effective_cache_size={max(512, total_mb // 2)}MB",
    )


class ClusterError(RuntimeError):
    pass


def find_bindir() -> Path:
    """The newest PostgreSQL whose share/ has PostGIS, else the newest installed."""
    override = os.environ.get("MAPPER_PG_BINDIR")
    if override:
        return Path(override)
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True
    )
    for bindir in candidates:
        version = bindir.parent.name
        if Path(f"/usr/share/postgresql/{version}/extension/postgis.control").exists():
            return bindir
    if candidates:
        return candidates[0]
    raise ClusterError(
        "PostgreSQL is not installed: install postgresql and postgresql-<version>-postgis-3"
    )


def _as_root() -> bool:
    return os.geteuid() == 0


@dataclass
class Cluster:
    base: Path
    port: int = DEFAULT_PORT
    dbname: str = "mapper"
    user: str = "mapper"
    settings: tuple[str, ...] = field(default=())

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base / "run"

    @property
    def logfile(self) -> Path:
        return self.base / "postgres.log"

    def url_for(self, dbname: str) -> str:
        return f"postgresql+psycopg://{self.user}@/{dbname}?host={self.socket_dir}&port={self.port}"

    @property
    def url(self) -> str:
        return self.url_for(self.dbname)

    def _cmd(self, *args: str) -> list[str]:
        if _as_root():
            return ["runuser", "-u", "postgres", "--", *args]
        return list(args)

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(self._cmd(*args), capture_output=True, text=True, check=check)

    def _prepare_dirs(self) -> None:
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.base, 0o700)
        if _as_root():
            owner = pwd.getpwnam("postgres")
            for path in (self.base, self.socket_dir):
                os.chown(path, owner.pw_uid, owner.pw_gid)
            if self._run("test", "-w", str(self.base), check=False).returncode != 0:
                raise ClusterError(
                    f"the postgres user cannot reach {self.base}; "
                    "make its parent directories readable or set MAPPER_DATABASE_URL"
                )

    def initialised(self) -> bool:
        return (self.data / "PG_VERSION").exists()

    def init(self) -> None:
        self._prepare_dirs()
        if self.initialised():
            return
        bindir = find_bindir()
        result = self._run(
            str(bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            self.user,
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            check=False,
        )
        if result.returncode != 0:
            raise ClusterError(f"initdb failed:\n{result.stderr}")

    def running(self) -> bool:
        if not self.initialised():
            return False
        pg_ctl = find_bindir() / "pg_ctl"
        return self._run(str(pg_ctl), "status", "-D", str(self.data), check=False).returncode == 0

    def start(self) -> None:
        """Initialise when needed, start the server and create the database; idempotent."""
        self.init()
        if not self.running():
            options = [f"-k {self.socket_dir}", "-c listen_addresses=''", f"-p {self.port}"]
            options += [f"-c {s}" for s in PRIVATE_LOGGING + memory_settings() + self.settings]
            result = self._run(
                str(find_bindir() / "pg_ctl"),
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                str(self.data),
                "-l",
                str(self.logfile),
                "-o",
                " ".join(options),
                check=False,
            )
            if result.returncode != 0:
                tail = self.logfile.read_text()[-2000:] if self.logfile.exists() else ""
                raise ClusterError(f"PostgreSQL did not start:\n{result.stderr}\n{tail}")
        self.create_database(self.dbname)

    def connect(self, dbname: str = "postgres"):
        import psycopg

        return psycopg.connect(
            host=str(self.socket_dir),
            port=self.port,
            user=self.user,
            dbname=dbname,
            autocommit=True,
        )

    def create_database(self, name: str) -> None:
        with self.connect() as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')

    def stop(self) -> None:
        if self.running():
            self._run(
                str(find_bindir() / "pg_ctl"), "stop", "-m", "fast", "-w", "-D", str(self.data)
            )

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


def embedded_cluster(config) -> Cluster:
    """The cluster `mapper` manages under MAPPER_VAR_DIR."""
    port = int(os.environ.get("MAPPER_PG_PORT", DEFAULT_PORT))
    return Cluster(base=Path(config["MAPPER_VAR_DIR"]) / "pg", port=port)


@contextmanager
def temporary_database(server_url: str, prefix: str = "mapper_tmp") -> Iterator[str]:
    """Create an empty database on the server of `server_url`; drop it on exit."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
