"""What every browser journey uses: the product served on loopback (one server per module) and a
real headless Chromium, and a logged-in page per person."""

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.servers import EmbeddedServer, launch_chromium

PASSWORD = "shoutan-demo-2026"


@pytest.fixture(scope="module")
def server(tmp_path_factory):  # type: ignore[no-untyped-def]
    srv = EmbeddedServer(tmp_path_factory.mktemp("browser-var")).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


@pytest.fixture
def as_user(server, browser):  # type: ignore[no-untyped-def]
    """A logged-in page for a demo person, each in its own browser context (its own cookies)."""
    contexts = []

    def login(username: str) -> Page:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1360, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{server.url}/cases/queue/")
        return page

    yield login
    for c in contexts:
        c.close()
