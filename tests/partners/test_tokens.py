"""Partner tokens: made by admins and shown once, stored hashed, scoped, revocable at once;
rate limits per token or per address answered with 429 and Retry-After; CORS on public reads."""

import hashlib

import pytest

from mapper.extensions import db
from mapper.models import PartnerToken
from mapper.partners.tokens import create_token, revoke_token
from tests.conftest import count_rows, csrf_token_from


@pytest.fixture
def token(client):
    def make(*scopes):
        made, plain = create_token("Partner NGO", list(scopes), None)
        db.session.commit()
        return made, plain

    return make


def bearer(plain: str) -> dict:
    return {"Authorization": f"Bearer {plain}"}


def test_admin_makes_a_token_shown_once_and_stored_hashed(client, make_user, login):
    login(make_user("admin"))
    page = client.get("/admin/partners").get_data(as_text=True)
    assert "No token yet." in page
    response = client.post(
        "/admin/partners/tokens",
        data={
            "label": "UN agency",
            "scopes": ["read", "submit"],
            "csrf_token": csrf_token_from(page),
        },
    )
    assert response.status_code == 201
    html = response.get_data(as_text=True)
    plain = html.split('id="new-token"')[1].split("<code>")[1].split("</code>")[0]
    stored = db.session.query(PartnerToken).one()
    assert stored.token_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert plain not in (stored.prefix, stored.token_hash) and stored.scopes == ["read", "submit"]
    listed = client.get("/admin/partners?lang=es").get_data(as_text=True)
    assert plain not in listed and "Aún no hay ningún token." not in listed
    assert "<td>leer datos públicos, enviar informes</td>" in listed
    assert client.get("/api/v1/reports", headers=bearer(plain)).status_code == 200


def test_admin_form_names_the_bad_field(client, make_user, login):
    login(make_user("admin"))
    token = csrf_token_from(client.get("/admin/partners").get_data(as_text=True))
    response = client.post("/admin/partners/tokens", data={"label": "", "csrf_token": token})
    assert response.status_code == 422
    assert count_rows("partner_tokens") == 0


def test_unknown_and_revoked_tokens_get_401_naming_the_header(client, token):
    made, plain = token("read")
    assert client.get("/ogc/collections", headers=bearer(plain)).status_code == 200
    revoke_token(made.id)
    db.session.commit()
    for headers in (bearer(plain), bearer("mpt_made-up"), {"Authorization": "Bearer "}):
        response = client.get("/api/v1/reports", headers=headers)
        assert response.status_code == 401
        assert response.get_json()["errors"][0]["field"] == "Authorization"


def test_scopes_limit_what_a_token_may_do(client, token):
    _reader, read_only = token("read")
    _submitter, submit_only = token("submit")
    report = {"title": "Seen at the port", "location": {"lat": 13.5, "lon": 102.5}}
    refused = client.post("/api/v1/reports", json=report, headers=bearer(read_only))
    assert refused.status_code == 403
    assert count_rows("reports") == 0
    created = client.post("/api/v1/reports", json=report, headers=bearer(submit_only))
    assert created.status_code == 201
    assert client.get("/exports/reports.csv", headers=bearer(submit_only)).status_code == 403


def test_public_reads_are_limited_per_address_with_retry_after(app, client):
    app.config["MAPPER_PUBLIC_RATE_LIMIT"] = "3 per minute"
    try:
        statuses = [client.get("/api/v1/categories").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = client.get("/ogc/collections")
        assert limited.status_code == 429
        assert int(limited.headers["Retry-After"]) > 0
    finally:
        app.config["MAPPER_PUBLIC_RATE_LIMIT"] = "600 per minute"


def test_a_token_has_its_own_limit_apart_from_its_address(app, client, token):
    _made, plain = token("read")
    app.config["MAPPER_PUBLIC_RATE_LIMIT"] = "2 per minute"
    app.config["MAPPER_TOKEN_RATE_LIMIT"] = "4 per minute"
    try:
        anonymous = [client.get("/api/v1/categories").status_code for _ in range(3)]
        assert anonymous == [200, 200, 429]
        with_token = [
            client.get("/api/v1/categories", headers=bearer(plain)).status_code for _ in range(5)
        ]
        assert with_token == [200, 200, 200, 200, 429]
    finally:
        app.config["MAPPER_PUBLIC_RATE_LIMIT"] = "600 per minute"
        app.config["MAPPER_TOKEN_RATE_LIMIT"] = "6000 per minute"


@pytest.mark.parametrize(
    "path",
    ["/api/v1/reports", "/api/v1/clusters?zoom=3", "/ogc/collections", "/exports/reports.csv"],
)
def test_public_reads_allow_any_site_to_fetch_them(client, path):
    response = client.get(path, headers={"Origin": "https://partner.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
    preflight = client.options(path, headers={"Origin": "https://partner.example"})
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/v1/clusters?zoom=3&audience=reviewer"),
        ("get", "/admin/reports"),
        ("get", "/report"),
        ("post", "/api/v1/reports"),
    ],
)
def test_no_cors_on_writes_pages_or_analyst_views(client, method, path):
    response = getattr(client, method)(path, headers={"Origin": "https://partner.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_behind_a_trusted_proxy_each_visitor_has_their_own_limit(database_url, tmp_path):
    from mapper import create_app

    def statuses(proxies: int) -> list[int]:
        app = create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": database_url,
                "SECRET_KEY": "test-secret",
                "MAPPER_VAR_DIR": str(tmp_path),
                "MAPPER_TRUSTED_PROXIES": proxies,
                "MAPPER_PUBLIC_RATE_LIMIT": "2 per minute",
                "RATELIMIT_ENABLED": True,
            }
        )
        client = app.test_client()
        visitors = ["198.51.100.1", "198.51.100.1", "198.51.100.2", "198.51.100.2"]
        return [
            client.get("/api/v1/categories", headers={"X-Forwarded-For": v}).status_code
            for v in visitors
        ]

    # Without a trusted proxy the header is anybody's to send and means nothing: one address.
    assert statuses(0) == [200, 200, 429, 429]
    assert statuses(1) == [200, 200, 200, 200]
