"""People, roles and the landing recommendation in a real browser (issue 16, item 8 and "Also"): the
people administrator adds a person who signs in and sees their queue, then deactivates them and they
cannot sign in; nobody else opens the page; the city officer assigning a lead sees the recommendation as
a ranked table on a stated scale with nothing chosen, and capacity entered on its page moves it."""

import pytest
from playwright.sync_api import Page, expect

from cases.demo import credit_code
from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


def sign_in(browser, server, username: str, password: str, viewport: dict = DESKTOP) -> Page:  # type: ignore[no-untyped-def]
    page = browser.new_context(locale="zh-CN", viewport=viewport).new_page()
    page.goto(f"{server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    return page


def overflow(page: Page) -> int:
    """How far the page is wider than its viewport (0: nothing pushed off screen)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_the_administrator_adds_a_person_who_works_then_is_deactivated_and_cannot_sign_in(server, browser):  # type: ignore[no-untyped-def]
    admin = sign_in(browser, server, "city_admin", PASSWORD)
    admin.wait_for_url(f"{server.url}/cases/**")
    admin.goto(f"{server.url}/cases/people/")
    expect(admin.locator("#people [data-person=city_admin] [data-role=':administrator']")).to_be_visible()
    admin.fill("#person-username", "xicheng_officer")
    admin.fill("#person-full-name", "王小明")
    admin.select_option("#person-unit", "xicheng")
    admin.check("#person-role-officer")
    admin.click("#person-submit")
    password = admin.locator("#temporary-password").inner_text()
    assert len(password) == 14
    expect(admin.locator("#roles [data-role='xicheng:officer']")).to_be_visible()
    expect(admin.locator("#history [data-event=added]")).to_contain_text("西城区")

    person = sign_in(browser, server, "xicheng_officer", password, PHONE)
    person.wait_for_url(f"{server.url}/cases/queue/")
    assert person.goto(f"{server.url}/cases/people/").status == 403  # not an administrator

    admin.goto(f"{server.url}/cases/people/xicheng_officer/")
    admin.check("#deactivate-confirm")
    admin.click("#deactivate")
    expect(admin.locator("#person-status")).to_have_text("已停用")
    expect(admin.locator("#history li").first).to_have_attribute("data-event", "deactivated")

    person.goto(f"{server.url}/cases/queue/")  # the open session ends at its next request
    assert "/accounts/login/" in person.url
    again = sign_in(browser, server, "xicheng_officer", password)
    expect(again.locator("input[name=password]")).to_be_visible()  # still on the sign-in page
    assert "/accounts/login/" in again.url

    # the administrator cannot deactivate themself: the controls are off and the server refuses too
    admin.goto(f"{server.url}/cases/people/city_admin/")
    expect(admin.locator("#deactivate")).to_be_disabled()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_people_pages_fit_the_screen(server, browser, viewport):  # type: ignore[no-untyped-def]
    admin = sign_in(browser, server, "city_admin", PASSWORD, viewport)
    admin.wait_for_url(f"{server.url}/cases/**")
    for path in ("/cases/people/", "/cases/people/haidian_officer/"):
        admin.goto(f"{server.url}{path}")
        assert overflow(admin) <= 0, path


@pytest.mark.parametrize("username", ["city_officer", "city_leader", "haidian_leader"])
def test_nobody_but_the_administrator_opens_the_people_page(server, browser, username):  # type: ignore[no-untyped-def]
    page = sign_in(browser, server, username, PASSWORD)
    page.wait_for_url(f"{server.url}/cases/queue/")
    assert page.goto(f"{server.url}/cases/people/").status == 403
    assert page.goto(f"{server.url}/cases/people/city_admin/").status == 403
    expect(page.locator("a[href='/cases/people/']")).to_have_count(0)


def city_lead(page: Page, server) -> int:  # type: ignore[no-untyped-def]
    """A city-discovered quantum lead (a sector no unit leads), submitted: it waits for a unit."""
    token = page.request.post(
        f"{server.url}/api/auth/token/", data={"username": "city_officer", "password": PASSWORD}
    ).json()["token"]
    auth = {"Authorization": f"Token {token}"}
    lead = page.request.post(
        f"{server.url}/api/leads/",
        headers=auth,
        data={
            "name": "市级发现：量子精密测量", "company_name": "北京量子测量科技有限公司",
            "credit_code": credit_code(901), "sector": "quantum_info", "segment": "rnd_design",
            "total_investment_cny": "200000000", "strategic": False, "source": "city",
        },
    )  # fmt: skip
    assert lead.status == 201, lead.text()
    pk = lead.json()["id"]
    done = page.request.post(f"{server.url}/api/leads/{pk}/transitions/submit/", headers=auth, data={})
    assert done.json()["state"] == "pending_assignment"
    return pk


def ranked(page: Page) -> list[tuple[str, str]]:
    rows = page.locator("#recommendation-table tbody tr")
    return [
        (rows.nth(i).get_attribute("data-unit"), rows.nth(i).get_attribute("data-score"))
        for i in range(rows.count())
    ]  # type: ignore[misc]


def test_assigning_shows_a_ranked_table_and_capacity_entered_on_its_page_moves_it(server, browser):  # type: ignore[no-untyped-def]
    city = sign_in(browser, server, "city_officer", PASSWORD)
    city.wait_for_url(f"{server.url}/cases/queue/")
    pk = city_lead(city, server)
    assign = f"{server.url}/cases/leads/{pk}/do/assign/"
    city.goto(assign)
    expect(city.locator("#recommendation-table thead")).to_contain_text("满分 100")
    rows = ranked(city)
    assert len(rows) == 17 and {score for _u, score in rows} == {"0.0"}
    expect(city.locator("#recommendation-all-zero")).to_be_visible()
    expect(city.locator("#recommendation input[type=radio]:checked")).to_have_count(0)
    expect(city.locator("#recommendation [data-recommended]")).to_have_count(0)

    city.goto(f"{server.url}/cases/capacity/")
    city.fill("#land-miyun", "abc")  # refused in words, nothing saved, what was typed stays
    city.fill("#space-miyun", "60000")
    city.click("#save-miyun")
    expect(city.locator("#error")).to_be_visible()
    expect(city.locator("#land-miyun")).to_have_value("abc")
    city.fill("#land-miyun", "300")
    city.click("#save-miyun")
    expect(city.locator("#capacity-history li").first).to_contain_text("密云区")

    city.goto(assign)
    assert ranked(city)[0] == ("miyun", "35.0")
    expect(city.locator("tr[data-unit=miyun] [data-recommended]")).to_be_visible()
    expect(city.locator("#recommendation input[type=radio]:checked")).to_have_count(
        0
    )  # still the officer's choice
    city.check("tr[data-unit=miyun] input[type=radio]")
    city.click("#confirm")
    city.wait_for_url(f"{server.url}/cases/leads/{pk}/")
    expect(city.locator("body")).to_contain_text("密云区")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_recommendation_and_capacity_pages_fit_the_screen(server, browser, viewport):  # type: ignore[no-untyped-def]
    city = sign_in(browser, server, "city_officer", PASSWORD, viewport)
    city.wait_for_url(f"{server.url}/cases/queue/")
    city.goto(f"{server.url}/cases/capacity/")
    assert overflow(city) <= 0
    city.goto(f"{server.url}/cases/leads/5/do/assign/")  # the demo's city lead waiting for a unit
    expect(city.locator("#recommendation-table")).to_be_visible()
    assert overflow(city) <= 0
