"""Recommendations, credits, §15 rewards and bulk import (the §16 KPIs: test_kpis.py)."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from cases.demo import person
from cases.errors import Conflict, Invalid, NotFound, NotPermitted
from cases.models import RewardCase
from cases.outcomes import selectors as outcome_selectors
from cases.outcomes import services as outcome_services
from cases.outcomes.machine import REWARD
from tests.helpers import at, fire
from workflow import engine

# a milestone lies between its clock's start and the day it is reported (DESIGN §3)
PROGRESS = {"milestone": "agreement_signed", "date": "2026-11-10", "evidence": "协议"}


def api(user):  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- recommendations ------------------------------------------------------------------------------


def test_an_integrated_circuits_lead_ranks_the_units_with_that_industry_first(make_lead, city_officer):
    lead = fire(make_lead(city_officer, source="city", sector="integrated_circuits"), "submit", city_officer)
    ranked = outcome_selectors.lead_recommendations(lead=lead)
    assert {r["unit"] for r in ranked[:3]} == {"bda", "haidian", "shunyi"}
    assert all(r["score"] < ranked[2]["score"] for r in ranked[3:])
    assert any("集成电路" in reason for reason in ranked[0]["reasons"])
    assert "beijing" not in {r["unit"] for r in ranked} and len(ranked) == 17


def test_capacity_and_record_move_a_unit_up_and_an_excluded_unit_never_appears(make_negotiating, city_officer,
                                                                              haidian_leader, shunyi_officer):  # fmt: skip
    outcome_services.capacity_update(
        actor=shunyi_officer,
        unit_code="shunyi",
        data={"industrial_land_mu": "500", "factory_space_m2": "80000"},
    )
    lead = make_negotiating(now=at("2026-11-30 09:00"))
    fire(lead, "request_push", haidian_leader, reason="lacks_capacity", note="无地")
    fire(lead, "confirm_push", city_officer)
    ranked = api(city_officer).get(f"/api/leads/{lead.pk}/recommendations/").json()
    assert "haidian" not in [r["unit"] for r in ranked]  # it pushed the lead: excluded
    assert ranked[0]["unit"] == "shunyi" and ranked[0]["score"] == 85.0
    assert any("500" in reason for reason in ranked[0]["reasons"])


def test_only_a_units_people_update_its_capacity(shunyi_officer, haidian_officer):
    with pytest.raises(NotPermitted):
        outcome_services.capacity_update(
            actor=haidian_officer,
            unit_code="shunyi",
            data={"industrial_land_mu": "1", "factory_space_m2": "1"},
        )
    assert api(shunyi_officer).put("/api/units/shunyi/capacity/", {"industrial_land_mu": "120.5", "factory_space_m2": "3000"},
                                   format="json").json()["industrial_land_mu"] == "120.50"  # fmt: skip


# --- rewards and credits --------------------------------------------------------------------------


def landed(make_lead, *, paid_in="0", fdi="0", referrer="某招商服务公司", source="district", serial=None):  # type: ignore[no-untyped-def]
    officer, leader, city = person("haidian_officer"), person("haidian_leader"), person("city_officer")
    lead = make_lead(officer, referrer=referrer, source=source, serial=serial)
    # Haidian discovered it, whatever its source (a fund's tip too): the city confirms Haidian's claim
    for name, who, params, now in [("submit", officer, {}, "2026-11-02"), ("confirm", city, {}, "2026-11-02"),
                                   ("report_progress", officer, PROGRESS, "2026-11-10"),
                                   ("approve_progress", leader, {}, "2026-11-10"),
                                   ("land", leader, {"landed_on": "2026-11-20", "paid_in_capital_cny": paid_in,
                                                     "actual_fdi_usd": fdi}, "2026-11-20")]:  # fmt: skip
        lead = fire(lead, name, who, now=at(f"{now} 09:00"), **params)
    return lead


@pytest.mark.parametrize(
    ("paid_in", "fdi", "opened"),
    [
        ("5000000000", "0", True),
        ("4999999999.99", "0", False),
        ("0", "500000000", True),
        ("0", "499999999.99", False),
    ],
)
def test_a_reward_case_opens_exactly_at_the_thresholds(make_lead, paid_in, fdi, opened):
    lead = landed(make_lead, paid_in=paid_in, fdi=fdi)
    assert RewardCase.objects.filter(lead=lead).exists() is opened
    if opened:
        case = RewardCase.objects.get(lead=lead)
        assert (case.unit.code, case.agency.name, case.amount_cny, case.state) == (
            "haidian",
            "某招商服务公司",
            Decimal("10000000"),
            "open",
        )
        # the landing facts at the column's precision, as the landing input holds them
        assert case.facts["paid_in_capital_cny"] == f"{Decimal(paid_in):.2f}" and case.facts[
            "rule"
        ].startswith("§15")


def test_the_landing_units_leader_approves_at_least_10_million_then_pays(
    make_lead, haidian_leader, haidian_officer, shunyi_leader
):
    case = RewardCase.objects.get(lead=landed(make_lead, paid_in="6000000000"))
    with pytest.raises(Invalid):
        engine.fire(
            REWARD, pk=case.pk, name="approve", actor=haidian_leader, params={"amount_cny": "9999999"}
        )
    for person_, refusal in ((haidian_officer, NotPermitted), (shunyi_leader, NotFound)):
        with pytest.raises(refusal):
            engine.fire(REWARD, pk=case.pk, name="approve", actor=person_, params={})
    case = engine.fire(
        REWARD, pk=case.pk, name="approve", actor=haidian_leader, params={"amount_cny": "20000000"}
    )
    with pytest.raises(Conflict):
        engine.fire(REWARD, pk=case.pk, name="reject", actor=haidian_leader, params={"reason": "x"})
    body = api(haidian_leader).post(f"/api/rewards/{case.pk}/transitions/pay/", {}, format="json").json()
    assert (body["state"], body["amount_cny"]) == ("paid", "20000000.00")


def test_fund_attribution_once_per_landed_fund_lead(make_lead, city_officer, haidian_leader):
    lead = landed(make_lead, referrer="北京高精尖产业发展基金", source="fund")
    with pytest.raises(NotPermitted):
        outcome_services.fund_attribute(lead_id=lead.pk, actor=haidian_leader, data={"amount_cny": "1"})
    with pytest.raises(Invalid):
        outcome_services.fund_attribute(
            lead_id=lead.pk, actor=city_officer, data={"amount_cny": "999999999999"}
        )
    response = api(city_officer).post(
        f"/api/leads/{lead.pk}/fund_attribution/", {"amount_cny": "30000000", "note": "跟投"}, format="json"
    )
    assert response.status_code == 201
    with pytest.raises(Conflict):
        outcome_services.fund_attribute(lead_id=lead.pk, actor=city_officer, data={"amount_cny": "1"})
    credits = api(city_officer).get("/api/credits/").json()["results"]
    assert {(c["kind"], c["unit"], c["referrer_name"], c["amount_cny"]) for c in credits} == {
        ("fund", None, "北京高精尖产业发展基金", "30000000.00"), ("landing", "haidian", None, None)
    }  # fmt: skip


def test_a_non_fund_lead_cannot_be_attributed(make_lead, city_officer):
    with pytest.raises(Conflict):
        outcome_services.fund_attribute(
            lead_id=landed(make_lead).pk, actor=city_officer, data={"amount_cny": "1"}
        )
