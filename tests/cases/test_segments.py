"""Segments (DESIGN §3): §8 keeps production links out of the central urban districts unless the city
records why, and §15 rewards only advanced-manufacturing projects."""

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from cases import policy
from cases.demo import lead_data, person
from cases.errors import Conflict, Invalid
from cases.models import Lead, RewardCase, State
from cases.outcomes import selectors as outcome_selectors
from tests.helpers import at, fire, snapshot
from workflow.models import TransitionRecord

T0 = at("2026-11-30 09:00")
CENTRAL = ["chaoyang", "dongcheng", "fengtai", "haidian", "shijingshan", "xicheng"]


def api(user):  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def city_production(make_lead, city_officer):  # type: ignore[no-untyped-def]
    """A production line the city discovered, waiting for it to pick the landing unit."""
    return fire(make_lead(city_officer, source="city", segment="production"), "submit", city_officer, now=T0)


# --- registration -----------------------------------------------------------------------------------


def test_a_lead_records_its_segment_and_shows_it(haidian_officer):
    response = api(haidian_officer).post(
        "/api/leads/", lead_data(1, segment="pilot_production"), format="json"
    )
    assert response.status_code == 201 and response.json()["segment"] == "pilot_production"
    rows = api(haidian_officer).get("/api/leads/").json()["results"]
    assert [r["segment"] for r in rows] == ["pilot_production"]


@pytest.mark.parametrize("segment", [None, "", "mining", ["production"]])
def test_registration_needs_a_known_segment_and_saves_nothing_without_one(haidian_officer, segment):
    data = lead_data(2, segment=segment)
    if segment is None:
        del data["segment"]
    response = api(haidian_officer).post("/api/leads/", data, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"segment"}
    assert Lead.objects.count() == 0


def test_the_registration_page_asks_for_the_segment(haidian_officer):
    page = Client(HTTP_HOST="localhost")
    page.force_login(haidian_officer)
    html = page.get("/cases/leads/new/").content.decode()
    assert '<select name="segment" id="id_segment" required>' in html
    assert all(f'<option value="{segment}">' in html for segment in policy.SEGMENTS)
    form = {k: v for k, v in lead_data(3, total_investment_cny="20000").items() if k != "strategic"}  # 万元
    response = page.post("/cases/leads/new/", {**form, "segment": "assembly_testing"})
    assert response.status_code == 302
    lead = Lead.objects.get()
    assert lead.segment == "assembly_testing"
    detail = page.get(f"/cases/leads/{lead.pk}/").content.decode()
    with translation.override("zh-hans"):
        assert f'<dd id="lead-segment">{policy.SEGMENTS["assembly_testing"]}</dd>' in detail


# --- §8: recommendations and assignment ------------------------------------------------------------------


def test_the_central_districts_come_last_for_a_production_lead_with_the_reason(city_production):
    ranked = outcome_selectors.lead_recommendations(lead=city_production)
    assert sorted(r["unit"] for r in ranked[-6:]) == CENTRAL
    assert all(r["score"] == 0 and "§8" in r["reasons"][0] for r in ranked[-6:])
    assert all("§8" not in " ".join(r["reasons"]) for r in ranked[:-6])
    assert len(ranked) == 17


def test_a_research_lead_is_not_ranked_out_of_the_central_districts(make_lead, city_officer):
    lead = fire(make_lead(city_officer, source="city", segment="rnd_design"), "submit", city_officer)
    ranked = outcome_selectors.lead_recommendations(lead=lead)
    assert "haidian" in {r["unit"] for r in ranked[:3]}  # integrated circuits is one of its industries
    assert all("§8" not in " ".join(r["reasons"]) for r in ranked)


@pytest.mark.parametrize("override", [None, "", "   "])
def test_assigning_a_production_lead_to_a_central_district_needs_an_override(
    city_production, city_officer, override
):
    before = snapshot(city_production)
    params = {"unit": "chaoyang"} if override is None else {"unit": "chaoyang", "override_reason": override}
    with pytest.raises(Invalid) as err:
        fire(city_production, "assign", city_officer, now=T0, **params)
    assert err.value.code == "override_required"
    assert set(err.value.errors) == {"override_reason"}
    assert "§8" in err.value.messages()["en"]
    assert snapshot(city_production) == before


def test_the_override_reason_is_recorded(city_production, city_officer):
    lead = fire(
        city_production,
        "assign",
        city_officer,
        now=T0,
        unit="chaoyang",
        override_reason="企业总部与中试线同址",
    )
    assert (lead.state, lead.unit.code) == (State.NEGOTIATING, "chaoyang")
    record = TransitionRecord.objects.get(subject_id=lead.pk, transition="assign")
    assert record.params["override_reason"] == "企业总部与中试线同址" and record.params["override"] == "§8"
    assert "§8" in record.rule and "企业总部与中试线同址" in record.rule


def test_a_production_lead_goes_to_an_outer_district_without_an_override(city_production, city_officer):
    lead = fire(city_production, "assign", city_officer, now=T0, unit="shunyi")
    assert lead.unit.code == "shunyi"
    assert (
        "override_reason" not in TransitionRecord.objects.get(subject_id=lead.pk, transition="assign").params
    )


def test_reassigning_to_a_central_district_needs_an_override_too(city_production, city_officer):
    from workflow.due import process_due

    lead = fire(city_production, "assign", city_officer, now=T0, unit="shunyi")
    process_due(now=lead.clock.deadline_at)
    lead = Lead.objects.get(pk=lead.pk)
    assert lead.state == State.ESCALATED
    before = snapshot(lead)
    with pytest.raises(Invalid) as err:
        fire(lead, "reassign", city_officer, unit="fengtai")
    assert err.value.code == "override_required"
    assert snapshot(lead) == before
    with pytest.raises(Conflict):  # the excluded unit is refused before §8 is asked
        fire(lead, "reassign", city_officer, unit="shunyi", override_reason="x")
    assert (
        fire(lead, "reassign", city_officer, unit="fengtai", override_reason="轨道交通配套").unit.code
        == "fengtai"
    )


def test_the_assign_page_offers_the_central_districts_last_and_takes_the_override(
    city_production, city_officer
):
    page = Client(HTTP_HOST="localhost")
    page.force_login(city_officer)
    html = page.get(f"/cases/leads/{city_production.pk}/do/assign/").content.decode()
    units = html.split('id="recommendation-table"')[1].split("</table>")[0]
    options = [o.split('"')[1] for o in units.split("<tr data-unit=")[1:]]
    assert sorted(options[-6:]) == CENTRAL
    assert 'name="override_reason"' in html
    response = page.post(f"/cases/leads/{city_production.pk}/do/assign/", {"unit": "haidian"})
    assert response.status_code == 400
    response = page.post(
        f"/cases/leads/{city_production.pk}/do/assign/",
        {"unit": "haidian", "override_reason": "研发中试一体"},
    )
    assert response.status_code == 302


# --- §15: manufacturing only ------------------------------------------------------------------------------


def land(make_lead, *, segment: str, paid_in: str) -> Lead:  # type: ignore[no-untyped-def]
    officer, leader, city = person("haidian_officer"), person("haidian_leader"), person("city_officer")
    lead = make_lead(officer, referrer="某招商服务公司", segment=segment)
    for name, who, params, now in [
        ("submit", officer, {}, T0), ("confirm", city, {}, T0),
        ("report_progress", officer, {"milestone": "agreement_signed", "date": "2026-12-01", "evidence": "协议"},
         at("2026-12-01 09:00")),
        ("approve_progress", leader, {}, at("2026-12-02 09:00")),
        ("land", leader, {"landed_on": "2026-12-10", "paid_in_capital_cny": paid_in}, at("2026-12-10 09:00")),
    ]:  # fmt: skip
        lead = fire(lead, name, who, now=now, **params)
    return lead


def test_a_non_manufacturing_lead_never_opens_a_reward_case_and_says_why(make_lead):
    lead = land(make_lead, segment="non_manufacturing", paid_in="6000000000")
    assert lead.reward_qualifies is False
    with translation.override("zh-hans"):  # records are kept in the official language
        assert str(policy.SEGMENTS["non_manufacturing"]) in lead.reward_reason
    assert "§15" in lead.reward_reason
    assert not RewardCase.objects.filter(lead=lead).exists()


@pytest.mark.parametrize(("paid_in", "opened"), [("5000000000", True), ("4999999999.99", False)])
def test_every_manufacturing_segment_is_rewarded_from_exactly_5_billion(make_lead, paid_in, opened):
    for segment in policy.MANUFACTURING_SEGMENTS:
        lead = land(make_lead, segment=segment, paid_in=paid_in)
        assert RewardCase.objects.filter(lead=lead).exists() is opened, segment
