"""City-level coordination in a real browser (issue 17): a city leader designates a major project and names
its steward; the steward raises a talent request the talent bureau resolves; a support plan goes from the
city's draft through the finance bureau's co-signature and the government's approval to two disbursements;
a bank sees a published financing need, makes an offer, the unit accepts it and the §13 report counts it."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
SH = ZoneInfo("Asia/Shanghai")
LEAD = 3  # the demo's Haidian lead under negotiation


def today() -> str:
    return datetime.now(SH).date().isoformat()


def designate(server, as_user) -> None:  # type: ignore[no-untyped-def]
    leader = as_user("city_leader")
    leader.goto(f"{server.url}/cases/leads/{LEAD}/")
    if leader.locator("#major-state").count():
        return  # designated by an earlier journey of this module
    leader.fill("#id_designate_reason", "全市重点集成电路项目，市级统筹服务")
    leader.select_option("#id_designate_steward", "city_officer")
    leader.click("#designate")
    leader.wait_for_url(re.compile(r"/cases/"))
    leader.goto(f"{server.url}/cases/leads/{LEAD}/")
    expect(leader.locator("#major-steward")).to_contain_text("city_officer")


def act(page: Page, name: str, **fields: str) -> None:
    page.click(f"#actions a[data-action={name}]")
    page.wait_for_selector("#confirm")
    for field, value in fields.items():
        page.fill(f"[name={field}]", value)
    page.click("#confirm")
    page.wait_for_load_state("networkidle")


def test_a_city_leader_designates_a_major_project_and_names_its_steward(server, as_user):
    designate(server, as_user)
    leader = as_user("city_leader")
    leader.goto(f"{server.url}/cases/majorprojects/")
    expect(leader.locator(f"#major-projects tr.major-project[data-lead='{LEAD}']")).to_be_visible()
    expect(leader.locator("#major-projects .major-steward").first).to_contain_text("city_officer")
    leader.goto(f"{server.url}/cases/leads/{LEAD}/")
    expect(leader.locator("#timeline")).to_contain_text("全市重点集成电路项目")


def test_the_steward_raises_a_talent_request_the_talent_bureau_resolves(server, as_user):
    designate(server, as_user)
    steward = as_user("city_officer")
    steward.goto(f"{server.url}/cases/leads/{LEAD}/")
    steward.click("#service-request-raise-open")
    steward.select_option("#id_sr_kind", "talent")
    steward.select_option("#id_sr_responsible_unit", "talent")
    steward.fill("#id_sr_description", "企业首席科学家及团队3人申请人才引进落户（一事一议）")
    steward.click("#service-request-submit")
    steward.wait_for_url(re.compile(r"/cases/servicerequests/\d+/$"))
    request_url = steward.url
    expect(steward.locator("#service-request-state")).to_have_attribute("data-state", "open")

    talent = as_user("talent_officer")
    talent.goto(f"{server.url}/cases/servicerequests/")
    expect(talent.locator("#service-requests-to-answer")).to_contain_text("人才引进")
    talent.goto(request_url)
    act(talent, "accept")
    talent.goto(request_url)
    act(talent, "resolve", answer="已按一事一议办理3人引进落户，材料齐全当日受理")
    talent.goto(request_url)
    expect(talent.locator("#service-request-state")).to_have_attribute("data-state", "resolved")
    assert talent.goto(f"{server.url}/cases/leads/{LEAD}/").status == 404  # the request, not the lead

    steward.goto(request_url)
    expect(steward.locator("#service-request-answer")).to_contain_text("一事一议")
    act(steward, "confirm")
    steward.goto(request_url)
    expect(steward.locator("#service-request-state")).to_have_attribute("data-state", "closed")


def test_a_support_plan_is_cosigned_approved_and_paid_twice(server, as_user):
    designate(server, as_user)
    city = as_user("city_officer")
    city.goto(f"{server.url}/cases/supportplans/new/?lead={LEAD}")
    city.fill("#id_amount_cny", "3000")  # 万元
    city.check("input[name=methods][value=loan_interest_subsidy]")
    city.check("input[name=methods][value=landing_reward]")
    city.fill("#id_terms", "2027年底前实缴注册资本不低于10亿元，达产后年产值不低于30亿元")
    city.click("#confirm")
    city.wait_for_url(re.compile(r"/cases/supportplans/\d+/$"))
    plan_url = city.url
    act(city, "submit")
    expect(city.locator("#support-plan-state")).to_have_attribute("data-state", "finance_review")

    finance = as_user("finance_officer")
    finance.goto(plan_url)
    act(finance, "cosign", opinion="资金来源已落实，同意会签")
    expect(finance.locator("#support-plan-state")).to_have_attribute("data-state", "government_review")

    government = as_user("government_leader")
    government.goto(plan_url)
    act(government, "approve")
    expect(government.locator("#support-plan-state")).to_have_attribute("data-state", "implementing")

    city.goto(plan_url)
    act(city, "record_disbursement", amount_cny="1000", date=today(), note="首期贴息")
    city.goto(plan_url)
    act(city, "record_disbursement", amount_cny="500", date=today(), note="落地奖励首笔")
    city.goto(plan_url)
    expect(city.locator("#disbursements tr[data-disbursement]")).to_have_count(2)
    expect(city.locator("#disbursed-total")).to_contain_text("1,500万元")


def test_a_bank_offers_on_a_published_need_and_the_report_counts_it(server, as_user):
    officer = as_user("haidian_officer")
    officer.goto(f"{server.url}/cases/leads/{LEAD}/")
    officer.click("#lead-financing-new summary")
    officer.check("#financing-consent-box")
    officer.fill("#financing-amount-input", "20000")  # 万元
    officer.fill("#financing-term-input", "36")
    officer.fill("#financing-purpose-input", "封测产线设备购置")
    officer.click("#financing-need-submit")
    officer.wait_for_url(re.compile(r"/cases/financing/\d+/$"))
    need_url = officer.url
    officer.click("#action-publish")
    officer.wait_for_load_state("networkidle")
    expect(officer.locator("#financing-state")).to_have_attribute("data-state", "published")

    bank = as_user("bank_officer")
    bank.goto(f"{server.url}/cases/financing/")
    expect(bank.locator("#financing-market")).to_contain_text("封测产线设备购置")
    bank.goto(need_url)
    bank.fill("#financing-offer-form [name=product]", "科创设备贷")
    bank.fill("#financing-offer-form [name=amount_cny]", "15000")  # 万元
    bank.fill("#financing-offer-form [name=rate_percent]", "3.20")
    bank.fill("#financing-offer-form [name=term_months]", "36")
    bank.click("#offer-submit")
    bank.wait_for_load_state("networkidle")

    officer.goto(need_url)
    officer.click("button[data-accept]")
    officer.wait_for_load_state("networkidle")
    officer.goto(need_url)
    expect(officer.locator("#financing-state")).to_have_attribute("data-state", "financed")

    start, end = (datetime.now(SH).date() - timedelta(days=1)).isoformat(), today()
    bank.goto(f"{server.url}/cases/financing/report/?from={start}&to={end}")
    row = bank.locator("#financing-report-table tr[data-unit=demo_bank]")
    expect(row.locator("td[data-figure=offers]")).to_have_text("1")
    expect(row.locator("td[data-figure=accepted]")).to_have_text("1")
