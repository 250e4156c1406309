"""Each report's `category_ids` stay equal to its category links, however the links change:
map queries filter and break down by them alone."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from mapper.extensions import db
from mapper.intake import Submission, submit
from mapper.moderation import edit_report

# Reports whose ids differ from their links, with both sides, for the failure message.
MISMATCHED = """
SELECT r.id, r.category_ids, coalesce(l.ids, '{}')
FROM reports AS r
LEFT JOIN (
    SELECT report_id, array_agg(category_id ORDER BY category_id) AS ids
    FROM report_categories GROUP BY report_id
) AS l ON l.report_id = r.id
WHERE r.category_ids IS DISTINCT FROM coalesce(l.ids, '{}')
"""


def ids_match_the_links() -> None:
    assert db.session.execute(text(MISMATCHED)).all() == []
    linked = db.session.execute(text("SELECT count(*) FROM report_categories")).scalar_one()
    assert linked, "no report has a category: nothing was compared"


def ids_of(*slugs: str) -> list[int]:
    sql = text("SELECT id FROM categories WHERE slug = ANY(:slugs) ORDER BY id")
    return list(db.session.scalars(sql, {"slugs": list(slugs)}))


def reports_updated() -> int:
    """Row versions this transaction has written over existing reports."""
    sql = "SELECT n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = 'reports'"
    return db.session.execute(text(sql)).scalar_one()


def test_intake_writes_the_ids_in_order_with_the_report(db_session):
    before = reports_updated()
    result = submit(
        Submission(
            source="api",
            title="Boat crew kept at sea",
            description="No pay for months.",
            latitude=13.6,
            longitude=102.5,
            categories=["sexual-exploitation", "forced-labour-fishing", "debt-bondage"],
        )
    )
    stored = db.session.execute(
        text("SELECT category_ids FROM reports WHERE id = :id"), {"id": result.id}
    ).scalar_one()
    assert stored == ids_of("sexual-exploitation", "forced-labour-fishing", "debt-bondage")
    # Written once: the links' trigger found the ids already there.
    assert reports_updated() == before
    ids_match_the_links()


def test_an_edit_of_the_categories_changes_the_ids(db_session, make_report, make_user):
    report = make_report("published", categories=["forced-labour-fishing"])
    edit_report(
        report,
        make_user("moderator"),
        report.version,
        {
            "title": report.title,
            "description": report.description,
            "occurred_at": datetime(2024, 3, 4, tzinfo=UTC).isoformat(),
            "categories": ["child-labour", "sexual-exploitation-venue"],
            "latitude": "13.6",
            "longitude": "102.5",
        },
    )
    db.session.flush()
    db.session.refresh(report)
    assert report.category_ids == ids_of("child-labour", "sexual-exploitation-venue")
    ids_match_the_links()


@pytest.mark.parametrize(
    "change",
    [
        "INSERT INTO report_categories (report_id, category_id) "
        "SELECT r, c.id FROM unnest(CAST(:ids AS integer[])) AS r, categories AS c "
        "WHERE c.slug IN ('child-labour', 'debt-bondage')",
        "DELETE FROM report_categories WHERE report_id = ANY(CAST(:ids AS integer[]))",
        "UPDATE report_categories SET category_id = "
        "(SELECT id FROM categories WHERE slug = 'recruitment-fraud') "
        "WHERE report_id = ANY(CAST(:ids AS integer[]))",
        "UPDATE report_categories SET report_id = report_id + 1, category_id = "
        "(SELECT id FROM categories WHERE slug = 'recruitment-fraud') "
        "WHERE report_id = ANY(CAST(:ids AS integer[]))",
    ],
    ids=["insert", "delete", "update category", "move to another report"],
)
def test_links_changed_in_bulk_change_every_report_they_touch(db_session, make_report, change):
    reports = [make_report("published", categories=["forced-labour"]) for _ in range(4)]
    # Every other report: moving a link to the next id lands on a report left alone.
    ids = [r.id for r in reports[::2]]
    assert [r.id for r in reports] == list(range(reports[0].id, reports[0].id + 4))
    db.session.execute(text(change), {"ids": ids})
    ids_match_the_links()


def test_seeded_reports_carry_their_ids(db_session, app):
    from mapper.seed import seed_reports

    seed_reports(300, random_seed=4)
    ids_match_the_links()
