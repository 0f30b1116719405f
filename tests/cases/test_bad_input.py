"""Bad input is a 400 in the API's error shape, and nothing is saved; everything stays readable
(the two inputs that once corrupted data are the first two tests)."""

import json

import pytest
from rest_framework.test import APIClient

from cases.demo import lead_data, person
from cases.models import CommitmentApplication, Lead, RewardCase
from tests.helpers import snapshot
from workflow.models import TransitionRecord, UnitCapacity


def api(user):  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def assert_400(response):  # type: ignore[no-untyped-def]
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] and body["detail"]
    return body


def test_a_capacity_beyond_its_column_is_refused_and_nothing_breaks(make_negotiating, city_officer):
    shunyi = api(person("shunyi_officer"))
    response = shunyi.put(
        "/api/units/shunyi/capacity/", {"industrial_land_mu": "1e20", "factory_space_m2": "0"}, format="json"
    )
    assert_400(response)
    assert not UnitCapacity.objects.filter(unit__code="shunyi").exists()
    lead = make_negotiating()
    assert api(city_officer).get(f"/api/leads/{lead.pk}/recommendations/").status_code == 200
    ok = shunyi.put(
        "/api/units/shunyi/capacity/", {"industrial_land_mu": "10", "factory_space_m2": "0"}, format="json"
    )
    assert ok.json()["industrial_land_mu"] == "10.00"


@pytest.mark.parametrize("amount", ["1e400", "Infinity", "NaN", "-1", "1e16", ["1"], {"a": 1}])
def test_an_impossible_reward_is_refused_and_the_case_stays_open(make_lead, haidian_leader, amount):
    from tests.cases.test_outcomes import landed

    case = RewardCase.objects.get(lead=landed(make_lead, paid_in="6000000000"))
    leader = api(haidian_leader)
    response = leader.post(
        f"/api/rewards/{case.pk}/transitions/approve/", {"amount_cny": amount}, format="json"
    )
    body = assert_400(response)
    assert "amount_cny" in body["errors"]
    case.refresh_from_db()
    assert (case.state, case.amount_cny) == ("open", 10_000_000)
    assert leader.get("/api/rewards/").status_code == 200
    approved = leader.post(f"/api/rewards/{case.pk}/transitions/approve/", {}, format="json")
    assert approved.json()["state"] == "approved"
    assert (
        leader.post(f"/api/rewards/{case.pk}/transitions/pay/", {}, format="json").json()["state"] == "paid"
    )


@pytest.mark.parametrize(
    "bad",
    [
        {"name": True},
        {"name": "\ud800"},
        {"name": "x" * 201},
        {"strategic": "maybe"},
        {"total_investment_cny": "NaN"},
        {"total_investment_cny": 1e300},
        {"land_need_mu": "-1"},
        {"credit_code": ["91110108000000099C"]},
        {"sector": {"slug": "integrated_circuits"}},
        {"notes": "\x00"},
    ],
)
def test_a_bad_registration_is_refused(haidian_officer, bad):
    raw = json.dumps(lead_data(31, **bad))  # as a client writes it: a lone surrogate escaped, \\ud800
    body = assert_400(api(haidian_officer).post("/api/leads/", raw, content_type="application/json"))
    assert set(body["errors"]) == set(bad)
    assert Lead.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("report_progress", {"milestone": "project_filed", "date": ["2026-11-01"], "evidence": "x"}),
        ("report_progress", {"milestone": "project_filed", "date": "2026-02-30", "evidence": "x"}),
        ("report_progress", {"milestone": "project_filed", "date": "0001-01-01", "evidence": "x"}),
        ("report_progress", {"milestone": "a meeting", "date": "2026-11-01", "evidence": "x"}),
        ("close", {"reason": ["a", "b"]}),
        ("close", {"reason": {"a": 1}}),
        ("close", {"reason": "   "}),
        ("request_push", {"reason": "lacks_capacity", "note": "x" * 4001}),
    ],
)
def test_bad_transition_parameters_are_refused(make_negotiating, haidian_officer, city_officer, name, params):
    lead = make_negotiating()
    actor = {"report_progress": haidian_officer, "close": city_officer}.get(name, person("haidian_leader"))
    before = snapshot(lead)
    assert_400(api(actor).post(f"/api/leads/{lead.pk}/transitions/{name}/", params, format="json"))
    assert snapshot(lead) == before


def test_a_body_that_is_not_an_object_is_refused(make_negotiating, city_officer):
    lead = make_negotiating()
    response = api(city_officer).post(
        f"/api/leads/{lead.pk}/transitions/close/", "[1, 2]", content_type="application/json"
    )
    assert_400(response)
    assert TransitionRecord.objects.filter(subject_id=lead.pk, transition="close").count() == 0


def test_a_commitment_cannot_point_at_a_lead_its_registrant_cannot_see(make_lead, haidian_officer):
    haidian_lead = make_lead(haidian_officer)
    data = {
        "project_name": "厂房", "company_name": "某公司", "credit_code": "91110108000000099C",
        "zone": "huairou_science_city", "unit": "huairou", "project_type": "factory",
        "investment_nature": "social", "land_supply": "transfer", "industrial_content": True,
    }  # fmt: skip
    huairou = api(person("huairou_officer"))
    for lead in (haidian_lead.pk, 10**9):  # another unit's lead and no lead at all read the same
        body = assert_400(huairou.post("/api/commitments/", {**data, "lead": lead}, format="json"))
        assert body["code"] == "unknown_lead"
    assert CommitmentApplication.objects.count() == 0


def test_approving_with_commitments_as_an_object_is_refused(make_lead):
    from tests.cases.test_commitments import application

    officer, leader, city = person("huairou_officer"), person("huairou_leader"), person("city_officer")
    api(city).post(
        "/api/commitments/standards/", {"zone": "huairou_science_city", "items": ["标准"]}, format="json"
    )
    app = api(officer).post("/api/commitments/", application(), format="json").json()
    api(officer).post(f"/api/commitments/{app['id']}/transitions/submit/", {}, format="json")
    response = api(leader).post(
        f"/api/commitments/{app['id']}/transitions/approve/", {"commitments": {"a": 1}}, format="json"
    )
    assert_400(response)
    assert CommitmentApplication.objects.get(pk=app["id"]).state == "submitted"


def test_an_unknown_api_path_is_a_json_404(haidian_officer):
    response = api(haidian_officer).get("/api/no/such/thing/")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    response = api(haidian_officer).post("/api/leads/1/transitions/fly/", {}, format="json")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "from=2026-02-30",
        "to=9999-12-31",
        "from=0001-01-01",
        "from=2026-13-01",
        "from=2026-12-01&to=2026-01-01",
    ],
)
def test_an_impossible_kpi_period_is_a_400(city_officer, query):
    body = assert_400(api(city_officer).get(f"/api/kpis/?{query}"))
    assert body["code"] == "period"


def test_kpi_amounts_are_decimal_strings(make_lead, city_officer):
    from tests.cases.test_outcomes import landed

    landed(make_lead)
    totals = api(city_officer).get("/api/kpis/?from=2026-01-01&to=2026-12-31").json()["totals"]
    assert isinstance(totals["landed_investment_cny"], str)


def test_a_person_without_a_role_sees_no_figures_and_no_duplicates(outsider, make_lead, haidian_officer):
    from django.test import Client

    lead = make_lead(haidian_officer)
    assert api(outsider).get("/api/kpis/").status_code == 403
    browser = Client()
    browser.force_login(outsider)
    assert browser.get("/cases/kpis/").status_code == 403
    assert browser.get(f"/cases/leads/duplicate/?credit_code={lead.credit_code}").status_code == 403
    browser.force_login(person("shunyi_officer"))  # an officer registering leads is told (DESIGN §3)
    assert browser.get(f"/cases/leads/duplicate/?credit_code={lead.credit_code}").json()["duplicate"] is True


def test_a_search_longer_than_any_name_is_a_400(city_officer):
    assert_400(api(city_officer).get("/api/leads/?q=" + "项" * 60_000))
    from django.test import Client

    browser = Client()
    browser.force_login(city_officer)
    assert browser.get("/cases/leads/?q=" + "项" * 60_000).status_code == 200  # the page ignores the filter


def test_a_reward_that_is_not_a_number_on_the_page_is_refused_in_words(haidian_leader):
    from django.test import Client

    browser = Client()
    browser.force_login(haidian_leader)
    response = browser.post("/cases/rewards/", {"reward": "abc", "action": "approve"})
    # the page is drawn again with the refusal beside the rewards (and what was typed kept)
    assert response.status_code == 404
    assert response.context["error"] == "没有这项奖励。" and "没有这项奖励。" in response.content.decode()
