"""The map rollups stay equal to a count from scratch through intake, edits and moderation."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from mapper.extensions import db
from mapper.moderation import apply_action, edit_report

SNAPSHOT = """
SELECT grp, tier, level, category, x, y, period, n, round(sx::numeric, 6), round(sy::numeric, 6)
FROM map_cells WHERE n <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7
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
            "SELECT coalesce(sum(n), 0) FROM map_cells WHERE grp = 0 AND tier = 0 "
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
