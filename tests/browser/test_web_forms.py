"""Forms keep what was typed after a server error, money is labelled in 万元 / 万美元, and weighty
actions are last, not primary, and need an explicit confirmation (issue 16, items 2, 3, 7, 14)."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

LEAD = 3  # the demo's Haidian lead under negotiation
VIEWPORTS = [{"width": 1440, "height": 900}, {"width": 390, "height": 844}]

# every named field of a form as it stands: text, the option chosen, whether a box is ticked
READ = """form => Object.fromEntries([...form.querySelectorAll('input, select, textarea')]
  .filter(e => e.name && e.type !== 'hidden' && e.name !== 'csrfmiddlewaretoken')
  .map(e => [e.name + (e.type === 'radio' ? '=' + e.value : ''),
             e.type === 'checkbox' || e.type === 'radio' ? e.checked : e.value]))"""


def values(page: Page, form: str) -> dict:
    return page.eval_on_selector(form, READ)


def submit_unchecked(page: Page, form: str, button: str) -> None:
    """Submit past the browser's own checks, so that the server is the one to refuse."""
    page.eval_on_selector(form, "f => { f.noValidate = true; }")
    with page.expect_navigation():
        page.click(button)


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
def test_lead_registration_keeps_every_value_after_a_server_error(server, as_user, viewport):
    officer = as_user("haidian_officer")
    officer.set_viewport_size(viewport)
    officer.goto(f"{server.url}/cases/leads/new/")
    expect(officer.locator("label[for=id_total_investment_cny]")).to_contain_text("万元")
    expect(officer.locator("label[for=id_foreign_investment_usd]")).to_contain_text("万美元")
    officer.fill("#id_name", "表单保留测试")
    officer.fill("#id_company_name", "表单保留测试有限公司")
    officer.fill("#id_credit_code", "91110000000000000X")  # a wrong check character: the server refuses
    officer.select_option("#id_sector", index=2)
    officer.select_option("#id_segment", index=2)
    officer.fill("#id_total_investment_cny", "12345.6789")
    officer.check("#id_strategic")
    officer.select_option("#id_source", index=1)
    officer.fill("#id_referrer", "某产业基金")
    officer.fill("#id_foreign_investment_usd", "88.5")
    officer.fill("#id_land_need_mu", "12.5")
    officer.fill("#id_contacts", "张三 13800000000")
    officer.fill("#id_notes", "第二次洽谈后登记")
    typed = values(officer, "#lead-form")
    submit_unchecked(officer, "#lead-form", "#register-draft")
    expect(officer.locator("#error")).to_be_visible()
    assert values(officer, "#lead-form") == typed


def test_commitment_registration_keeps_the_choices_made(server, as_user):
    officer = as_user("huairou_officer")
    officer.goto(f"{server.url}/cases/commitments/new/")
    officer.fill("[name=project_name]", "承诺制保留测试")
    officer.fill("[name=company_name]", "承诺制保留测试有限公司")
    officer.fill("[name=credit_code]", "91110000000000000X")
    officer.select_option("#id_project_type", "warehouse")
    officer.select_option("#id_investment_nature", "government")
    officer.select_option("#id_land_supply", "lease")
    officer.uncheck("#id_industrial_content")
    form = "form.sc-form >> nth=-1"
    typed = values(officer, form)
    submit_unchecked(officer, form, f"{form} >> button[type=submit]")
    expect(officer.locator("#error")).to_be_visible()
    assert values(officer, form) == typed


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
def test_closing_a_lead_is_last_not_primary_and_needs_a_confirmation(server, as_user, viewport):
    city = as_user("city_officer")
    city.set_viewport_size(viewport)
    city.goto(f"{server.url}/cases/leads/{LEAD}/")
    actions = city.locator("#actions [data-action]")
    names = actions.evaluate_all("els => els.map(e => e.dataset.action)")
    assert "close" in names
    weighty = actions.evaluate_all("els => els.map(e => e.dataset.weighty === 'true')")
    assert weighty == sorted(weighty)  # every weighty one after every other
    close = city.locator("#actions [data-action=close]")
    expect(close).to_have_class(re.compile(r"\bdanger\b"))
    expect(close).to_have_class(re.compile(r"\bsecondary\b"))
    state = city.get_attribute("#lead-state", "data-state")
    close.click()
    city.wait_for_selector("#case-context")
    expect(city.locator("#case-context [data-fact=name]")).not_to_be_empty()
    expect(city.locator("#case-context [data-fact=state]")).to_have_text(re.compile(r"\S"))
    expect(city.locator("#confirm")).to_have_class(re.compile(r"\bdanger\b"))
    city.fill("[name=reason]", "企业决定不在京投资")
    typed = values(city, "form.sc-form")
    submit_unchecked(city, "form.sc-form", "#confirm")  # the box left unticked
    expect(city.locator("#error")).to_be_visible()
    assert values(city, "form.sc-form") == typed
    city.goto(f"{server.url}/cases/leads/{LEAD}/")
    assert city.get_attribute("#lead-state", "data-state") == state


def test_the_financing_need_amount_is_in_wan_and_kept(server, as_user):
    officer = as_user("haidian_officer")
    officer.goto(f"{server.url}/cases/financing/new/?lead={LEAD}")
    expect(officer.locator("label[for=financing-amount-input]")).to_contain_text("万元")
    officer.fill("#financing-amount-input", "2000.0000001")  # finer than a fen
    officer.fill("#financing-term-input", "36")
    officer.fill("#financing-purpose-input", "设备购置")
    officer.check("#financing-consent-box")
    typed = values(officer, "#financing-need-form")
    submit_unchecked(officer, "#financing-need-form", "#financing-need-submit")
    expect(officer.locator("#error")).to_be_visible()
    assert values(officer, "#financing-need-form") == typed
