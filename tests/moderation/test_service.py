"""Review actions: allowed transitions, one audit event each, conflicts, an append-only trail."""

import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from mapper.errors import Conflict, ValidationFailed
from mapper.extensions import db
from mapper.geo import distance_m
from mapper.models import AuditEvent, Report
from mapper.moderation import apply_action, edit_report


def events(report):
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.report_id == report.id).order_by(AuditEvent.id)
    ).all()


def test_intake_writes_the_create_event(db_session, make_report):
    report = make_report("pending")
    first = events(report)[0]
    assert (first.action, first.actor_id, first.changes) == (
        "create",
        None,
        {"status": [None, "pending"]},
    )


@pytest.mark.parametrize(
    "action, start, end",
    [
        ("publish", "pending", "published"),
        ("verify", "pending", "verified"),
        ("verify", "published", "verified"),
        ("archive", "published", "archived"),
        ("restore", "rejected", "pending"),
        ("restore", "archived", "pending"),
    ],
)
def test_each_action_moves_the_status_and_leaves_exactly_one_event(
    db_session, make_report, make_user, action, start, end
):
    moderator = make_user("moderator")
    report = make_report(start)
    before = len(events(report))
    apply_action(report, action, moderator, report.version)
    db.session.commit()
    assert report.status == end
    new = events(report)[before:]
    assert len(new) == 1
    assert (new[0].action, new[0].actor_id, new[0].changes) == (
        action,
        moderator.id,
        {"status": [start, end]},
    )


def test_reject_needs_a_reason_and_records_it(db_session, make_report, make_user):
    moderator = make_user("moderator")
    report = make_report("pending")
    with pytest.raises(ValidationFailed):
        apply_action(report, "reject", moderator, report.version, reason="  ")
    apply_action(report, "reject", moderator, report.version, reason="Spam")
    assert (report.status, report.status_reason, events(report)[-1].reason) == (
        "rejected",
        "Spam",
        "Spam",
    )


def test_impossible_transitions_are_refused(db_session, make_report):
    report = make_report("published")
    with pytest.raises(Conflict):
        apply_action(report, "publish", None, report.version)
    with pytest.raises(Conflict):
        apply_action(report, "restore", None, report.version)


def test_a_stale_version_is_a_conflict_not_an_overwrite(db_session, make_report, make_user):
    report = make_report("pending")
    seen = report.version
    edit_report(report, make_user(), seen, {"title": "First edit", "categories": ["other"]})
    with pytest.raises(Conflict):
        edit_report(report, make_user(), seen, {"title": "Second edit", "categories": ["other"]})
    assert report.title == "First edit"


def test_edit_records_before_and_after_and_moves_the_public_point(
    db_session, make_report, make_user
):
    report = make_report("pending", latitude=13.0, longitude=102.0, categories=["other"])
    edit_report(
        report,
        make_user(),
        report.version,
        {
            "title": "Corrected",
            "description": report.description,
            "latitude": "13.5",
            "longitude": "102.5",
            "categories": ["forced-labour", "other"],
            "occurred_at": report.occurred_at.isoformat(),
        },
    )
    db.session.commit()
    change = events(report)[-1].changes
    assert change["title"] == ["Workers locked in at night", "Corrected"]
    assert change["location"] == [[13.0, 102.0], [13.5, 102.5]]
    assert change["categories"] == [["other"], ["forced-labour", "other"]]
    public = db.session.execute(
        select(func.ST_Y(Report.public_location), func.ST_X(Report.public_location)).where(
            Report.id == report.id
        )
    ).one()
    assert 500 <= distance_m(13.5, 102.5, *public) <= 2000


def test_an_edit_that_changes_nothing_writes_nothing(db_session, make_report, make_user):
    report = make_report("pending", categories=["other"])
    count = len(events(report))
    assert not edit_report(
        report,
        make_user(),
        report.version,
        {
            "title": report.title,
            "description": report.description,
            "categories": ["other"],
            "latitude": "13.6593",
            "longitude": "102.5635",
            "occurred_at": report.occurred_at.isoformat(),
        },
    )
    assert len(events(report)) == count


def test_merge_points_to_the_survivor_and_hides_the_merged_report(
    db_session, client, make_report, make_user
):
    survivor = make_report("published", title="Survivor")
    duplicate = make_report("published", title="Duplicate")
    apply_action(duplicate, "merge", make_user(), duplicate.version, into=survivor)
    db.session.commit()
    assert duplicate.merged_into_id == survivor.id and duplicate.status == "archived"
    titles = {
        f["properties"]["title"] for f in client.get("/api/v1/reports").get_json()["features"]
    }
    assert titles == {"Survivor"}
    apply_action(duplicate, "restore", make_user(), duplicate.version)
    assert duplicate.merged_into_id is None and duplicate.status == "pending"


def test_merge_into_itself_is_refused(db_session, make_report):
    report = make_report("pending")
    with pytest.raises(ValidationFailed):
        apply_action(report, "merge", None, report.version, into=report)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET reason = 'changed'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events CASCADE",
    ],
)
def test_the_database_refuses_to_change_the_audit_trail(db_session, make_report, statement):
    make_report("pending")
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1
    with pytest.raises(DBAPIError, match="audit events cannot be changed"):
        with db.session.begin_nested():
            db.session.execute(text(statement))
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1


def test_two_moderators_saving_at_once_get_one_success_and_one_conflict(
    app, live_db, make_report, make_user
):
    report = make_report("pending")
    version, report_id = report.version, report.id
    users = [make_user(), make_user()]
    barrier = threading.Barrier(2)
    outcomes = []

    def save(user, title):
        with app.app_context():
            mine = db.session.get(Report, report_id)
            barrier.wait()
            try:
                edit_report(
                    mine,
                    user,
                    version,
                    {
                        "title": title,
                        "categories": ["forced-labour"],
                        "occurred_at": mine.occurred_at.isoformat(),
                    },
                )
                db.session.commit()
                outcomes.append("saved")
            except Conflict:
                db.session.rollback()
                outcomes.append("conflict")

    threads = [threading.Thread(target=save, args=(u, f"Title {n}")) for n, u in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "saved"]
    db.session.expire_all()
    assert db.session.get(Report, report_id).version == version + 1
    assert len([e for e in events(db.session.get(Report, report_id)) if e.action == "edit"]) == 1


def test_moderators_correct_or_clear_the_place_name_the_public_would_see(
    db_session, make_report, make_user
):
    report = make_report("pending", categories=["other"])
    report.place_name = "Poipet, house 12 behind the casino"
    form = {
        "title": report.title,
        "description": report.description,
        "categories": ["other"],
        "occurred_at": report.occurred_at.isoformat(),
    }
    # A form without the field (placing a message from the inbox) leaves the name alone.
    assert not edit_report(report, make_user(), report.version, form)
    assert edit_report(report, make_user(), report.version, {**form, "place_name": "Poipet"})
    db.session.commit()
    assert report.place_name == "Poipet"
    assert events(report)[-1].changes["place_name"] == [
        "Poipet, house 12 behind the casino",
        "Poipet",
    ]
    assert edit_report(report, make_user(), report.version, {**form, "place_name": " "})
    assert report.place_name is None


def test_a_place_name_too_long_is_refused_and_changes_nothing(db_session, make_report, make_user):
    report = make_report("pending", categories=["other"])
    form = {"title": "Changed", "categories": ["other"], "place_name": "x" * 201}
    with pytest.raises(ValidationFailed) as failure:
        edit_report(report, make_user(), report.version, form)
    assert [field for field, _message in failure.value.pairs] == ["place_name"]
    assert report.title != "Changed"
