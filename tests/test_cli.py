"""The `mapper` command: database URL, sample loading through intake, bulk seeding."""

import json

from sqlalchemy import func, select, text

from mapper.extensions import db
from mapper.intake.places import cached_gazetteer
from mapper.models import Report
from mapper.sample import SAMPLE_REPORTS


def test_db_url_prints_the_database_in_use(app):
    result = app.test_cli_runner().invoke(args=["db", "url"])
    assert result.exit_code == 0
    assert result.output.strip() == app.config["SQLALCHEMY_DATABASE_URI"]


def test_db_start_with_an_external_database_starts_nothing(app, monkeypatch):
    monkeypatch.setenv("MAPPER_DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    result = app.test_cli_runner().invoke(args=["db", "start"])
    assert result.exit_code == 0 and "nothing to start" in result.output


def test_db_status_reports_postgis(app):
    result = app.test_cli_runner().invoke(args=["db", "status"])
    assert result.exit_code == 0 and "PostGIS 3" in result.output


def test_load_sample_goes_through_intake_and_is_idempotent(app, live_db, tmp_path):
    records = [json.loads(line) for line in SAMPLE_REPORTS.read_text().splitlines()[:60]]
    subset = tmp_path / "reports.jsonl"
    subset.write_text("\n".join(json.dumps(r) for r in records))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["load-sample", "--path", str(subset)])
    assert first.exit_code == 0, first.output
    assert "60 reports created" in first.output
    statuses = dict(
        db.session.execute(select(Report.status, func.count()).group_by(Report.status)).all()
    )
    expected: dict[str, int] = {}
    for record in records:
        expected[record["status"]] = expected.get(record["status"], 0) + 1
    assert statuses == expected
    # A record naming a town of the gazetteer but no point is placed at the town.
    gazetteer = cached_gazetteer()
    with_location = sum(
        1 for r in records if r.get("location") or gazetteer.find(r.get("place_name") or "")
    )
    assert with_location > sum(1 for r in records if r.get("location"))
    assert (
        db.session.scalar(select(func.count()).where(Report.public_location.is_not(None)))
        == with_location
    )
    second = runner.invoke(args=["load-sample", "--path", str(subset)])
    assert "0 reports created" in second.output
    assert db.session.scalar(select(func.count()).select_from(Report)) == 60


def test_sample_data_set_is_large_and_varied():
    records = [json.loads(line) for line in SAMPLE_REPORTS.read_text().splitlines()]
    assert len(records) >= 2000
    assert {r["language"] for r in records} == {"en", "es", "km"}
    assert {r["status"] for r in records} == {
        "pending",
        "published",
        "verified",
        "rejected",
        "archived",
    }
    years = {r["occurred_at"][:4] for r in records}
    assert len(years) >= 4


def test_seed_writes_reports_with_masked_public_locations(app, live_db):
    result = app.test_cli_runner().invoke(args=["seed", "--count", "3000"])
    assert result.exit_code == 0, result.output
    row = db.session.execute(
        text("""
        SELECT count(*), count(DISTINCT reference),
               min(ST_Distance(location::geography, public_location::geography, false)),
               max(ST_Distance(location::geography, public_location::geography, false)),
               (SELECT count(*) FROM report_categories)
        FROM reports""")
    ).one()
    count, references, closest, farthest, links = row
    assert count == references == links == 3000
    assert 499 <= closest and farthest <= 2001
    # A later intake report still gets a fresh id and reference.
    from mapper.intake import Submission, submit

    result = submit(Submission(source="api", title="after seeding"))
    db.session.commit()
    assert result.id > 3000


def test_seed_in_bulk_keeps_every_index_and_constraint(app, live_db):
    """Including the rollups' key, which their rebuild drops and builds again in its order."""

    def schema():
        return (
            db.session.execute(
                text("""
            SELECT indexrelid::regclass::text FROM pg_index
            WHERE indrelid IN ('reports'::regclass, 'report_categories'::regclass,
                               'map_cells'::regclass)
            UNION ALL SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conrelid IN ('reports'::regclass, 'report_categories'::regclass,
                               'map_cells'::regclass)
            ORDER BY 1""")
            )
            .scalars()
            .all()
        )

    before = schema()
    result = app.test_cli_runner().invoke(args=["seed", "--count", "100000"])
    assert result.exit_code == 0, result.output
    assert schema() == before


GEONAMES_LINES = [
    # id, name, ascii, alternates, lat, lon, class, code, country, cc2, admin1, ..., population
    "1\tPoipet\tPoipet\tPP,Paoy Paet,ប៉ោយប៉ែត\t13.6593\t102.5635\tP\tPPL\tKH\t\t06\t\t\t\t89549",
    "2\tPoipet\tPoipet\t\t11.0\t105.0\tP\tPPL\tKH\t\t14\t\t\t\t120",  # a village of the name
    "3\tPoipet Market\tPoipet Market\t\t13.66\t102.56\tS\tMKT\tKH\t\t06\t\t\t\t0",  # a spot
    "4\tKampong Thom\tKampong Thom\tKompong Thom\t12.7111\t104.8887\tP\tPPLA\tKH\t\t14\t\t\t\t0",
]


def test_load_places_reads_a_geonames_dump(app, client, tmp_path):
    dump, areas = tmp_path / "KH.txt", tmp_path / "admin1CodesASCII.txt"
    dump.write_text("\n".join(GEONAMES_LINES) + "\n", encoding="utf-8")
    areas.write_text("KH.06\tBanteay Meanchey\tBanteay Meanchey\t1\n", encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["load-places", str(dump), "--geonames", "--admin-names", areas])
    assert result.exit_code == 0, result.output
    assert "2 places added or updated" in result.output

    found = client.get("/api/v1/places?q=ប៉ោយ").get_json()["places"]
    # Of the two places named Poipet the town is kept; short alternate names ("PP") are not.
    assert found == [
        {
            "name": "Poipet",
            "admin_area": "Banteay Meanchey",
            "country": "KH",
            "lat": 13.6593,
            "lon": 102.5635,
        }
    ]
    assert client.get("/api/v1/places?q=pp").get_json()["places"] == []
    assert [p["name"] for p in client.get("/api/v1/places?q=kompong").get_json()["places"]] == [
        "Kampong Thom"
    ]
    fewer = runner.invoke(args=["load-places", str(dump), "--geonames", "--min-population", "1"])
    assert "gazetteer: 1 place added or updated" in fewer.output
    dump.write_text("1\tSomewhere\tSomewhere\t\tnorth\teast\tP\tPPL\tKH\t\t06\t\t\t\t0\n")
    broken = runner.invoke(args=["load-places", str(dump), "--geonames"])
    assert broken.exit_code == 2 and "line 1: not a GeoNames place" in broken.output


def test_load_places_reads_a_csv_and_names_what_is_wrong(app, client, tmp_path):
    good = tmp_path / "places.csv"
    good.write_text("name,lat,lon,country,variants\nLoei,17.49,101.72,th,เลย;Muang Loei\n")
    result = app.test_cli_runner().invoke(args=["load-places", str(good)])
    assert result.exit_code == 0, result.output
    found = client.get("/api/v1/places?q=muang").get_json()["places"]
    assert [(p["name"], p["country"], p["admin_area"]) for p in found] == [("Loei", "TH", None)]

    for body, problem in (
        ("name,lat,lon,country\nNan,18.78,,TH\n", "line 2: no lon"),
        ("name,lat,lon,country\nNan,18.78,100.77,TH\nX,95,100,TH\n", "line 3: lat and lon"),
    ):
        bad = tmp_path / "bad.csv"
        bad.write_text(body)
        result = app.test_cli_runner().invoke(args=["load-places", str(bad)])
        assert result.exit_code == 2 and problem in result.output
        assert client.get("/api/v1/places?q=nan").get_json()["places"] == []
