"""Pages, assets and headers: no CDN, vendored Leaflet, safe framing, errors without traces."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CDN = re.compile(r"unpkg\.com|cdnjs|jsdelivr|googleapis\.com|code\.jquery|cdn\.|bootstrapcdn")


def test_no_file_in_the_project_loads_anything_from_a_cdn():
    files = subprocess.run(
        ["git", "ls-files", "templates", "static", "mapper"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    offenders = [f for f in files if CDN.search((ROOT / f).read_text(errors="ignore"))]
    assert offenders == []


def test_pages_load_only_local_scripts_and_styles(client):
    for path in ("/", "/report"):
        html = client.get(path).get_data(as_text=True)
        sources = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
        assert sources and all(s.startswith("/") for s in sources), sources
        for source in sources:
            assert client.get(source).status_code == 200, source


def test_pages_name_an_icon_the_app_serves(client):
    """Browsers ask for /favicon.ico, a 404 in every log, unless the page names its icon."""
    for path in ("/", "/report", "/auth/login"):
        html = client.get(path).get_data(as_text=True)
        icon = re.search(r'<link rel="icon" href="([^"]+)"', html)
        assert icon, path
        response = client.get(icon.group(1))
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"


def test_leaflet_is_served_from_its_python_package(client):
    response = client.get("/vendor/leaflet/leaflet.js")
    assert response.status_code == 200 and b"Leaflet" in response.data[:500]
    assert client.get("/vendor/leaflet-markercluster/leaflet.markercluster.js").status_code == 200
    assert client.get("/vendor/left-pad/index.js").status_code == 404
    assert client.get("/vendor/leaflet/../../../../etc/passwd").status_code == 404


def test_security_headers(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'self'" in policy
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_html_errors_are_pages_without_traces(client):
    response = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Traceback" not in response.get_data(as_text=True)


def test_public_map_page_points_at_the_api(client):
    html = client.get("/").get_data(as_text=True)
    assert 'data-clusters-url="/api/v1/clusters"' in html and 'id="map"' in html
    assert 'data-histogram-url="/api/v1/histogram"' in html and 'data-audience=""' in html


def test_language_choice_sticks(client):
    client.get("/?lang=km")
    assert 'lang="km"' in client.get("/report").get_data(as_text=True)
