"""Review pages: what each role sees, the queue's order and filters, actions and conflicts."""

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from mapper.extensions import db
from mapper.models import AuditEvent
from tests.conftest import csrf_token_from

CONTACT = {"name": "Canary Name", "phone": "+85512345678", "email": "canary@example.org"}


def test_analysts_see_exact_locations_but_never_contact_data(client, make_user, make_report, login):
    report = make_report("pending", latitude=13.123456, longitude=102.654321, contact=CONTACT)
    login(make_user("analyst"))
    html = client.get(f"/admin/reports/{report.reference}").get_data(as_text=True)
    assert "13.123456" in html and 'id="public-location"' in html
    for canary in CONTACT.values():
        assert canary not in html
    assert 'id="action-publish"' not in html and 'id="edit-form"' not in html


def test_moderators_see_contact_data_and_actions(client, make_user, make_report, login):
    report = make_report("pending", contact=CONTACT)
    login(make_user("moderator"))
    html = client.get(f"/admin/reports/{report.reference}").get_data(as_text=True)
    assert all(value in html for value in CONTACT.values())
    assert 'id="action-publish"' in html and 'id="edit-form"' in html
    assert re.search(r'id="history".*<strong>Received</strong>', html, re.S)


def test_the_queue_names_statuses_sources_and_waits_in_the_visitors_language(
    client, make_user, make_report, login
):
    report = make_report("pending", source="sms")
    report.received_at = datetime.now(UTC) - timedelta(days=3, hours=2)
    db.session.commit()
    login(make_user("moderator"))
    html = client.get("/admin/reports?lang=es").get_data(as_text=True)
    row = re.search(rf"<tr>\s*<td><input[^>]*value=\"{report.reference}\".*?</tr>", html, re.S)[0]
    cells = [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]
    assert cells[3:] == ["Pendiente", "SMS", "3 días"]
    assert '<option value="publish">Publicar</option>' in html
    assert 'value="pending"> Pendiente</label>' in html
    assert '<option value="volunteer">Voluntarios</option>' in html

    page = client.get(f"/admin/reports/{report.reference}?lang=es").get_data(as_text=True)
    assert re.search(r'<dd id="status">Pendiente', page)
    assert re.search(r'id="action-publish">Publicar</button>', page)
    assert re.search(r"<strong>Recibido</strong>", page)


def test_the_report_page_names_categories_and_changes_in_the_readers_language(
    client, make_user, make_report, login
):
    report = make_report("pending", categories=["forced-labour"])
    login(make_user("moderator"))
    token = csrf_token_from(client.get(f"/admin/reports/{report.reference}").get_data(as_text=True))
    client.post(
        f"/admin/reports/{report.reference}/edit",
        data={"csrf_token": token, "version": report.version, "title": report.title,
              "description": report.description, "categories": "child-labour"},
    )  # fmt: skip
    client.post(
        f"/admin/reports/{report.reference}/publish",
        data={"csrf_token": token, "version": report.version + 1},
    )
    html = client.get(f"/admin/reports/{report.reference}?lang=es").get_data(as_text=True)
    assert "<dd>Trabajo infantil</dd>" in html
    changes = [re.sub(r"\s+", " ", c) for c in re.findall(r'class="change">(.*?)</span>', html)]
    assert changes == [
        "Estado: — → Pendiente",
        "Categorías: Trabajo forzoso → Trabajo infantil",
        "Estado: Pendiente → Publicado",
    ]


def test_queue_lists_pending_first_and_filters(client, make_user, make_report, login):
    make_report("published", title="Already public")
    make_report("pending", title="Waiting for review", source="sms")
    login(make_user("moderator"))
    html = client.get("/admin/reports").get_data(as_text=True)
    assert html.index("Waiting for review") < html.index("Already public")
    assert "Already public" not in client.get("/admin/reports?status=pending").get_data(
        as_text=True
    )
    assert "Waiting for review" not in client.get("/admin/reports?source=web").get_data(
        as_text=True
    )
    assert "Waiting for review" in client.get("/admin/reports?q=waiting").get_data(as_text=True)


def test_publishing_from_the_page_shows_it_publicly_with_its_public_point(
    client, make_user, make_report, login
):
    report = make_report("pending", latitude=11.5, longitude=104.9)
    moderator = make_user("moderator")
    login(moderator)
    token = csrf_token_from(client.get(f"/admin/reports/{report.reference}").get_data(as_text=True))
    response = client.post(
        f"/admin/reports/{report.reference}/publish",
        data={"csrf_token": token, "version": report.version},
    )
    assert response.status_code == 302
    feature = client.get(f"/api/v1/reports/{report.reference}").get_json()
    assert feature["properties"]["status"] == "published"
    assert feature["geometry"]["coordinates"] != [104.9, 11.5]
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.report_id == report.id).order_by(AuditEvent.id.desc())
    ).first()
    assert (event.action, event.actor_id) == ("publish", moderator.id)


def test_a_stale_form_gets_a_conflict_message(client, make_user, make_report, login):
    report = make_report("pending")
    login(make_user("moderator"))
    token = csrf_token_from(client.get(f"/admin/reports/{report.reference}").get_data(as_text=True))
    stale = report.version
    client.post(
        f"/admin/reports/{report.reference}/edit",
        data={"csrf_token": token, "version": stale, "title": "First", "categories": "other"},
    )
    response = client.post(
        f"/admin/reports/{report.reference}/edit",
        data={"csrf_token": token, "version": stale, "title": "Second", "categories": "other"},
    )
    assert response.status_code == 409
    assert "Someone else changed this report" in response.get_data(as_text=True)


def test_bulk_publish_skips_reports_changed_meanwhile(client, make_user, make_report, login):
    first, second = make_report("pending"), make_report("pending")
    login(make_user("moderator"))
    token = csrf_token_from(client.get("/admin/reports").get_data(as_text=True))
    response = client.post(
        "/admin/reports/bulk",
        data={
            "csrf_token": token,
            "action": "publish",
            "reports": [first.reference, second.reference],
            f"version-{first.reference}": first.version,
            f"version-{second.reference}": second.version + 5,
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (first.status, second.status) == ("published", "pending")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r"1 reports updated, 1 skipped", html)


def test_duplicates_are_suggested(client, make_user, make_report, login):
    report = make_report(
        "pending",
        title="Girls held at karaoke bar",
        latitude=13.66,
        longitude=102.56,
        categories=["sexual-exploitation-venue"],
    )
    twin = make_report(
        "pending",
        title="Girls held at a karaoke bar",
        latitude=13.661,
        longitude=102.561,
        categories=["sexual-exploitation-venue"],
    )
    make_report(
        "pending",
        title="Far away",
        latitude=19.4,
        longitude=-99.1,
        categories=["sexual-exploitation-venue"],
    )
    login(make_user("moderator"))
    html = client.get(f"/admin/reports/{report.reference}").get_data(as_text=True)
    duplicates = html[html.index('id="duplicates"') :]
    assert twin.reference in duplicates and "Far away" not in duplicates


def test_queue_filter_keeps_reports_with_likely_duplicates(client, make_user, make_report, login):
    make_report(
        "pending",
        title="Girls held at karaoke bar",
        latitude=13.66,
        longitude=102.56,
        categories=["sexual-exploitation-venue"],
    )
    make_report(
        "pending",
        title="Girls held at a karaoke bar",
        latitude=13.661,
        longitude=102.561,
        categories=["sexual-exploitation-venue"],
    )
    make_report("pending", title="Unrelated", latitude=19.4, longitude=-99.1)
    login(make_user("moderator"))
    html = client.get("/admin/reports?duplicates=1").get_data(as_text=True)
    assert "Girls held at karaoke bar" in html and "Girls held at a karaoke bar" in html
    assert "Unrelated" not in html


def test_duplicate_distance_is_configurable(app, client, make_user, make_report, login):
    report = make_report(
        "pending", title="A", latitude=13.66, longitude=102.56, categories=["other"]
    )
    twin = make_report(
        "pending", title="B", latitude=13.67, longitude=102.56, categories=["other"]
    )  # about 1.1 km north
    login(make_user("moderator"))
    page = f"/admin/reports/{report.reference}"
    assert twin.reference not in client.get(page).get_data(as_text=True).split('id="duplicates"')[1]
    app.config["MAPPER_DUPLICATE_DISTANCE_M"] = 2000
    try:
        assert twin.reference in client.get(page).get_data(as_text=True).split('id="duplicates"')[1]
    finally:
        app.config["MAPPER_DUPLICATE_DISTANCE_M"] = 1000.0


def test_admin_opens_on_the_review_queue(client, make_user, login):
    assert client.get("/admin").status_code == 308  # to /admin/
    answer = client.get("/admin/")
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/reports"
    # Signed out, the queue itself asks for a sign-in.
    assert client.get("/admin/reports").headers["Location"].startswith("/auth/login")
    login(make_user("moderator"))
    assert client.get("/admin/", follow_redirects=True).request.path == "/admin/reports"


def _edit(client, report, token, **fields):
    data = {"csrf_token": token, "version": report.version, "title": report.title,
            "description": report.description, "categories": "forced-labour", **fields}  # fmt: skip
    return client.post(f"/admin/reports/{report.reference}/edit", data=data)


def _input(html: str, name: str) -> dict:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)[0]
    return dict(re.findall(r'(\w+)="([^"]*)"', tag))


def test_the_event_time_is_edited_as_a_date_and_time_in_the_moderators_zone(
    client, make_user, make_report, login
):
    report = make_report("pending", occurred_at="2024-03-05T08:20:37+00:00")
    login(make_user("moderator"))
    html = client.get(f"/admin/reports/{report.reference}").get_data(as_text=True)
    shown = _input(html, "occurred_at")
    # In UTC to the minute; the page's script shows it in the moderator's time and sends the
    # offset of the time entered.
    assert (shown["type"], shown["value"]) == ("datetime-local", "2024-03-05T08:20")
    assert _input(html, "tz_offset")["value"] == "0"
    token = csrf_token_from(html)

    # Sent back as shown, with a new title: the seconds the input does not show are kept.
    _edit(client, report, token, title="Gate locked at night", occurred_at="2024-03-05T15:20",
          tz_offset="-420")  # fmt: skip
    db.session.refresh(report)
    assert report.occurred_at == datetime(2024, 3, 5, 8, 20, 37, tzinfo=UTC)
    last = db.session.scalars(
        select(AuditEvent).where(AuditEvent.report_id == report.id).order_by(AuditEvent.id.desc())
    ).first()
    assert set(last.changes) == {"title"}

    # 17:45 in Phnom Penh (UTC+7, 420 minutes ahead) is 10:45 UTC.
    _edit(client, report, token, occurred_at="2024-03-06T17:45", tz_offset="-420")
    db.session.refresh(report)
    assert report.occurred_at == datetime(2024, 3, 6, 10, 45, tzinfo=UTC)
    page = client.get(f"/admin/reports/{report.reference}").get_data(as_text=True)
    assert "2024-03-06 10:45 UTC" in page
    assert _input(page, "occurred_at")["value"] == "2024-03-06T10:45"

    # Without the script, the input is read as UTC, as its label says; a time with its own
    # zone keeps it.
    _edit(client, report, token, occurred_at="2024-03-07T09:00")
    db.session.refresh(report)
    assert report.occurred_at == datetime(2024, 3, 7, 9, 0, tzinfo=UTC)
    _edit(client, report, token, occurred_at="2024-03-07T09:00-05:00", tz_offset="-420")
    db.session.refresh(report)
    assert report.occurred_at == datetime(2024, 3, 7, 14, 0, tzinfo=UTC)

    response = _edit(client, report, token, occurred_at="next tuesday")
    assert response.status_code == 422
    assert 'id="error-occurred_at"' in response.get_data(as_text=True)
    db.session.refresh(report)
    assert report.occurred_at == datetime(2024, 3, 7, 14, 0, tzinfo=UTC)


def test_a_report_whose_form_hides_the_time_of_day_is_edited_by_day(
    client, make_user, make_report, login
):
    report = make_report("pending", occurred_at="2024-03-05T23:30:00+07:00", hide_time_of_day=True)
    login(make_user("moderator"))
    html = client.get(f"/admin/reports/{report.reference}").get_data(as_text=True)
    shown = _input(html, "occurred_at")
    assert (shown["type"], shown["value"]) == ("date", "2024-03-05")
    assert 'name="tz_offset"' not in html
    # The day alone, also above: the time stored with it is not the event's.
    assert '<time id="occurred" datetime="2024-03-05">2024-03-05</time>' in html
    _edit(client, report, csrf_token_from(html), occurred_at="2024-03-09", tz_offset="-420")
    db.session.refresh(report)
    assert report.occurred_at == datetime(2024, 3, 9, 12, 0, tzinfo=UTC)


def test_a_page_far_past_the_last_is_an_empty_list(client, make_user, login, make_report):
    make_report("pending", title="Boat crew held")
    login(make_user("moderator"))
    assert "Boat crew held" in client.get("/admin/reports").get_data(as_text=True)
    far = client.get("/admin/reports?page=99999999999999999999")
    assert far.status_code == 200
    assert "Boat crew held" not in far.get_data(as_text=True)
    assert client.get("/admin/inbox?page=99999999999999999999").status_code == 200
