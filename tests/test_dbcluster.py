"""The embedded PostgreSQL starts with memory for the map rollups, not the 128 MB default."""

import os

import pytest
from sqlalchemy import text

from mapper.dbcluster import memory_settings
from mapper.extensions import db


@pytest.mark.skipif(
    bool(os.environ.get("MAPPER_TEST_DATABASE_URL")),
    reason="an external server keeps its own settings",
)
def test_the_embedded_cluster_runs_with_a_quarter_of_memory_as_shared_buffers(db_session):
    wanted = dict(setting.split("=") for setting in memory_settings())
    running = db.session.execute(
        text(
            "SELECT name, (setting::bigint * pg_size_bytes(unit) / 1048576)::text || 'MB' "
            "FROM pg_settings WHERE name IN ('shared_buffers', 'effective_cache_size')"
        )
    )
    assert dict(running.all()) == wanted
    total_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    assert int(wanted["shared_buffers"].removesuffix("MB")) == min(8192, max(128, total_mb // 4))
