"""Fixtures for the end-to-end browser tests (Playwright driving Debian's Chromium).

The tests run against pytest-django's ``live_server``; they need the system
Chromium at ``/usr/bin/chromium`` (Playwright's own browser download is not
used). Without it the tests are skipped, except in CI (``CI=true``), where a
missing browser is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses ORM
# calls from a thread with a running loop unless this is set.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu"]
PASSWORD = "e2e-Pass-word-93"
TIMEOUT_MS = 15_000


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    msg = f"Chromium not found at {CHROMIUM}: the browser tests cannot run (install the Debian package 'chromium')."
    if os.environ.get("CI") == "true":
        pytest.fail(f"{msg} CI=true, so the browser tests must run.", pytrace=False)
    pytest.skip(msg)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    """A factory of fresh pages, each in its own browser context (own cookies, so own login)."""
    contexts: list[Any] = []
    in_flight = [0]

    def make() -> Any:
        context = browser.new_context(locale="en-GB", viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        # count the requests in flight, so that the test's end can wait for them (below)
        context.on("request", lambda _r: in_flight.__setitem__(0, in_flight[0] + 1))
        context.on("requestfinished", lambda _r: in_flight.__setitem__(0, in_flight[0] - 1))
        context.on("requestfailed", lambda _r: in_flight.__setitem__(0, in_flight[0] - 1))
        return context.new_page()

    yield make
    # let the requests still in flight (an HTMX partial loading after the last check, a poll) finish first:
    # the live server's thread would otherwise hold a table while the test's database is emptied
    pages = [p for context in contexts for p in context.pages if not p.is_closed()]
    for _ in range(50):
        if in_flight[0] <= 0 or not pages:
            break
        pages[0].wait_for_timeout(100)
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Any) -> Any:
    return new_page()


@pytest.fixture(autouse=True)
def _data_of_the_migrations(transactional_db: None) -> None:
    """Each browser test starts with the rows the data migrations create (the default sales process, the
    organisation's catalogues): the live server's tests are transactional and empty the database afterwards,
    those rows included, so a later test on the same worker would miss them."""
    import importlib

    from django.apps import apps

    stages = importlib.import_module("kampass.pipeline.migrations.0002_default_stage_set")
    stages.create_default(apps, None)  # does nothing when the default process exists
    if not apps.get_model("organisation", "FunctionRole").objects.exists():
        importlib.import_module("kampass.organisation.migrations.0002_seed_catalogues").seed(apps, None)


@pytest.fixture
def make_user(transactional_db: None) -> Any:
    """Create a user with a role and the e2e password."""
    from kampass.users.models import User

    def make(username: str, role: str, **extra: Any) -> Any:
        extra.setdefault("first_name", username.split("_")[0].title())
        extra.setdefault("last_name", "Tester")
        return User.objects.create_user(username=username, password=PASSWORD, role=role, **extra)

    return make


def _login(page: Any, base_url: str, username: str, password: str = PASSWORD) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    expect(page.locator("[data-testid=logout]")).to_be_visible()
    assert "/login/" not in page.url, f"login as {username} failed: still on {page.url}"


@pytest.fixture
def login(live_server: Any) -> Any:
    """``login(page, username)``: log in through the login form and wait for the logged-in page."""

    def do(page: Any, username: str, password: str = PASSWORD) -> None:
        _login(page, live_server.url, username, password)

    return do


@pytest.fixture
def hold_first_post() -> Any:
    """``hold_first_post(page, url_pattern)``: the reply to the first POST to ``url_pattern`` is held back (its
    route is in the list returned; ``continue_()`` releases it), every other request goes on, so a test can act
    while a save is still on its way."""

    def do(page: Any, url_pattern: Any) -> list[Any]:
        held: list[Any] = []

        def hold(route: Any) -> None:
            if route.request.method == "POST" and not held:
                held.append(route)
            else:
                route.continue_()

        page.route(url_pattern, hold)
        return held

    return do


@pytest.fixture
def csrf_token() -> Any:
    """``csrf_token(page)``: the CSRF cookie of the page's browser context."""

    def get(page: Any) -> str:
        for cookie in page.context.cookies():
            if cookie["name"] == "csrftoken":
                return str(cookie["value"])
        raise AssertionError("no csrftoken cookie in the browser context")

    return get
