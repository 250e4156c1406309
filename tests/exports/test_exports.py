"""Exports: streamed CSV, HXL, GeoJSON and KML read back with GDAL; public ones through the gate."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from datetime import datetime

import pytest
from sqlalchemy import func, select, update

from mapper.extensions import db
from mapper.models import Report

PHONE = "+85599887766"
EXACT_LAT, EXACT_LON = 13.6593123, 102.5635123
HOSTILE = '=HYPERLINK("http://evil.example","x") <script>alert(1)</script>'


@pytest.fixture
def reports(make_report):
    contact = {"name": "Canary Name", "phone": PHONE, "email": "canary@example.org"}
    return {
        "published": make_report(
            "published",
            title="Published one",
            latitude=EXACT_LAT,
            longitude=EXACT_LON,
            contact=contact,
            occurred_at="2024-05-01T10:00:00Z",
        ),
        "verified": make_report(
            "verified",
            title=HOSTILE,
            description="+1 line\n-2 line",
            latitude=19.4326,
            longitude=-99.1332,
            categories=["forced-labour-fishing"],
            occurred_at="2023-01-01T10:00:00Z",
            source="sms",
        ),
        "pending": make_report("pending", title="Pending one", contact=contact),
        "rejected": make_report("rejected", title="Rejected one"),
    }


def points(report) -> dict[str, tuple[float, float]]:
    row = db.session.execute(
        select(
            func.ST_X(Report.public_location),
            func.ST_Y(Report.public_location),
            func.ST_X(Report.location),
            func.ST_Y(Report.location),
        ).where(Report.id == report.id)
    ).one()
    return {"public": (row[0], row[1]), "exact": (row[2], row[3])}


def gdal_features(path, *options: str) -> list[dict]:
    """The features GDAL reads from `path`, converted to GeoJSON by ogr2ogr."""
    done = subprocess.run(
        ["ogr2ogr", "-f", "GeoJSON", "/vsistdout/", str(path), *options],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)["features"]


def download(client, tmp_path, name: str, query: str = "") -> tuple:
    response = client.get(f"/exports/{name}{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    path = tmp_path / name
    path.write_bytes(response.get_data())
    return response, path


CSV_POINTS = ("-oo", "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat")


def test_public_csv_has_only_public_reports_at_their_public_points(client, reports, tmp_path):
    response, path = download(client, tmp_path, "reports.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    features = gdal_features(path, *CSV_POINTS)
    by_reference = {f["properties"]["reference"]: f for f in features}
    assert set(by_reference) == {reports["published"].reference, reports["verified"].reference}
    published = by_reference[reports["published"].reference]
    assert published["properties"]["title"] == "Published one"
    assert published["properties"]["status"] == "published"
    lon, lat = published["geometry"]["coordinates"]
    public = points(reports["published"])["public"]
    assert (lon, lat) == pytest.approx(public, abs=1e-6)
    assert abs(lat - EXACT_LAT) + abs(lon - EXACT_LON) > 0.004
    # The public learn the day a report came in, not the hour.
    assert len(published["properties"]["received"]) == len("2024-05-01")
    text = path.read_text()
    for canary in (PHONE, "Canary Name", "canary@example.org", "Pending one", "Rejected one"):
        assert canary not in text
    assert f"{EXACT_LAT:.6f}" not in text


def test_csv_cells_cannot_run_as_spreadsheet_formulas(client, reports, tmp_path):
    _response, path = download(client, tmp_path, "reports.csv")
    rows = {r["reference"]: r for r in csv.DictReader(io.StringIO(path.read_text()))}
    hostile = rows[reports["verified"].reference]
    assert hostile["title"] == "'" + HOSTILE
    assert hostile["description"] == "'+1 line\n-2 line"
    # Coordinates stay numbers: a western longitude is negative, not text.
    assert float(hostile["lon"]) < 0


def test_hxl_export_has_the_hashtag_row_gdal_reads_below_the_header(client, reports, tmp_path):
    _response, path = download(client, tmp_path, "reports.hxl.csv")
    features = gdal_features(path)
    tags = features[0]["properties"]
    assert tags["reference"] == "#event+id"
    assert tags["occurred_at"] == "#date+occurred"
    assert tags["received"] == "#date+reported"
    assert (tags["lat"], tags["lon"]) == ("#geo+lat", "#geo+lon")
    assert tags["place_name"] == "#loc+name"
    assert tags["categories"] == "#event+type"
    assert tags["status"] == "#status"
    assert tags["source"] == "#meta+source"
    references = [f["properties"]["reference"] for f in features[1:]]
    assert sorted(references) == sorted(
        [reports["published"].reference, reports["verified"].reference]
    )


def test_geojson_export_reads_back_with_gdal(client, reports, tmp_path):
    response, path = download(
        client, tmp_path, "reports.geojson", "?category=forced-labour-fishing"
    )
    assert response.mimetype == "application/geo+json"
    features = gdal_features(path)
    assert len(features) == 1
    feature = features[0]
    assert feature["properties"]["reference"] == reports["verified"].reference
    assert feature["properties"]["title"] == HOSTILE
    assert feature["geometry"]["coordinates"] == pytest.approx(
        points(reports["verified"])["public"], abs=1e-6
    )


def test_kml_export_reads_back_with_gdal_and_keeps_hostile_text_as_text(client, reports, tmp_path):
    _response, path = download(client, tmp_path, "reports.kml")
    assert "<script>" not in path.read_text()
    features = gdal_features(path)
    names = sorted(f["properties"]["Name"] for f in features)
    assert names == sorted(["Published one", HOSTILE])
    hostile = next(f for f in features if f["properties"]["Name"] == HOSTILE)
    assert hostile["properties"]["reference"] == reports["verified"].reference
    assert hostile["geometry"]["coordinates"][:2] == pytest.approx(
        points(reports["verified"])["public"], abs=1e-6
    )


def test_filters_apply_to_exports(client, reports, tmp_path):
    _response, path = download(client, tmp_path, "reports.geojson", "?from=2024-01-01&source=web")
    assert gdal_features(path) == []
    _response, path = download(client, tmp_path, "reports.geojson", "?from=2024-01-01")
    titles = [f["properties"]["title"] for f in gdal_features(path)]
    assert titles == ["Published one"]


@pytest.mark.parametrize(
    "query, field, status",
    [
        ("reports.xlsx", "format", 404),
        ("reports.csv?bbox=1,2,3", "bbox", 422),
        ("reports.csv?from=yesterday", "from", 422),
        ("reports.csv?category=no-such-thing", "category", 422),
        ("reports.csv?status=pending", "status", 422),
        ("reports.csv?audience=reviewer", "audience", 401),
    ],
)
def test_bad_export_requests_get_a_clear_error(client, reports, query, field, status):
    response = client.get(f"/exports/{query}", headers={"Accept": "application/json"})
    assert response.status_code == status
    assert field in [e["field"] for e in response.get_json()["errors"]]


def test_full_export_needs_the_export_permission(client, reports, make_user, login):
    login(make_user("volunteer"))
    response = client.get("/exports/reports.csv?audience=reviewer")
    assert response.status_code == 403


def test_analysts_export_every_status_with_exact_points(
    client, reports, make_user, login, tmp_path
):
    login(make_user("analyst"))
    response, path = download(
        client, tmp_path, "reports.geojson", "?audience=reviewer&status=published,pending"
    )
    assert response.headers["Cache-Control"] == "private, no-store"
    features = {f["properties"]["reference"]: f for f in gdal_features(path)}
    assert set(features) == {reports["published"].reference, reports["pending"].reference}
    exact = features[reports["published"].reference]["geometry"]["coordinates"]
    assert exact == pytest.approx([EXACT_LON, EXACT_LAT], abs=1e-6)
    assert PHONE not in path.read_text()


def test_command_line_export_matches_the_web_export(app, client, reports, tmp_path):
    out = tmp_path / "cli.geojson"
    result = app.test_cli_runner().invoke(
        args=[
            "export",
            "--format",
            "geojson",
            "--out",
            str(out),
            "--category",
            "forced-labour-fishing",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "exported 1 reports" in result.output
    _response, web = download(
        client, tmp_path, "reports.geojson", "?category=forced-labour-fishing"
    )
    assert gdal_features(out) == gdal_features(web)
    assert not (tmp_path / "cli.geojson.part").exists()


def test_command_line_full_export_and_bad_options(app, client, reports, tmp_path):
    out = tmp_path / "full.csv"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["export", "--format", "hxl", "--out", str(out), "--full"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))[1:]
    assert {r["status"] for r in rows} == {"published", "verified", "pending"}
    bad = runner.invoke(args=["export", "--format", "csv", "--out", str(out), "--bbox", "1,2"])
    assert bad.exit_code == 2
    assert "bbox" in bad.output


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?bbox=100,10,105,15",
        "?bbox=170,-90,-90,90",
        "?from=2024-01-01",
        "?to=2024-01-01",
        "?category=forced-labour-fishing",
        "?source=sms,web",
        "?q=published",
        "?q=%25",
    ],
)
def test_csv_written_by_the_database_matches_the_geojson_export(client, reports, tmp_path, query):
    """Both read the same records: the CSV's cells, spelt in SQL, agree with the GeoJSON."""
    _response, csv_path = download(client, tmp_path, "reports.csv", query)
    _response, json_path = download(client, tmp_path, "reports.geojson", query)
    rows = {r["reference"]: r for r in csv.DictReader(io.StringIO(csv_path.read_text()))}
    features = {f["id"]: f for f in json.loads(json_path.read_text())["features"]}
    assert set(rows) == set(features)
    for reference, feature in features.items():
        row, properties = rows[reference], feature["properties"]
        assert row["occurred_at"] == properties["occurred_at"].replace("Z", "+00:00")
        assert row["received"] == properties["received"]
        assert row["categories"] == ";".join(properties["categories"])
        assert row["place_name"] == (properties["place_name"] or "")
        lon, lat = feature["geometry"]["coordinates"]
        assert (row["lon"], row["lat"]) == (f"{lon:.6f}", f"{lat:.6f}")


def test_every_formula_start_is_neutralised(client, make_report, tmp_path):
    titles = ["=1+1", "+1", "-1", "@SUM(A1)", "\tcmd", "\rcmd", "plain = text"]
    made = {}
    for title in titles:
        report = make_report("published", title="placeholder")
        # Written directly: intake trims leading whitespace, an import might not.
        db.session.execute(update(Report).where(Report.id == report.id).values(title=title))
        made[report.reference] = title
    db.session.commit()
    _response, path = download(client, tmp_path, "reports.csv")
    text = path.read_bytes().decode()
    rows = {r["reference"]: r["title"] for r in csv.DictReader(io.StringIO(text))}
    for reference, title in made.items():
        expected = title if title == "plain = text" else "'" + title
        assert rows[reference] == expected


def test_full_csv_has_exact_points_and_the_moment_of_arrival(
    client, reports, make_user, login, tmp_path
):
    login(make_user("analyst"))
    _response, path = download(client, tmp_path, "reports.csv", "?audience=reviewer")
    rows = {r["reference"]: r for r in csv.DictReader(io.StringIO(path.read_text()))}
    published = rows[reports["published"].reference]
    assert (published["lat"], published["lon"]) == (f"{EXACT_LAT:.6f}", f"{EXACT_LON:.6f}")
    received = reports["published"].received_at
    assert datetime.fromisoformat(published["received"]) == received
    assert published["occurred_at"] == "2024-05-01T10:00:00+00:00"
    assert PHONE not in path.read_text()


def test_offline_map_without_a_tile_server_has_no_base_layer():
    from mapper.exports.offline import offline_map

    bare = offline_map([], "Reports", "", "")
    tiled = offline_map([], "Reports", "https://t.example/{z}/{x}/{y}.png", "©")
    assert "<title>Reports</title>" in bare and "t.example" in tiled
    assert tiled.count("L.tileLayer(") == bare.count("L.tileLayer(") + 1
