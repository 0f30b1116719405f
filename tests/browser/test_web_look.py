"""The look in a real Chromium: on a phone (390×844) no page of the menu nor a case page is wider than the
screen and the bell and the language switch stay on it; the assessment reads at a glance on a desktop;
the font, favicon, sign-in, error pages and the person in the top bar."""

import re
import urllib.request

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
CASE_PAGE = re.compile(r"^/cases/[a-z-]+/\d+/$")
FONT_STACK = (
    'system-ui, "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", sans-serif'
)


def sign_in(server, browser, username: str, viewport: dict) -> Page:  # type: ignore[no-untyped-def]
    page = browser.new_context(locale="zh-CN", viewport=viewport).new_page()
    page.goto(f"{server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/cases/queue/")
    return page


def links(page: Page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")
    return [h.split("?")[0].split("#")[0] for h in hrefs if h and h.startswith("/")]


def fits_the_phone(page: Page) -> list[str]:
    """What is wrong with the page on a 390 px screen (nothing, when it fits)."""
    problems = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        problems.append(f"{page.url} is {width} px wide")
    for what in (".sc-bell", ".sc-lang"):
        found = page.locator(f"header {what}")
        box = found.first.bounding_box() if found.count() else None
        if box is None or box["x"] < 0 or box["x"] + box["width"] > PHONE["width"] or box["y"] < 0:
            problems.append(f"{page.url}: {what} is off screen ({box})")
    return problems


@pytest.mark.parametrize("username", ["haidian_officer", "haidian_leader", "city_officer"])
def test_no_page_is_wider_than_a_phone_and_the_bell_and_language_stay_on_screen(server, browser, username):
    page = sign_in(server, browser, username, PHONE)
    menu = sorted(set(links(page, "a.vf-page__menu-list-item")))
    assert len(menu) >= 8
    problems, cases = [], []
    for path in menu:
        page.goto(f"{server.url}{path}")
        problems += fits_the_phone(page)
        cases += [h for h in links(page, ".vf-page__content a") if CASE_PAGE.match(h)]
    visited = list(dict.fromkeys(cases))[:12]
    assert visited, "the demo shows case pages"
    for path in visited:
        page.goto(f"{server.url}{path}")
        problems += fits_the_phone(page)
    assert problems == []
    page.context.close()


def test_the_assessment_reads_at_a_glance(server, browser):
    page = sign_in(server, browser, "city_officer", DESKTOP)
    page.goto(f"{server.url}/cases/kpis/?from=2026-01-01&to=2026-12-31")
    text = page.inner_text("main")
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), "no code names on the page"
    table = page.inner_text("#kpi-table table")
    assert "—" in table and "1.0" not in table
    assert page.evaluate("document.documentElement.scrollHeight") < 2 * DESKTOP["height"]
    ranking = page.locator("#kpi-ranking .sc-rank-name")
    assert ranking.count() == 17
    box = page.locator("#kpi-ranking").bounding_box()
    assert box is not None and box["y"] + box["height"] <= DESKTOP["height"], "the ranking in one screen"
    page.click('#kpi-ranking a[data-metric="landing_rate"]')
    page.wait_for_url(re.compile(r"metric=landing_rate"))
    values = page.locator("#kpi-ranking .sc-rank-value").all_inner_texts()
    assert all(v == "—" or v.endswith("%") for v in values)
    submitted = page.locator("#kpi-ranking a[data-metric=submitted]")
    submitted.click()
    page.wait_for_url(re.compile(r"metric=submitted"))
    counts = [int(v) for v in page.locator("#kpi-ranking .sc-rank-value").all_inner_texts()]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0
    page.context.close()


def test_the_font_the_favicon_and_the_person_in_the_top_bar(server, browser):
    page = sign_in(server, browser, "haidian_officer", DESKTOP)
    assert page.evaluate("getComputedStyle(document.body).fontFamily") == FONT_STACK
    icon = page.get_attribute("link[rel=icon]", "href")
    assert icon and urllib.request.urlopen(f"{server.url}{icon}").status == 200  # noqa: S310
    assert "王磊 · 海淀区 · 经办人员" in page.inner_text("#sc-who")  # the demo's people have names
    assert "海淀区 · 经办人员" in page.inner_text("#sc-user-post")
    page.context.close()


def test_the_demo_answers_a_wrong_address_with_the_products_404(server, browser):
    page = sign_in(server, browser, "haidian_officer", DESKTOP)
    response = page.goto(f"{server.url}/cases/no-such-page/")
    assert response is not None and response.status == 404
    assert page.locator("#sc-error").is_visible() and "URLconf" not in page.content()
    page.click("#sc-home")
    page.wait_for_url(re.compile(r"/cases/queue/"))
    page.context.close()


def test_the_sign_in_page_switches_language_before_signing_in(server, browser):
    page = browser.new_context(locale="zh-CN", viewport=PHONE).new_page()
    page.goto(f"{server.url}/accounts/login/")
    assert page.inner_text(".vf-page-lockscreen__sidebar-header-title").strip() == "登录"
    assert "Viewflow" not in page.content()
    page.select_option(".sc-lang select", "en")
    page.wait_for_load_state()
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.inner_text(".vf-page-lockscreen__sidebar-header-title").strip() == "Sign in"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.context.close()
