"""Notifications one can work from, and a bulk import that tells the truth, in Chromium (issue 16, items
12 and 13): the bell's dropdown with times, "查看全部" and "全部已读"; opening an unread notification marks
it read and lands on its case; a live one shows a toast; a refused import looks refused; the template
downloads. At 1440×900 and 390×844."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
RED = "rgb(229, 57, 53)"


def open_bell(page: Page) -> None:
    page.hover("#bell > a")
    expect(page.locator("#bell-menu")).to_be_visible()


def badge(page: Page) -> int:
    return int(page.get_attribute("#bell-count", "data-count") or "0")


def fits(page: Page) -> None:
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_bell_shows_times_view_all_and_marks_all_read(server, as_user):
    page = as_user("haidian_leader")
    page.set_viewport_size(DESKTOP)
    assert badge(page) == 3
    open_bell(page)
    items = page.locator("#bell-drop a[data-open]")
    expect(items).to_have_count(3)
    when = items.first.locator("time")
    expect(when).to_have_text(re.compile(r"^(刚刚|\d+\s*(分钟|小时|日|周|月|年)前)$"))
    assert re.match(r"^\d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2}$", when.get_attribute("title") or "")
    expect(page.locator("#bell-all")).to_have_text("查看全部")
    expect(page.locator("#bell-all")).to_have_attribute("href", "/cases/notifications/")
    page.click("#bell-read-all")
    page.wait_for_url(f"{server.url}/cases/queue/")  # back where one was
    expect(page.locator("#bell-count")).to_have_attribute("data-count", "0")
    open_bell(page)
    expect(page.locator("#bell-empty")).to_be_visible()
    page.goto(f"{server.url}/cases/notifications/")
    expect(page.locator("tr.unread")).to_have_count(0)


def test_opening_an_unread_notification_marks_it_read_and_lands_on_its_case(server, as_user):
    page = as_user("haidian_officer2")
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        page.goto(f"{server.url}/cases/notifications/")
        fits(page)
    page.set_viewport_size(DESKTOP)
    before = badge(page)
    open_bell(page)
    first = page.locator("#bell-drop a[data-open]").first
    number = first.get_attribute("data-notification")
    first.click()
    page.wait_for_url(re.compile(rf"{server.url}/cases/(leads|commitments|[a-z]+)/\d+/$"))
    expect(page.locator("#bell-count")).to_have_attribute("data-count", str(before - 1))
    page.goto(f"{server.url}/cases/notifications/")
    expect(page.locator(f'tr[data-notification="{number}"]')).to_have_class("sc-read")
    # from the list page too
    row = page.locator("tr.unread a[data-open]").first
    row.click()
    page.wait_for_url(re.compile(rf"{server.url}/cases/[a-z]+/\d+/$"))
    expect(page.locator("#bell-count")).to_have_attribute("data-count", str(before - 2))


def test_a_refused_import_looks_refused_and_names_its_problems_in_chinese(server, as_user):
    page = as_user("haidian_officer")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{server.url}/cases/imports/")
    header = "项目名称,企业名称,统一社会信用代码,产业领域,产业环节,总投资（万元）,线索来源\n"
    body = header + "浏览器导入项目,北京浏览器导入有限公司,91110108000009001A,旅游业,研发设计,1500,区级\n"
    page.set_input_files(
        "#import-file", files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": body.encode()}]
    )
    page.click("form.sc-form button[type=submit]")
    page.wait_for_url(re.compile(rf"{server.url}/cases/imports/\d+/$"))
    status = page.locator("#import-status")
    expect(status).to_have_class(re.compile(r"\bfailed\b"), timeout=30000)  # the due loop checks it
    expect(status).to_contain_text("已拒绝：未导入任何线索")
    bar = page.locator("#import-bar")
    assert bar.evaluate("e => getComputedStyle(e).backgroundColor") == RED  # not a green 100%
    expect(page.locator("#import-imported")).to_have_text("0")
    expect(page.locator("#import-refused")).to_have_text("1")
    problem = page.locator("#import-problems tbody tr").first
    expect(problem.locator("td")).to_have_text(
        ["2", "产业领域", re.compile(r"^“旅游业”不在可选范围内，请填写以下之一：")]
    )
    expect(page.locator("#import-report")).to_be_visible()
    page.set_viewport_size(PHONE)
    fits(page)


def test_the_import_template_downloads(server, as_user):
    page = as_user("haidian_officer")
    page.goto(f"{server.url}/cases/imports/")
    for kind in ("xlsx", "csv"):
        with page.expect_download() as download:
            page.click(f"#template-{kind}")
        assert download.value.suggested_filename == f"线索导入模板.{kind}"
    with page.expect_download() as download:
        page.click("#template-csv")
    text = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    assert text.startswith("项目名称,企业名称,统一社会信用代码,") and "总投资（万元）" in text


def test_a_live_notification_shows_a_toast_and_raises_the_badge(server, as_user):
    """Last in this module: it moves the demo's clock far on."""
    page = as_user("city_officer")
    page.set_viewport_size(PHONE)
    page.goto(f"{server.url}/cases/leads/")
    page.evaluate("window.__stillHere = true")
    before = badge(page)
    server.manage("process_due", "--now", "2099-01-01T09:00")  # the demo's negotiating lead runs out
    toast = page.locator("#sc-toasts .sc-toast").first
    expect(toast).to_be_visible(timeout=15000)
    expect(page.locator("#sc-toasts")).to_have_attribute("aria-live", "polite")
    expect(page.locator("#bell-drop")).to_contain_text("超过3个月")
    said = toast.locator("a").text_content() or ""
    assert said and said in (page.locator("#bell-drop").text_content() or "")  # the toast says what came
    assert badge(page) > before and page.evaluate("window.__stillHere") is True  # no reload
    box = toast.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    count = page.locator("#sc-toasts .sc-toast").count()
    toast.locator("button").click()  # dismissed
    expect(page.locator("#sc-toasts .sc-toast")).to_have_count(count - 1)
    if count > 1:
        raised = badge(page)
        page.locator("#sc-toasts .sc-toast a[data-open]").first.click()
        page.wait_for_url(re.compile(rf"{server.url}/cases/[a-z]+/\d+/$"))
        expect(page.locator("#bell-count")).to_have_attribute("data-count", str(raised - 1))
