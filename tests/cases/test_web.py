"""The web pages: what they show and refuse, and that they cost a bounded number of SQL queries."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.helpers import at, fire


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


@pytest.fixture
def many(make_negotiating):  # type: ignore[no-untyped-def]
    def make(n: int) -> list:
        return [make_negotiating(now=at("2026-11-30 09:00")) for _ in range(n)]

    return make


@pytest.mark.parametrize(
    "url", ["/cases/queue/", "/cases/leads/", "/cases/leads/?sort=deadline&first_negotiation=true"]
)
@pytest.mark.parametrize("who", ["haidian_officer", "city_officer", "haidian_leader"])
def test_list_pages_cost_the_same_queries_for_3_or_40_leads(many, url, who):
    from cases.demo import person

    user = person(who)
    many(3)
    client = client_for(user)
    client.get(url)  # warm caches (content types, sessions)
    few = queries(client, url)
    many(37)
    assert queries(client, url) == few
    assert few <= 25


def test_the_lead_page_costs_the_same_queries_with_a_long_history(
    make_negotiating, haidian_officer, haidian_leader
):
    lead = make_negotiating(now=at("2026-11-30 09:00"))
    client = client_for(haidian_leader)
    url = f"/cases/leads/{lead.pk}/"
    client.get(url)
    short = queries(client, url)
    for day in range(1, 6):
        fire(
            lead,
            "report_progress",
            haidian_officer,
            now=at(f"2026-12-0{day} 09:00"),
            milestone="project_filed",
            date=f"2026-12-0{day}",  # between the clock's start (2026-11-30) and the day of the report
            evidence="x",
        )
        fire(
            lead,
            "reject_progress",
            haidian_leader,
            now=at(f"2026-12-0{day} 10:00"),
            reason="不属于实质性进展",
        )
    assert queries(client, url) == short
    # a fixed budget: the facts, clock and timeline, and each section's few reads (files, papers, and
    # the cards of the §6b case types: major project, requests, plans, admission, financing)
    assert short <= 35


def test_the_register_form_warns_of_a_duplicate_before_submitting(make_lead, haidian_officer, shunyi_officer):
    lead = make_lead(haidian_officer)
    answer = (
        client_for(shunyi_officer)
        .get(f"/cases/leads/duplicate/?credit_code={lead.credit_code.lower()}")
        .json()
    )
    assert answer["duplicate"] is True and answer["unit"] == "海淀区"
    assert client_for(shunyi_officer).get("/cases/leads/duplicate/?credit_code=X").json() == {
        "duplicate": False
    }


def test_registering_in_wan_yuan_stores_yuan(haidian_officer):
    from cases.demo import credit_code
    from cases.models import Lead

    response = client_for(haidian_officer).post("/cases/leads/new/", {
        "name": "万元测试", "company_name": "万元测试公司", "credit_code": credit_code(555),
        "sector": "icv", "segment": "production", "total_investment_cny": "10000", "source": "district",
        "submit_now": "1",
    })  # fmt: skip
    lead = Lead.objects.get(name="万元测试")
    assert response.status_code == 302
    assert (lead.total_investment_cny, lead.first_negotiation, lead.state) == (
        100_000_000,
        True,
        "pending_confirmation",
    )


def test_a_refused_transition_shows_the_reason_and_changes_nothing(make_negotiating, city_officer):
    from tests.helpers import snapshot

    lead = make_negotiating(now=at("2026-11-30 09:00"))
    before = snapshot(lead)
    response = client_for(city_officer).post(
        f"/cases/leads/{lead.pk}/do/close/", {"reason": "", "confirmed": "on"}
    )
    assert response.status_code == 400
    assert "有参数缺失或填写有误" in response.content.decode()
    assert snapshot(lead) == before


def test_the_state_chart_lists_every_transition_of_the_machine(haidian_officer):
    from cases.leads.machine import LEAD
    from cases.leads.models import State

    html = client_for(haidian_officer).get("/cases/chart/").content.decode()
    edges = LEAD.edges()
    # 23 moves, a self-loop from each of the 7 open states after the draft (the city rules on the
    # strategic flag once the lead is submitted), and the city's merge from each of them into `closed`
    # (who holds a lead and corrections leave the state as it is: not drawn)
    assert len(edges) == 37
    states = {s.value: str(s.label) for s in State}
    for edge in edges:  # each by its label and its states' labels, in the page's language (never a code)
        label = LEAD.label(edge["name"])
        row = f'<tr data-transition="{edge["name"]}"><td>{label}</td><td>{states[edge["source"]]}</td><td>{states[edge["target"]]}</td>'
        assert row in html


def test_anonymous_visitors_are_sent_to_log_in():
    response = Client(HTTP_HOST="localhost").get("/cases/leads/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "url",
    ["/cases/kpis/", "/cases/kpis/?from=2026-01-01&to=2026-12-31", "/cases/rewards/", "/cases/imports/"],
)
def test_the_outcome_pages_open_for_the_city_and_a_district(url):
    from cases.demo import person

    for who in ("city_officer", "haidian_leader"):
        assert client_for(person(who)).get(url).status_code == 200


def test_the_kpi_page_costs_the_same_queries_for_more_units_activity(many, city_officer):
    many(2)
    client = client_for(city_officer)
    client.get("/cases/kpis/")
    few = queries(client, "/cases/kpis/")
    many(20)
    assert queries(client, "/cases/kpis/") == few


def test_the_assign_form_lists_units_best_recommendation_first(make_lead, city_officer):
    lead = fire(make_lead(city_officer, source="city", sector="integrated_circuits"), "submit", city_officer)
    html = client_for(city_officer).get(f"/cases/leads/{lead.pk}/do/assign/").content.decode()
    table = html.split('id="recommendation-table"')[1].split("</table>")[0]
    rows = table.split("<tr data-unit=")[1:4]
    assert {o.split('"')[1] for o in rows} == {"bda", "haidian", "shunyi"}
