"""Whole jobs done in a real browser: Debian's headless Chromium, driven by Playwright, against the
product served on loopback exactly as `scripts/run.sh` serves it (uvicorn, websockets, due loop)."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.pages import open_action, state_of

pytestmark = pytest.mark.browser


def today() -> str:
    """A milestone lies between its clock's start and today (DESIGN §3): the day the journey confirms."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()


def test_a_lead_goes_from_registration_to_approved_progress_in_the_browser(server, as_user):
    officer = as_user("haidian_officer")
    officer.goto(f"{server.url}/cases/leads/new/")
    officer.fill("#id_name", "浏览器测试：海淀芯片封装线")
    officer.fill("#id_company_name", "北京浏览器测试科技有限公司")
    officer.fill("#id_credit_code", "91110108000000077C")
    expect(officer.locator("#credit-code-hint")).to_have_text(
        re.compile("校验位错误|wrong")
    )  # a typo is caught
    officer.fill("#id_credit_code", "91110108000000100W")
    expect(officer.locator("#credit-code-hint")).to_have_text(re.compile("校验位正确|OK"))
    officer.select_option("#id_sector", "integrated_circuits")
    officer.select_option("#id_segment", "rnd_design")
    officer.fill("#id_total_investment_cny", "20000")
    expect(officer.locator("#amount-words")).to_contain_text("2 亿元")
    officer.click("#register-submit")
    officer.wait_for_url(re.compile(r"/cases/leads/\d+/$"))
    lead_url = officer.url
    assert state_of(officer) == "pending_confirmation"

    city = as_user("city_officer")
    city.goto(lead_url)
    open_action(city, "confirm")
    city.click("#confirm")
    city.wait_for_url(lead_url)
    assert state_of(city) == "negotiating"
    expect(city.locator("#clock")).to_contain_text("2027")

    officer.goto(lead_url)
    open_action(officer, "report_progress")
    officer.select_option("select[name=milestone]", "agreement_signed")
    officer.fill("input[name=date]", today())
    officer.fill("textarea[name=evidence]", "已签署投资框架协议")
    officer.click("#confirm")
    officer.wait_for_url(lead_url)
    assert state_of(officer) == "progress_review"

    leader = as_user("haidian_leader")
    leader.goto(lead_url)
    open_action(leader, "approve_progress")
    leader.click("#confirm")
    leader.wait_for_url(lead_url)
    assert state_of(leader) == "progressing"
    expect(leader.locator("#timeline")).to_contain_text("确认进展")


def test_service_errors_are_shown_in_plain_chinese(server, as_user):
    city = as_user("city_officer")
    city.goto(f"{server.url}/cases/leads/2/")  # pending confirmation in the demo data
    open_action(city, "decline")
    city.fill("textarea[name=reason]", "   ")
    city.check("input[name=confirmed]")  # declining is weighty: the box says it cannot simply be undone
    city.click("#confirm")
    expect(city.locator("#error")).to_contain_text("有参数缺失或填写有误")
    expect(city.locator("form.sc-form")).to_contain_text("必须填写理由")


def test_the_city_officers_bell_rises_live_when_a_lead_escalates(server, as_user):
    watcher = as_user("city_officer")
    watcher.goto(f"{server.url}/cases/leads/")
    watcher.evaluate("window.__stillHere = true")
    before = int(watcher.text_content("#bell-count") or "0")
    server.manage("process_due", "--now", "2099-01-01T09:00")  # the demo's negotiating lead runs out
    expect(watcher.locator("#bell-count")).not_to_have_text(str(before), timeout=15000)
    assert int(watcher.text_content("#bell-count") or "0") > before
    assert watcher.evaluate("window.__stillHere") is True  # no reload happened
    expect(watcher.locator("#bell-drop")).to_contain_text("超过3个月")


def test_a_shunyi_officer_cannot_open_a_haidian_lead(server, as_user):
    shunyi = as_user("shunyi_officer")
    response = shunyi.goto(f"{server.url}/cases/leads/3/")
    assert response is not None and response.status == 404
    assert shunyi.locator("#actions").count() == 0
    response = shunyi.goto(f"{server.url}/cases/leads/3/do/report_progress/")
    assert response is not None and response.status == 404
    shunyi.goto(f"{server.url}/cases/leads/")
    expect(shunyi.locator("table.sc-table tbody")).not_to_contain_text("海淀")


def test_a_district_officer_sees_no_leader_only_button(server, as_user):
    officer = as_user("haidian_officer")
    officer.goto(f"{server.url}/cases/leads/6/")  # the Haidian lead below the threshold, negotiating
    buttons = officer.locator("#actions [data-action]")
    assert sorted(buttons.evaluate_all("els => els.map(e => e.dataset.action)")) == ["report_progress"]
    leader = as_user("haidian_leader")
    leader.goto(f"{server.url}/cases/leads/6/")
    actions = leader.locator("#actions [data-action]").evaluate_all("els => els.map(e => e.dataset.action)")
    assert sorted(actions) == ["close", "report_progress", "request_push"]
    response = officer.goto(f"{server.url}/cases/leads/6/do/request_push/")
    assert response is not None and response.status == 403


def test_the_language_switch_turns_the_pages_english(server, as_user):
    page = as_user("haidian_officer")
    page.select_option("form.sc-lang select", "en")
    page.wait_for_load_state()
    expect(page.locator(".mdc-top-app-bar__title")).to_have_text("My queue")
    page.select_option("form.sc-lang select", "zh-hans")
    page.wait_for_load_state()
    expect(page.locator(".mdc-top-app-bar__title")).to_have_text("我的待办")
