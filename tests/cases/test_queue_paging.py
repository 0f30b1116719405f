"""Awaiting me never hides work (issue 16): every item, paged, with the true count the API gives too;
what awaits the caller's decision first, the longest waiting first; each row says what to do next,
and a lead the caller cannot move says whom it waits for. One reading of the clock everywhere."""

import re

import pytest
import time_machine
from django.test import Client
from django.utils import translation

from cases.commitments import services as commitments
from cases.commitments.machine import COMMITMENT
from cases.demo import credit_code, person
from cases.leads import nextstep, selectors
from cases.leads.machine import LEAD
from cases.models import Lead
from notifications.models import Notification
from tests.helpers import at, fire
from workflow import engine
from workflow.due import process_due

T0 = at("2026-11-30 09:00")
PROGRESS = {"milestone": "agreement_signed", "evidence": "投资协议"}


def page(user, url: str = "/cases/queue/", lang: str = "zh-hans") -> str:  # type: ignore[no-untyped-def]
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def section(html: str, ident: str) -> str:
    return html.split(f'id="{ident}"', 1)[1].split("</section>", 1)[0]


def row_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-lead="(\d+)"', html)]


def badge(html: str, ident: str) -> int:
    return int(re.search(rf'id="{ident}">(\d+)<', html).group(1))  # type: ignore[union-attr]


@pytest.fixture
def review_and_62_drafts(make_negotiating, make_lead, haidian_officer, haidian_leader):  # type: ignore[no-untyped-def]
    """A progress review registered first, then 62 newer drafts of the leader's unit: 63 items."""
    with time_machine.travel(T0, tick=False):
        review = fire(
            make_negotiating(now=T0), "report_progress", haidian_officer, date="2026-11-30", **PROGRESS
        )
    drafts = []
    for n in range(62):
        with time_machine.travel(at("2026-12-01 09:00").replace(minute=n % 60, second=n // 60), tick=False):
            drafts.append(make_lead(haidian_officer))
    return review, drafts


def test_a_leader_sees_all_63_items_paged_with_the_count_the_api_gives(review_and_62_drafts, haidian_leader):
    review, drafts = review_and_62_drafts
    first = page(haidian_leader)
    # the count in the tab, the parts and the API agree
    api = Client(HTTP_HOST="localhost")
    api.force_login(haidian_leader)
    body = api.get("/api/queue/").json()
    assert body["count"] == 63 == badge(first, "awaiting-count")
    assert (badge(first, "decide-count"), badge(first, "work-count")) == (1, 62)
    assert api.get("/api/queue/?kind=decide").json()["count"] == 1
    assert api.get("/api/queue/?kind=work").json()["count"] == 62
    # the review comes first, in its own part, whatever was registered after it
    assert row_ids(section(first, "awaiting-decision")) == [review.pk]
    seen = row_ids(section(first, "awaiting-work"))
    assert len(seen) == 25 and 'data-pager="work_page"' in first
    for n in (2, 3):
        seen += row_ids(section(page(haidian_leader, f"/cases/queue/?work_page={n}"), "awaiting-work"))
    assert sorted(seen) == sorted(d.pk for d in drafts)
    # the next page of one part keeps the other part where it was
    assert row_ids(section(page(haidian_leader, "/cases/queue/?work_page=2"), "awaiting-decision")) == [
        review.pk
    ]


def test_a_wrong_page_number_shows_a_page_and_a_wrong_kind_is_refused(review_and_62_drafts, haidian_leader):
    for bad in ("abc", "0", "-1", "999", "1e3", "２"):
        html = page(haidian_leader, f"/cases/queue/?work_page={bad}&page={bad}")
        assert len(row_ids(section(html, "awaiting-work"))) in (25, 12)
    api = Client(HTTP_HOST="localhost")
    api.force_login(haidian_leader)
    before = Lead.objects.count(), Notification.objects.count()
    response = api.get("/api/queue/?kind=everything")
    assert response.status_code == 400 and "kind" in response.json()["errors"]
    assert (Lead.objects.count(), Notification.objects.count()) == before


def test_decisions_come_the_longest_waiting_first(make_negotiating, haidian_officer, haidian_leader):
    older = make_negotiating(now=T0)  # registered first …
    newer = make_negotiating(now=T0)
    fire(newer, "report_progress", haidian_officer, now=at("2026-12-02 09:00"), date="2026-12-01", **PROGRESS)
    fire(older, "report_progress", haidian_officer, now=at("2026-12-03 09:00"), date="2026-12-01", **PROGRESS)
    # … but the newer one has waited longer for the leader
    assert list(selectors.lead_queue(user=haidian_leader, kind=selectors.DECIDE)) == [newer, older]
    assert row_ids(section(page(haidian_leader), "awaiting-decision")) == [newer.pk, older.pk]


def test_each_row_says_what_to_do_and_a_lead_waiting_for_the_city_says_so(
    make_lead, haidian_officer, haidian_leader, city_officer
):
    lead = fire(make_lead(haidian_officer), "submit", haidian_officer)  # pending the city's confirmation
    detail = page(haidian_officer, f"/cases/leads/{lead.pk}/", lang="en")
    step = detail.split('id="next-step"', 1)[1].split("</p>", 1)[0]
    assert "Waiting for the city&#x27;s economy and IT bureau: Confirm first-negotiation unit" in step
    assert 'data-waits-for="city"' in detail and "No action is open to you" not in detail
    city_row = section(page(city_officer, lang="en"), "awaiting-decision")
    assert "Confirm first-negotiation unit / Decline the claim" in city_row
    # the machine says it, not the page: the same words for the same state
    assert nextstep.next_step(LEAD, lead, [])["text"] == (
        "Waiting for the city's economy and IT bureau: Confirm first-negotiation unit"
    )
    negotiating = fire(lead, "confirm", city_officer)
    fire(negotiating, "set_assignee", haidian_officer, username=haidian_officer.username)
    waits = nextstep.next_step(LEAD, Lead.objects.get(pk=lead.pk), [])
    assert (waits["mover"], waits["waits_for"]) == ("officer", "haidian_officer (assignee)")


def test_a_commitment_application_to_decide_is_in_awaiting_me(db):
    officer, leader, city = person("huairou_officer"), person("huairou_leader"), person("city_officer")
    commitments.standard_publish(actor=city, data={"zone": "huairou_science_city", "items": ["容积率≥1.0"]})
    app = commitments.commitment_create(
        actor=officer,
        data={
            "project_name": "怀柔精密仪器厂房", "company_name": "北京精密仪器有限公司", "credit_code": credit_code(880),
            "zone": "huairou_science_city", "unit": "huairou", "project_type": "factory",
            "investment_nature": "social", "land_supply": "transfer", "industrial_content": True,
        },
    )  # fmt: skip
    engine.fire(COMMITMENT, pk=app.pk, name="submit", actor=officer)
    html = page(leader, lang="en")
    rows = section(html, "awaiting-commitments")
    assert f'data-commitment="{app.pk}"' in rows and 'data-mine="true"' in rows and "Approve" in rows
    assert badge(html, "commitment-count") == 1 and badge(html, "awaiting-count") == 1
    app = type(app).objects.select_related("unit").get(pk=app.pk)
    with translation.override("en"):  # the officer who submitted it waits for the leaders
        waiting = nextstep.next_step(COMMITMENT, app, COMMITMENT.available(app, officer))
        assert waiting["text"].startswith("Waiting for the leaders of Huairou") and not waiting["mine"]


def clock_level_in_row(html: str, lead: Lead) -> str:
    row = html.split(f'data-lead="{lead.pk}"', 1)[1].split("</tr>", 1)[0]
    return re.search(r'data-clock-level="(\w+)"', row).group(1)  # type: ignore[union-attr]


def test_the_list_row_and_the_lead_page_read_the_clock_alike(make_negotiating, haidian_officer):
    lead = make_negotiating(now=at("2026-07-01 10:00"))  # deadline the end of 2026-10-08
    for now, level in (
        ("2026-08-01 09:00", "ok"),
        ("2026-09-28 09:00", "soon"),
        ("2026-10-01 09:00", "soon"),
    ):
        with time_machine.travel(at(now), tick=False):
            row = clock_level_in_row(page(haidian_officer, "/cases/leads/"), lead)
            detail = page(haidian_officer, f"/cases/leads/{lead.pk}/")
            assert row == level == re.search(r'id="clock" data-clock-level="(\w+)"', detail).group(1), now  # type: ignore[union-attr]
    with time_machine.travel(at("2026-09-28 09:00"), tick=False):
        reading = selectors.clock_reading(clock=Lead.objects.get(pk=lead.pk).clock)
        assert reading["level"] == "soon" and 85 <= reading["percent"] <= 90  # green at 89% used no more
    process_due(now=at("2026-10-09 00:00"))
    with time_machine.travel(at("2026-10-10 09:00"), tick=False):
        row = page(haidian_officer, "/cases/leads/")
        assert clock_level_in_row(row, lead) == "late"
        assert "escalated: the deadline passed" in page(haidian_officer, "/cases/leads/", lang="en")
        detail = page(haidian_officer, f"/cases/leads/{lead.pk}/", lang="en")
        assert 'id="clock-escalated"' in detail and 'data-clock-level="late"' in detail


def test_a_stopped_clock_says_when_and_why(make_negotiating, haidian_officer, haidian_leader):
    lead = make_negotiating(now=T0)
    fire(lead, "report_progress", haidian_officer, now=at("2026-12-02 09:00"), date="2026-12-01", **PROGRESS)
    fire(lead, "approve_progress", haidian_leader, now=at("2026-12-03 09:00"))
    detail = page(haidian_leader, f"/cases/leads/{lead.pk}/", lang="en")
    stopped = detail.split('id="clock-stopped"', 1)[1].split("</p>", 1)[0]
    assert "Stopped on" in stopped and "Dec. 3, 2026" in stopped and "Approve progress" in stopped


def test_the_assignee_and_the_officers_who_lost_the_lead_to_the_clock_are_told(
    make_negotiating, haidian_officer, haidian_leader
):
    lead = make_negotiating(now=at("2026-07-01 10:00"))
    second = person("haidian_officer2")
    fire(lead, "set_assignee", haidian_leader, username=second.username)
    process_due(now=at("2026-10-09 00:00"))
    assert Lead.objects.get(pk=lead.pk).state == "escalated"
    for who in (second, haidian_officer, haidian_leader):
        assert Notification.objects.filter(user=who, kind="escalated").count() == 1, who.username


def test_chained_parts_give_each_page_its_own_rows_across_the_parts():
    from cases.leads.web import Chained

    parts = [list(range(0, 3)), list(range(3, 3)), list(range(3, 10))]
    chained = Chained([(p, len(p)) for p in parts])
    assert len(chained) == 10
    assert [chained[i : i + 4] for i in (0, 4, 8)] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert chained[2:3] == [2] and chained[9:20] == [9] and chained[10:14] == []


def test_the_commitment_page_pages_every_application_with_its_true_count(db):
    officer, leader, city = person("huairou_officer"), person("huairou_leader"), person("city_officer")
    commitments.standard_publish(actor=city, data={"zone": "huairou_science_city", "items": ["容积率≥1.0"]})
    for serial in range(27):  # more than one page (25)
        app = commitments.commitment_create(
            actor=officer,
            data={
                "project_name": f"怀柔厂房{serial}", "company_name": f"北京精密仪器有限公司{serial}",
                "credit_code": credit_code(900 + serial), "zone": "huairou_science_city", "unit": "huairou",
                "project_type": "factory", "investment_nature": "social", "land_supply": "transfer",
                "industrial_content": True,
            },
        )  # fmt: skip
        engine.fire(COMMITMENT, pk=app.pk, name="submit", actor=officer)
    first = page(leader, "/cases/commitments/")
    second = page(leader, "/cases/commitments/?review_page=2")
    seen = [re.findall(r'data-commitment="(\d+)"', section(html, "to-review")) for html in (first, second)]
    assert len(seen[0]) == 25 and len(seen[1]) == 2 and not set(seen[0]) & set(seen[1])
    assert (
        '<span class="sc-badge">27</span>' in section(first, "to-review")
        and 'data-pager="review_page"' in first
    )
    home = page(leader)  # the home page's commitment part: the same 27, over two pages
    assert badge(home, "commitment-count") == 27
    assert (
        len(
            re.findall(
                r'data-commitment="(\d+)"',
                section(page(leader, "/cases/queue/?commitment_page=2"), "awaiting-commitments"),
            )
        )
        == 2
    )
