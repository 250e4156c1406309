"""A real gunicorn serving the test database, and headless Debian Chromium driving it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from sqlalchemy import delete

from mapper.models import Place
from mapper.sample import load_places

CHROMIUM = "/usr/bin/chromium"
# Headless flags for a machine without a display or outside network.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: make test installs it"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@contextmanager
def app_only_page(browser, live_server, **options) -> Iterator:
    """A page in a fresh browser context that may only reach the app (map tiles are cut off),
    with the context's `options`; fails the test on a JavaScript error."""
    context = browser.new_context(
        **{"locale": "en-GB", "viewport": {"width": 1280, "height": 900}, **options}
    )

    def only_the_app(route):
        if route.request.url.startswith(live_server):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_the_app)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


@pytest.fixture
def page(browser, live_server):
    with app_only_page(browser, live_server) as page:
        yield page


@pytest.fixture
def zoned_page(browser, live_server, request):
    """A page whose browser keeps the time zone given as the test's parameter."""
    with app_only_page(browser, live_server, timezone_id=request.param) as page:
        yield page


@pytest.fixture
def live_places(live_db):
    """The sample gazetteer, committed for the server under test, removed afterwards."""
    load_places()
    live_db.commit()
    yield
    live_db.execute(delete(Place))
    live_db.commit()


def sign_in(page, live_server, user, password: str) -> None:
    """Sign in through the real form."""
    page.goto(f"{live_server}/auth/login")
    page.fill("#email", user.email)
    page.fill("#password", password)
    page.click("#sign-in")
    page.wait_for_url(lambda url: "/auth/login" not in url)


def wait_until(page, predicate: str, arg=None, timeout_s: float = 30.0) -> None:
    """Wait until `predicate`, run in the page, comes out true, awaiting a promise it returns
    (Playwright's wait_for_function takes a returned promise itself for true)."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(predicate, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_s:.0f} s: {predicate}")
        page.wait_for_timeout(100)
