"""Case work done in a real browser (issue 15): an officer claims a lead, logs a meeting, uploads the signed
agreement and reports progress with it, and the leader approves with the file in front of them; a deputy acts
for an absent colleague; the city merges a duplicate registration; a formal paper is downloaded as PDF and its
text read back."""

import re
import subprocess
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from cases.demo import credit_code
from tests.browser.pages import open_action, state_of

pytestmark = pytest.mark.browser
SH = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    return datetime.now(SH)


def test_claim_log_upload_report_and_the_leader_approves_seeing_the_agreement(server, as_user, tmp_path):
    lead_url = f"{server.url}/cases/leads/2/"  # the demo's lead awaiting the city's confirmation
    city = as_user("city_officer")
    city.goto(lead_url)
    open_action(city, "confirm")
    city.click("#confirm")
    city.wait_for_url(lead_url)
    assert state_of(city) == "negotiating"

    officer = as_user("haidian_officer")
    officer.goto(lead_url)
    officer.click("#claim")
    officer.wait_for_url(lead_url)
    expect(officer.locator("#lead-assignee")).to_contain_text("haidian_officer")

    officer.select_option("#id_activity_kind", "meeting")
    officer.fill("#id_activity_at", (now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    officer.fill("#id_activity_summary", "与企业董事长面谈落地条件")
    officer.click("#activity-save")
    officer.wait_for_url(re.compile(r"/cases/leads/2/"))
    expect(officer.locator("#timeline [data-kind=meeting]")).to_contain_text("与企业董事长面谈落地条件")

    agreement = tmp_path / "投资框架协议.pdf"
    agreement.write_bytes(
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )
    officer.set_input_files("#attachment-file", str(agreement))
    officer.fill("#attachment-description", "双方签字盖章版")
    officer.click("#upload")
    officer.wait_for_url(re.compile(r"/cases/leads/2/"))
    expect(officer.locator("#attachments")).to_contain_text("投资框架协议.pdf")

    open_action(officer, "report_progress")
    officer.select_option("select[name=milestone]", "agreement_signed")
    officer.fill("input[name=date]", now().date().isoformat())
    officer.fill("textarea[name=evidence]", "已签署投资框架协议，见附件")
    officer.check("input[name^=attachments]")
    officer.click("#confirm")
    officer.wait_for_url(lead_url)
    assert state_of(officer) == "progress_review"

    leader = as_user("haidian_leader")
    leader.goto(lead_url)
    open_action(leader, "approve_progress")
    expect(leader.locator("#milestone-attachments")).to_contain_text("投资框架协议.pdf")
    leader.click("#confirm")
    leader.wait_for_url(lead_url)
    assert state_of(leader) == "progressing"


def test_a_deputy_acts_for_an_absent_colleague(server, as_user):
    officer = as_user("haidian_officer")
    officer.goto(f"{server.url}/cases/absences/")
    officer.fill("#id_start", now().date().isoformat())
    officer.fill("#id_end", (now().date() + timedelta(days=3)).isoformat())
    officer.select_option("#id_deputy", "haidian_officer2")
    officer.click("#absence-save")
    expect(officer.locator("#my-absences")).to_contain_text("刘洋")  # haidian_officer2, by name

    lead_url = f"{server.url}/cases/leads/1/"  # the demo's Haidian draft nobody holds
    leader = as_user("haidian_leader")
    leader.goto(lead_url)
    leader.select_option("#id_assignee", "haidian_officer")
    leader.click("#assignee-save")
    leader.wait_for_url(lead_url)
    expect(leader.locator("#lead-assignee")).to_contain_text("haidian_officer")

    deputy = as_user("haidian_officer2")
    deputy.goto(f"{server.url}/cases/notifications/")
    expect(deputy.locator("main")).to_contain_text("海淀芯片设计中心")  # the copy of the colleague's notice
    expect(deputy.locator("main")).to_contain_text(
        "代王磊（外出）"
    )  # for haidian_officer, by the demo's name
    deputy.goto(f"{server.url}/cases/queue/?mine=1")
    expect(deputy.locator("#my-queue")).to_contain_text("海淀芯片设计中心")
    deputy.goto(lead_url)
    deputy.select_option("#id_assignee", "haidian_officer2")
    deputy.click("#assignee-save")
    deputy.wait_for_url(lead_url)
    expect(deputy.locator("#lead-assignee")).to_contain_text("haidian_officer2")


def test_the_city_merges_a_duplicate_registration(server, as_user):
    shunyi = as_user("shunyi_officer")
    shunyi.goto(f"{server.url}/cases/leads/new/")
    shunyi.fill("#id_name", "顺义重复登记：新能源汽车零部件")
    shunyi.fill("#id_company_name", "北京示范科技有限公司5")  # the demo's city lead #5 is this company
    shunyi.fill("#id_credit_code", credit_code(90505))
    shunyi.select_option("#id_sector", "icv")
    shunyi.select_option("#id_segment", "rnd_design")
    shunyi.fill("#id_total_investment_cny", "20000")
    shunyi.click("#register-submit")
    shunyi.wait_for_url(re.compile(r"/cases/leads/\d+/$"))
    duplicate_url = shunyi.url

    city = as_user("city_officer")
    city.goto(duplicate_url)
    city.click("#merge")
    city.check('[data-into="5"]')
    expect(city.locator("#id_into")).to_have_value("5")
    city.fill("#id_reason", "同一企业同一项目重复登记")
    city.click("#confirm")
    city.wait_for_url(f"{server.url}/cases/leads/5/")
    expect(city.locator("#merged-duplicates")).to_be_visible()
    expect(city.locator("#timeline [data-transition=merged_in]")).to_be_visible()
    city.goto(duplicate_url)
    assert state_of(city) == "closed"
    expect(city.locator("#duplicate-of")).to_contain_text("#5")


def test_the_first_negotiation_notice_downloads_as_a_pdf_with_its_facts(server, as_user, tmp_path):
    officer = as_user("haidian_officer")
    officer.goto(f"{server.url}/cases/leads/3/")  # confirmed in the demo data
    with officer.expect_download() as download:
        officer.click("a.document[data-kind=first_negotiation_notice]")
    pdf = tmp_path / "notice.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "首谈区认定通知" in text.replace(" ", "") or "认定" in text
    assert "海淀集成电路封测基地" in text.replace(" ", "")
    assert "北京示范科技有限公司3" in text.replace(" ", "")
    assert re.search(r"京首谈〔\d{4}〕\d+号", text.replace(" ", ""))
