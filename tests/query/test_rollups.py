"""The map rollups stay equal to a count from scratch through intake, edits and moderation."""

import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from mapper.extensions import db
from mapper.moderation import apply_action, edit_report

# The rollups as readers see them: the cells plus the change log not yet folded into them.
SNAPSHOT = """
SELECT grp, tier, level, category, x, y, period, sum(n),
       round(sum(sx)::numeric, 6), round(sum(sy)::numeric, 6), sum(sid)
FROM map_cells_live GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7
"""


def rollups_match_a_rebuild() -> None:
    """Compare the incrementally kept rollups with ones built again from the reports."""
    kept = db.session.execute(text(SNAPSHOT)).all()
    db.session.execute(text("SAVEPOINT rebuild"))
    db.session.execute(text("SELECT map_cells_rebuild()"))
    rebuilt = db.session.execute(text(SNAPSHOT)).all()
    db.session.execute(text("ROLLBACK TO SAVEPOINT rebuild"))
    assert kept == rebuilt
    assert kept, "the rollups are empty: nothing was compared"


def public_total() -> int:
    return db.session.execute(
        text(
            "SELECT coalesce(sum(n), 0) FROM map_cells_live WHERE grp = 0 AND tier = 0 "
            "AND level = 2 AND category = 0"
        )
    ).scalar_one()


def test_intake_counts_a_pending_report_for_reviewers_only(db_session, make_report):
    before = public_total()
    make_report("pending", categories=["forced-labour-fishing", "debt-bondage"])
    assert public_total() == before
    rollups_match_a_rebuild()


@pytest.mark.parametrize("action", ["publish", "verify"])
def test_publishing_adds_to_the_public_map(db_session, make_report, make_user, action):
    report = make_report("pending")
    before = public_total()
    apply_action(report, action, make_user("moderator"), report.version)
    assert public_total() == before + 1
    rollups_match_a_rebuild()


def test_rejecting_and_archiving_take_reports_off_the_public_map(
    db_session, make_report, make_user
):
    moderator = make_user("moderator")
    first, second = make_report("published"), make_report("published")
    before = public_total()
    apply_action(first, "reject", moderator, first.version, reason="Spam")
    apply_action(second, "archive", moderator, second.version)
    assert public_total() == before - 2
    rollups_match_a_rebuild()


def test_merging_counts_the_duplicate_no_more(db_session, make_report, make_user):
    moderator = make_user("moderator")
    keep, duplicate = make_report("published"), make_report("published")
    before = public_total()
    apply_action(duplicate, "merge", moderator, duplicate.version, into=keep)
    assert public_total() == before - 1
    rollups_match_a_rebuild()


def test_edits_of_place_date_and_categories_move_the_counts(db_session, make_report, make_user):
    moderator = make_user("moderator")
    report = make_report("published", categories=["forced-labour-fishing"])
    edit_report(
        report,
        moderator,
        report.version,
        {
            "title": report.title,
            "description": report.description,
            "occurred_at": datetime(2021, 3, 4, 5, 6, tzinfo=UTC).isoformat(),
            "categories": ["child-labour", "sexual-exploitation-venue"],
            "latitude": "4.71",
            "longitude": "-74.07",
        },
    )
    db.session.flush()
    rollups_match_a_rebuild()
    edit_report(
        report,
        moderator,
        report.version,
        {
            "title": report.title,
            "description": report.description,
            "occurred_at": report.occurred_at,
            "categories": ["sexual-exploitation"],
            "latitude": "4.71",
            "longitude": "-74.07",
        },
    )
    db.session.flush()
    rollups_match_a_rebuild()


def test_seeded_reports_are_in_the_rollups(db_session, app):
    from mapper.seed import seed_reports

    before = public_total()
    seed_reports(400, random_seed=3)
    assert public_total() > before
    rollups_match_a_rebuild()


def logged_changes() -> int:
    return db.session.execute(text("SELECT count(*) FROM map_cell_changes")).scalar_one()


def test_folding_moves_the_log_into_the_cells_and_keeps_every_count(
    db_session, make_report, make_user
):
    from mapper.rollups import fold

    moderator = make_user("moderator")
    report = make_report("pending", categories=["forced-labour-fishing", "debt-bondage"])
    apply_action(report, "publish", moderator, report.version)
    make_report("published", latitude=4.71, longitude=-74.07)
    before = db.session.execute(text(SNAPSHOT)).all()
    assert logged_changes() > 0
    assert fold() > 0
    assert logged_changes() == 0
    assert db.session.execute(text(SNAPSHOT)).all() == before
    rollups_match_a_rebuild()
    # Changes after a fold land in the log again, and count at once.
    total = public_total()
    apply_action(report, "reject", moderator, report.version, reason="Spam")
    assert logged_changes() > 0
    assert public_total() == total - 1
    rollups_match_a_rebuild()
    # Folded again, the changes add to the cells they touch: one report leaves the town's
    # cells and another joins them, so the count stays and the sum of their ids changes.
    make_report("published", occurred_at=report.occurred_at.isoformat())
    assert fold() > 0
    assert public_total() == total
    rollups_match_a_rebuild()


CHANGE_IN_POIPET = text(
    "SELECT map_cells_apply(ARRAY[ROW('published', 102.57, 13.66, 102.56, 13.65, "
    "'2025-06-01T12:00:00Z', 0, 1, 1)::map_change])"
)


def test_writers_of_the_same_cells_do_not_wait_for_each_other(app):
    """Two uncommitted reports in the same town and month: the second must not wait on the
    first's rollup rows (it would hit the lock timeout if it did)."""
    with app.app_context():
        first, second = db.engine.connect(), db.engine.connect()
        try:
            first.execute(CHANGE_IN_POIPET)
            second.execute(text("SET LOCAL lock_timeout = '500ms'"))
            second.execute(CHANGE_IN_POIPET)
            assert second.execute(text("SELECT count(*) FROM map_cell_changes")).scalar_one() == 2
        finally:
            first.rollback()
            second.rollback()
            first.close()
            second.close()


def test_only_one_session_folds_at_a_time(app):
    with app.app_context():
        folding, other = db.engine.connect(), db.engine.connect()
        try:
            folding.execute(text("SELECT map_cells_fold()"))  # holds the fold lock until it ends
            other.execute(text("SET LOCAL lock_timeout = '500ms'"))
            assert other.execute(text("SELECT map_cells_fold()")).scalar_one() == 0
        finally:
            folding.rollback()
            other.rollback()
            folding.close()
            other.close()


def test_the_folding_thread_empties_the_log(app, live_db, make_report):
    from mapper.rollups import start_folding

    make_report("published")
    assert logged_changes() > 0
    every = app.config["MAPPER_ROLLUP_FOLD_SECONDS"]
    app.config["MAPPER_ROLLUP_FOLD_SECONDS"] = 0.05
    stop = start_folding(app)
    try:
        deadline = time.monotonic() + 10
        while logged_changes() and time.monotonic() < deadline:
            db.session.rollback()
            time.sleep(0.05)
        assert logged_changes() == 0
    finally:
        stop.set()
        app.config["MAPPER_ROLLUP_FOLD_SECONDS"] = every
    rollups_match_a_rebuild()


def test_gunicorn_workers_fold_the_log(database_url, live_db, make_report):
    from benchmarks.common import gunicorn

    make_report("published")
    assert logged_changes() > 0
    db.session.rollback()
    with gunicorn(database_url, workers=2, MAPPER_ROLLUP_FOLD_SECONDS="0.1"):
        deadline = time.monotonic() + 15
        while logged_changes() and time.monotonic() < deadline:
            db.session.rollback()
            time.sleep(0.05)
        assert logged_changes() == 0
    rollups_match_a_rebuild()


def test_links_changed_for_many_reports_in_one_statement(db_session, make_report):
    """Bulk changes of links (as imports make) move every report they touch, once."""
    reports = [make_report("published", categories=["forced-labour"]) for _ in range(3)]
    ids = [r.id for r in reports]
    db.session.execute(
        text(
            "INSERT INTO report_categories (report_id, category_id) "
            "SELECT r, c.id FROM unnest(CAST(:ids AS integer[])) AS r, categories AS c "
            "WHERE c.slug IN ('child-labour', 'debt-bondage')"
        ),
        {"ids": ids},
    )
    rollups_match_a_rebuild()
    db.session.execute(
        text(
            "DELETE FROM report_categories WHERE report_id = ANY(CAST(:ids AS integer[])) "
            "AND category_id IN (SELECT id FROM categories WHERE slug IN "
            "('forced-labour', 'child-labour'))"
        ),
        {"ids": ids[:2]},
    )
    rollups_match_a_rebuild()


def test_the_fold_command_empties_the_log(app, live_db, make_report):
    make_report("published")
    waiting = logged_changes()
    assert waiting > 0
    result = app.test_cli_runner().invoke(args=["fold-rollups"])
    assert result.exit_code == 0, result.output
    assert f"folded {waiting} rollup changes" in result.output
    db.session.rollback()
    assert logged_changes() == 0
    rollups_match_a_rebuild()


# Per cell of level 13, the bounds the rollups keep over every reviewer group and year, and
# those of the reports' exact points.
BOUNDS = """
SELECT x, y, min(west), min(south), max(east), max(north)
FROM map_cells_live WHERE grp <> 0 AND tier = 2 AND level = 13 AND category = 0 AND n > 0
GROUP BY 1, 2 ORDER BY 1, 2
"""
POINT_BOUNDS = """
SELECT map_mx(ST_X(location)) >> 11, map_my(ST_Y(location)) >> 11, min(ST_X(location)),
       min(ST_Y(location)), max(ST_X(location)), max(ST_Y(location))
FROM reports GROUP BY 1, 2 ORDER BY 1, 2
"""


def assert_bounds_hold_the_points_within_1e7() -> None:
    kept = db.session.execute(text(BOUNDS)).all()
    points = db.session.execute(text(POINT_BOUNDS)).all()
    assert [row[:2] for row in kept] == [row[:2] for row in points]
    for (*_, west, south, east, north), (*_, p_west, p_south, p_east, p_north) in zip(
        kept, points, strict=True
    ):
        # Rounded outwards: every point inside, and no more than 1e-7 degree to spare.
        assert west <= p_west and south <= p_south and east >= p_east and north >= p_north
        spare = (p_west - west, p_south - south, east - p_east, north - p_north)
        assert max(spare) <= 1.0000001e-7, spare


def test_cell_bounds_hold_their_points_to_a_ten_millionth_of_a_degree(db_session, make_report):
    from mapper.rollups import fold

    # Both signs, and digits past the seventh decimal, which the kept bounds round away.
    for lat, lon in [(13.65432198, 102.56789123), (13.65401234, 102.56712389)]:
        make_report("published", latitude=lat, longitude=lon)
    for lat, lon in [(-4.71098765, -74.07123456), (-4.71012345, -74.07198765)]:
        make_report("pending", latitude=lat, longitude=lon)
    assert fold() > 0
    assert_bounds_hold_the_points_within_1e7()
    db.session.execute(text("SELECT map_cells_rebuild()"))
    assert_bounds_hold_the_points_within_1e7()
