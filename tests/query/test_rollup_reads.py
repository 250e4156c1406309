"""A view read from the rollups costs what its cells hold, not what the rest of the world holds,
and windows open at one end still reach every report."""

import itertools
import random
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, text

from mapper.extensions import db
from mapper.geo.cells import cell_of
from mapper.query import grid
from mapper.query.filters import ReportFilters

TOWN = (13.66, 102.56)  # (lat, lon)
VIEW = {"zoom": "11", "bbox": "102.4,13.5,102.8,13.8"}  # level 13: every tier has rows there
YEARS = {"from": "2023-11-15", "to": "2026-02-10"}  # whole years, months and days around them


@pytest.fixture
def town(db_session, make_report):
    for i in range(6):
        make_report(
            "published",
            latitude=TOWN[0] + i * 0.01,
            longitude=TOWN[1] + i * 0.01,
            occurred_at=f"{2024 + i % 2}-0{1 + i}-1{i}T08:00:00+00:00",
            categories=["forced-labour", "debt-bondage"],
        )


def rollup_statements(client, query: dict) -> tuple[dict, list]:
    """The answer to a clusters request, and the rollup statements it ran with their values."""
    ran = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if "map_view_rows" in statement:
            ran.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        answer = client.get("/api/v1/clusters", query_string=query).get_json()
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    assert ran, "the view was not read from the rollups"
    return answer, ran


def pages_read(ran: list) -> int:
    """Pages the statements touch (shared buffers hit or read)."""
    cursor = db.session.connection().connection.driver_connection.cursor()
    total = 0
    for statement, parameters in ran:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, parameters)
        plan = cursor.fetchone()[0][0]["Plan"]
        total += plan.get("Shared Hit Blocks", 0) + plan.get("Shared Read Blocks", 0)
    return total


def add_distant_cells(first: int, count: int) -> None:
    """Rollup rows of the view's level and category, in columns east of the view, for periods
    of the window: its first year, first month part and first day. A scan bounded by period
    alone walks through them on its way to the view's next period."""
    x, y = cell_of(TOWN[1], TOWN[0], 13)
    db.session.execute(
        text(
            "INSERT INTO map_cells (grp, tier, level, category, x, y, period, n, sx, sy, "
            "west, south, east, north, sid) "
            "SELECT 0, t.tier, 13, 0, :x + 100 + i / 50, :y - 25 + i % 50, t.period, 1, "
            "0, 0, 0, 0, 0, 0, 0 "
            "FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS i, "
            "(VALUES (2, 54), (0, 647), (1, 19680)) AS t (tier, period)"
        ),
        {"x": x, "y": y, "first": first, "last": first + count - 1},
    )
    db.session.execute(text("ANALYZE map_cells"))


def test_a_view_over_years_reads_no_more_for_cells_outside_it(client, town):
    db.session.execute(text("SELECT map_cells_fold()"))
    # As many rows again as the index already holds: its depth, and so each lookup, stays.
    add_distant_cells(0, 60_000)
    before, ran = rollup_statements(client, {**VIEW, **YEARS})
    assert before["total"] == 6
    pages = pages_read(ran)
    add_distant_cells(60_000, 60_000)  # some 250 index pages more for each tier
    after, ran = rollup_statements(client, {**VIEW, **YEARS})
    assert after == before
    assert pages_read(ran) <= pages + 6


@pytest.mark.parametrize("window", [{"to": "2026-01-10"}, {"from": "1998-01-01"}, {}])
def test_an_open_window_reaches_the_earliest_and_latest_reports(client, town, make_report, window):
    early = "1998-07-04T12:00:00+00:00"
    make_report("published", latitude=TOWN[0], longitude=TOWN[1], occurred_at=early)
    answer = client.get("/api/v1/clusters", query_string={**VIEW, **window}).get_json()
    assert answer["total"] == 7
    months = client.get(
        "/api/v1/histogram", query_string={**VIEW, **window, "bucket": "month"}
    ).get_json()
    assert months["total"] == 7
    assert {b["start"]: b["count"] for b in months["buckets"]}["1998-07-01"] == 1


def test_a_map_without_reports_is_empty(client, db_session):
    for window in ({}, {"from": "2024-01-01"}, YEARS):
        answer = client.get("/api/v1/clusters", query_string={**VIEW, **window}).get_json()
        assert answer["total"] == 0
        assert answer["features"] == []


@pytest.mark.parametrize("window", [YEARS, {}, {"category": "debt-bondage", **YEARS}])
def test_a_level_the_rollups_skip_is_summed_from_the_next_finer_one(client, town, window):
    # Zoom 10 clusters are the cells of level 12, which the rollups skip: read at level 13.
    view = {"zoom": "10", "bbox": "102.3,13.4,102.9,13.9"}
    answer, ran = rollup_statements(client, {**view, **window})
    levels = {level for _sql, values in ran for level in values["levels"]}
    assert levels == {13}
    # The clusters are level 12's cells, each with its reports: counted plainly here.
    expected = {
        (x, y): n
        for x, y, n in db.session.execute(
            text(
                "SELECT map_mx(ST_X(public_location)) >> 12, map_my(ST_Y(public_location)) >> 12, "
                "count(*) FROM reports WHERE status IN ('published', 'verified') GROUP BY 1, 2"
            )
        )
    }
    found = {}
    for feature in answer["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        cell = cell_of(lon, lat, 12)
        assert cell not in found
        found[cell] = feature["properties"]["count"]
    assert found == expected
    assert len(found) < 6  # several reports share a cell: the cells were summed


def nested_plans(connection) -> list[str]:
    """Turn on the server's logging of every plan run, nested ones included (the statements of
    a function), sent to this connection; returns the list the plans are added to."""
    plans: list[str] = []
    connection.add_notice_handler(lambda notice: plans.append(notice.message_primary))
    for statement in (
        "LOAD 'auto_explain'",
        "SET LOCAL auto_explain.log_min_duration = 0",
        "SET LOCAL auto_explain.log_nested_statements = on",
        "SET LOCAL client_min_messages = log",
    ):
        connection.execute(statement)
    return plans


@contextmanager
def settings_seen(names: tuple[str, ...]) -> Iterator[list[tuple[str, ...]]]:
    """The values of settings `names` as each statement reading reports themselves ran."""
    seen: list[tuple[str, ...]] = []
    probe_sql = "SELECT " + ", ".join(f"current_setting('{name}')" for name in names)

    def note(conn, cursor, statement, parameters, context, executemany):
        if "FROM reports" in statement:
            with cursor.connection.cursor() as probe:
                probe.execute(probe_sql)
                seen.append(probe.fetchone())

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def test_rollups_are_read_by_bitmap_and_hash_and_reports_with_their_own_indexes(client, town):
    # Zoom 11 heat: 16-pixel cells are level 15, finer than the rollups keep; the view's count
    # is read from level 13 first, then, being small, its cells counted from the reports.
    plans = nested_plans(db.session.connection().connection.driver_connection)
    with settings_seen(("enable_indexscan", "enable_sort")) as settings:
        answer = client.get("/api/v1/heatmap", query_string={**VIEW, **YEARS}).get_json()
        months = {**VIEW, **YEARS, "bucket": "month"}
        histogram = client.get("/api/v1/histogram", query_string=months).get_json()
    assert answer["total"] == 6 and answer["cell_pixels"] == 16
    assert histogram["total"] == 6
    rollup_plans = [p for p in plans if "FROM map_cells_live" in p and "Aggregate" in p]
    # The view's cells, then its months.
    assert [p for p in rollup_plans if "SELECT CAST(p.x AS integer)" in p]
    assert [p for p in rollup_plans if "SELECT p.tier, p.period" in p]
    for plan in rollup_plans:
        assert "Bitmap Index Scan on pk_map_cells" in plan
        assert "HashAggregate" in plan
        assert "Index Scan using" not in plan and "Sort" not in plan
    assert settings and set(settings) == {("on", "on")}


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("clusters", {**VIEW, "zoom": "13"}),
        ("histogram", {**VIEW, "zoom": "13", "bucket": "day"}),
        ("hotspots", {"resolution": "7"}),
    ],
)
def test_reads_of_reports_are_planned_for_their_own_values(app, client, town, path, query):
    # A plan kept from one view can be ruinous for the next; compiling a short read to machine
    # code takes longer than running it, unlike the one aggregate over every report of Gi*.
    jit = "on" if path == "hotspots" else "off"
    kept_answers = Path(app.config["MAPPER_VAR_DIR"]) / "cache" / "hotspots"
    with settings_seen(("jit", "work_mem")) as settings:
        # More often than the driver runs a statement before it keeps it prepared.
        for _ in range(7):
            shutil.rmtree(kept_answers, ignore_errors=True)
            answer = client.get(f"/api/v1/{path}", query_string={**query, **YEARS}).get_json()
            assert answer["total"] == 6
    assert len(settings) >= 7 and set(settings) == {(jit, "64MB")}
    prepared = db.session.execute(text("SELECT statement FROM pg_prepared_statements"))
    assert not [sql for sql in prepared.scalars() if "FROM reports" in sql]


@pytest.mark.parametrize("function", ["map_view_rows", "map_view_periods"])
def test_the_rollup_functions_read_with_the_rollup_settings(db_session, function):
    config = db.session.execute(
        text("SELECT proconfig FROM pg_proc WHERE proname = :name"), {"name": function}
    ).scalar_one()
    assert {f"{name}={value}" for name, value in grid.ROLLUP_READS.items()} <= set(config)
    # Planned once per connection, for any values.
    assert "plan_cache_mode=force_generic_plan" in config


def _days_of(tier: int, period: int) -> range:
    if tier == grid.DAY:
        return range(period, period + 1)
    if tier == grid.BLOCK:
        month, k = divmod(period, 4)
        start, stop = grid._month_start_day(month), grid._month_start_day(month + 1)
        return range(start + 8 * k, stop if k == 3 else start + 8 * k + 8)
    if tier == grid.MONTH:
        return range(grid._month_start_day(period), grid._month_start_day(period + 1))
    return range(grid._month_start_day(period * 12), grid._month_start_day(period * 12 + 12))


def _window(first: date, last: date) -> ReportFilters:
    start = datetime.combine(first, datetime.min.time(), UTC)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), UTC)
    return ReportFilters(None, start, end, (), (), None)


def test_signed_periods_cover_each_day_of_the_window_once_and_read_fewer_periods(db_session):
    """Whatever the window, the periods added less those taken away count every day inside it
    once and no day outside it; a window filling most of its month reads that month and the
    few days around, not each of its days."""
    audience = grid.Audience(("published", "verified"), exact=False)
    chosen = random.Random(7)
    windows = [
        (date(2024, 1, 3), date(2024, 1, 28)),
        (date(2024, 2, 2), date(2024, 11, 27)),
        (date(2023, 3, 3), date(2025, 10, 28)),
        (date(2024, 1, 1), date(2024, 12, 31)),
        (date(2024, 1, 31), date(2024, 2, 1)),
    ]
    for _ in range(300):
        first = date(2020, 1, 1) + timedelta(days=chosen.randrange(2000))
        windows.append((first, first + timedelta(days=chosen.randrange(1, 1900))))
    for first, last in windows:
        plan_ = grid.plan(_window(first, last), audience, 13, ())
        for yearly, blocks in itertools.product((True, False), repeat=2):
            signed = grid.signed_periods(plan_, yearly, blocks)
            if not yearly:  # no year is read but the plan's whole years
                assert set(signed[grid.YEAR]) == set(range(*(plan_.years or (0, 0))))
            covered: dict[int, int] = {}
            for tier, periods in signed.items():
                for period, sign in periods.items():
                    for day in _days_of(tier, period):
                        covered[day] = covered.get(day, 0) + sign
            inside = range((first - grid.EPOCH).days, (last - grid.EPOCH).days + 1)
            assert {d: c for d, c in covered.items() if c} == dict.fromkeys(inside, 1)
    plan_ = grid.plan(_window(date(2024, 1, 3), date(2024, 1, 28)), audience, 13, ())
    signed = grid.signed_periods(plan_, True, True)
    assert signed[grid.MONTH] == {grid._month_number((date(2024, 1, 1) - grid.EPOCH).days): 1}
    assert sorted(signed[grid.DAY].values()) == [-1] * 5  # 1st, 2nd, 29th, 30th and 31st
    # From the 3rd to the 20th: two blocks (1st-8th, 9th-16th) less the 1st and the 2nd, and
    # the 17th to the 20th, where without blocks it is the month less 13 days.
    plan_ = grid.plan(_window(date(2024, 3, 3), date(2024, 3, 20)), audience, 13, ())
    march = grid._month_number((date(2024, 3, 1) - grid.EPOCH).days)
    signed = grid.signed_periods(plan_, True, True)
    assert signed[grid.MONTH] == {} and signed[grid.BLOCK] == {march * 4: 1, march * 4 + 1: 1}
    assert sorted(signed[grid.DAY].values()) == [-1] * 2 + [1] * 4
    assert len(grid.signed_periods(plan_, True, False)[grid.DAY]) == 13


def test_windows_open_at_one_end_are_read_as_they_are(db_session):
    audience = grid.Audience(("published", "verified"), exact=False)
    start = datetime(2024, 1, 3, tzinfo=UTC)
    plan_ = grid.plan(ReportFilters(None, start, None, (), (), None), audience, 13, ())
    assert grid.signed_periods(plan_, True, True) is None


def test_many_single_reports_are_read_together_each_as_itself(client, db_session, make_report):
    made = {}
    for i in range(20):
        # Half a degree apart: each stays alone in its cell wherever its public point falls.
        lat, lon = TOWN[0] + (i // 5) * 0.5, TOWN[1] + (i % 5) * 0.5
        report = make_report(
            "published",
            latitude=lat,
            longitude=lon,
            categories=["debt-bondage", "forced-labour"],
            occurred_at="2024-05-05T08:00:00+00:00",
        )
        made[report.reference] = report
    settings = []

    def note(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("SELECT reports.id"):
            with cursor.connection.cursor() as probe:
                probe.execute("SELECT current_setting('enable_indexscan')")
                settings.append(probe.fetchone()[0])

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        view = {"zoom": "9", "bbox": "102.3,13.4,105.0,15.4"}
        answer = client.get("/api/v1/clusters", query_string=view).get_json()
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    singles = [f for f in answer["features"] if not f["properties"]["cluster"]]
    assert len(singles) == answer["total"] == 20
    assert {f["properties"]["reference"] for f in singles} == set(made)
    for feature in singles:
        # In the categories' display order, whatever order they were given in.
        assert feature["properties"]["categories"] == ["forced-labour", "debt-bondage"]
    assert settings == ["off"]
