"""Sign-in, sign-out, throttling, no user enumeration, locked-out accounts, the CLI."""

import re
import time

from mapper.auth.accounts import find_user, set_active
from mapper.extensions import db
from tests.conftest import PASSWORD, csrf_token_from


def test_sign_in_and_out(client, make_user, login):
    user = make_user("moderator")
    response = login(user)
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/reports")
    assert client.get("/admin/reports").status_code == 200
    token = csrf_token_from(client.get("/admin/reports").get_data(as_text=True))
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/admin/reports").status_code == 302


def test_logout_ends_a_copied_session_too(app, client, make_user, login):
    user = make_user("moderator")
    login(user)
    stolen = client.get_cookie("session").value
    token = csrf_token_from(client.get("/admin/reports").get_data(as_text=True))
    client.post("/auth/logout", data={"csrf_token": token})
    other = app.test_client()
    other.set_cookie("session", stolen)
    assert other.get("/admin/reports").status_code == 302


def test_session_is_replaced_at_sign_in(client, make_user, login):
    client.get("/auth/login")
    before = client.get_cookie("session").value
    login(make_user("analyst"))
    assert client.get_cookie("session").value != before


def test_unknown_account_and_wrong_password_look_the_same(client, make_user):
    user = make_user("moderator")

    def attempt(email, password):
        token = csrf_token_from(client.get("/auth/login").get_data(as_text=True))
        began = time.perf_counter()
        response = client.post(
            "/auth/login", data={"email": email, "password": password, "csrf_token": token}
        )
        return response, time.perf_counter() - began

    wrong, _ = attempt(user.email, "not the password")
    unknown, _ = attempt("nobody@example.org", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    message = re.compile(r'id="login-error">([^<]+)<')
    assert (
        message.search(wrong.get_data(as_text=True))[1]
        == message.search(unknown.get_data(as_text=True))[1]
    )


def test_unknown_accounts_cost_a_password_hash_too(monkeypatch):
    from mapper.auth import passwords

    calls = []
    real = passwords._hasher

    class Recording:
        def verify(self, password_hash, password):
            calls.append(password_hash)
            return real.verify(password_hash, password)

    monkeypatch.setattr(passwords, "_hasher", Recording())
    assert passwords.verify_password(None, "anything") is False
    assert calls == [passwords._DUMMY_HASH]


def test_sign_in_is_throttled_per_account(app, client, make_user):
    user = make_user("moderator")
    statuses = []
    for _ in range(7):
        token = csrf_token_from(client.get("/auth/login").get_data(as_text=True))
        statuses.append(
            client.post(
                "/auth/login", data={"email": user.email, "password": "wrong", "csrf_token": token}
            ).status_code
        )
    assert statuses[:5] == [401] * 5 and statuses[5:] == [429, 429]
    # The right password does not get through while the account is throttled.
    token = csrf_token_from(client.get("/auth/login").get_data(as_text=True))
    response = client.post(
        "/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 429 and response.headers.get("Retry-After")


def test_sign_in_is_throttled_per_address(app, client):
    statuses = []
    for n in range(22):
        token = csrf_token_from(client.get("/auth/login").get_data(as_text=True))
        statuses.append(
            client.post(
                "/auth/login",
                data={"email": f"guess{n}@example.org", "password": "x", "csrf_token": token},
            ).status_code
        )
    assert 429 in statuses and statuses[0] == 401


def test_a_disabled_account_is_locked_out_at_its_next_request(client, make_user, login):
    user = make_user("moderator")
    login(user)
    assert client.get("/admin/reports").status_code == 200
    set_active(user, False)
    db.session.commit()
    assert client.get("/admin/reports").status_code == 302
    assert login(user).status_code == 401


def test_next_only_goes_to_this_site(client, make_user):
    user = make_user("moderator")
    token = csrf_token_from(client.get("/auth/login").get_data(as_text=True))
    response = client.post(
        "/auth/login?next=//evil.example/x",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"].endswith("/admin/reports")


def test_session_cookie_flags(app, client, make_user, login):
    login(make_user("moderator"))
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_cli_creates_accounts_from_standard_input_and_changes_roles(app, db_session):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-user", "--email", "Admin@Example.org", "--role", "admin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    user = find_user("admin@example.org")
    assert user.role == "admin" and user.password_hash.startswith("$argon2")
    short = runner.invoke(
        args=["create-user", "--email", "b@example.org", "--role", "admin"], input="short\n"
    )
    assert short.exit_code != 0 and "password" in short.output
    result = runner.invoke(
        args=["set-role", "--email", "admin@example.org", "--role", "analyst", "--disable"]
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    user = find_user("admin@example.org")
    assert user.role == "analyst" and not user.active


def test_an_expired_sign_in_page_is_shown_again_ready_to_send(client, make_user):
    """The session's token changed after the page was opened (another tab, or a sign-out in
    between): the form comes back with the email kept and a token that works."""
    user = make_user("moderator")
    stale = csrf_token_from(client.get("/auth/login").get_data(as_text=True))
    client.delete_cookie("session")
    client.get("/report")  # a new session, with a token of its own
    refused = client.post(
        "/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": stale}
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert 'id="login-error">This sign-in page had expired.' in page
    assert f'value="{user.email}"' in page
    again = client.post(
        "/auth/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token_from(page)},
    )
    assert again.status_code == 302 and again.headers["Location"].endswith("/admin/reports")


def test_other_expired_forms_name_the_token_field(client, make_user, login):
    login(make_user("moderator"))
    response = client.post(
        "/auth/logout", data={"csrf_token": "stale"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    assert response.get_json()["errors"] == [
        {
            "field": "csrf_token",
            "message": "This form has expired. Reload the page and send it again.",
        }
    ]
    assert client.get("/admin/reports").status_code == 200  # still signed in
