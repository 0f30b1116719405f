"""Queues in Chromium (issue 16, items 1, 6, 9): a leader with 63 items awaiting them sees every one,
paged, with the count the API gives, the pending progress review first; a lead waiting for the city
says so instead of "no action"; a list row and the lead page read the clock alike."""

import json

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

# Run in the server's database through the product's own services and engine: a progress review
# awaiting Haidian's leader, a lead awaiting the city, then drafts (as a 60-row import leaves them)
# until the leader has 63 items; prints what the journey looks for.
SEED = """
import json
from django.utils import timezone
from cases import demo
from cases.leads import selectors, services
from cases.leads.machine import LEAD
from workflow import engine

officer, leader, city = demo.person("haidian_officer"), demo.person("haidian_leader"), demo.person("city_officer")
def fire(lead, name, actor, **params):
    return engine.fire(LEAD, pk=lead.pk, name=name, actor=actor, params=params)
review = services.lead_create(actor=officer, data=demo.lead_data(970001, name="待审进展项目", strategic=True))
fire(review, "submit", officer)
fire(review, "confirm", city)
fire(review, "report_progress", officer, milestone="agreement_signed", date=str(timezone.localdate()), evidence="投资协议")
waiting = services.lead_create(actor=officer, data=demo.lead_data(970002, name="待市里认定项目", strategic=True))
fire(waiting, "submit", officer)
serial = 970100
while selectors.lead_queue_count(user=leader) < 63:
    serial += 1
    services.lead_create(actor=officer, data=demo.lead_data(serial, name=f"导入项目 {serial}"))
print(json.dumps({"review": review.pk, "waiting": waiting.pk, "count": selectors.lead_queue_count(user=leader)}))
"""


@pytest.fixture(scope="module")
def seeded(server):  # type: ignore[no-untyped-def]
    out = server.manage("shell", "-c", SEED)
    return json.loads(out.strip().splitlines()[-1])


def rows(page: Page, section: str) -> list[str]:
    return page.locator(f"#{section} tr[data-lead]").evaluate_all("rows => rows.map(r => r.dataset.lead)")


@pytest.mark.parametrize("viewport", [(1440, 900), (390, 844)])
def test_a_leader_sees_all_63_items_paged_with_the_apis_count(seeded, as_user, server, viewport):
    assert seeded["count"] == 63
    page = as_user("haidian_leader")
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    page.goto(f"{server.url}/cases/queue/")
    api = page.request.get(f"{server.url}/api/queue/").json()
    assert api["count"] == 63
    expect(page.locator("#awaiting-count")).to_have_text("63")
    decide, work = (
        int(page.locator("#decide-count").inner_text()),
        int(page.locator("#work-count").inner_text()),
    )
    assert decide + work == 63
    # the review awaiting the leader's decision is on the first page, apart from the 60-odd drafts
    # registered after it (the newest 50 of one list hid it before), the longest waiting first
    assert str(seeded["review"]) in rows(page, "awaiting-decision")
    since = page.locator("#awaiting-decision td.waiting-since").all_inner_texts()
    assert since == sorted(since)
    first = page.locator(f'#awaiting-decision tr[data-lead="{seeded["review"]}"] td.next-step')
    expect(first).to_contain_text("确认进展")  # the leader's next action, from the machine
    seen = rows(page, "awaiting-decision") + rows(page, "awaiting-work")
    pages = 1
    while (following := page.locator('#awaiting-work [data-pager="work_page"] a[rel="next"]')).count():
        page.goto(f"{server.url}/cases/queue/{following.get_attribute('href')}")
        seen += rows(page, "awaiting-work")
        pages += 1
    assert pages == 3  # 25 a page
    assert len(set(seen)) == 63 == len(seen)
    api_ids = {
        str(r["id"])
        for n in (1, 2)
        for r in page.request.get(f"{server.url}/api/queue/?page={n}").json()["results"]
    }
    assert api_ids == set(seen)


def test_a_lead_waiting_for_the_city_says_so(seeded, as_user, server):
    page = as_user("haidian_officer")
    page.goto(f"{server.url}/cases/leads/{seeded['waiting']}/")
    expect(page.locator("#next-step")).to_contain_text("等待市经信局认定")
    expect(page.locator("main")).not_to_contain_text("没有可执行的操作")


def test_a_list_row_and_the_lead_page_read_the_clock_alike(seeded, as_user, server):
    page = as_user("haidian_officer")
    checked = 0
    for state in ("negotiating", "progress_review"):
        page.goto(f"{server.url}/cases/leads/?state={state}")
        checked += same_level_on_the_lead_page(page, server)
    assert checked >= 2


def same_level_on_the_lead_page(page: Page, server) -> int:  # type: ignore[no-untyped-def]
    badges = page.locator("tr[data-lead] [data-clock-level]")
    checked = 0
    for n in range(min(badges.count(), 5)):
        badge = badges.nth(n)
        level = badge.get_attribute("data-clock-level")
        lead = badge.locator("xpath=ancestor::tr").get_attribute("data-lead")
        detail = page.context.new_page()
        detail.goto(f"{server.url}/cases/leads/{lead}/")
        assert detail.locator("#clock").get_attribute("data-clock-level") == level, lead
        if level in ("ok", "soon", "late") and detail.locator(".sc-progress").count():
            assert detail.locator(".sc-progress").get_attribute("data-clock-level") == level
        detail.close()
        checked += 1
    return checked
