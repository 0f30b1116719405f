"""The city rules on the strategic flag (DESIGN §3, §5 "具有全局性、战略性的项目"): the registering officer
proposes it; the city rules when confirming, declining or assigning, or later (`rule_strategic`), with a
reason. The ruling re-runs the §5 eligibility, is recorded in the history, and starts or stops the clock."""

import pytest

from cases.errors import Conflict, Invalid, NotFound, NotPermitted
from cases.models import Lead, State
from tests.helpers import at, fire, snapshot
from workflow.due import process_due
from workflow.models import Clock, ClockStatus, TransitionRecord

T0 = at("2026-11-30 09:00")
SMALL = "5000000"  # 500万元: below the §5 threshold, first negotiation only if strategic
RULE = {"strategic": True, "reason": "属于全市重点布局的战略性项目"}


def history(lead: Lead, name: str) -> TransitionRecord:
    return TransitionRecord.objects.filter(subject_id=lead.pk, transition=name).latest("id")


@pytest.fixture
def small_with_haidian(make_lead, haidian_officer):  # type: ignore[no-untyped-def]
    """A small lead Haidian discovered and keeps, without a clock."""
    lead = fire(make_lead(haidian_officer, total_investment_cny=SMALL), "submit", haidian_officer, now=T0)
    assert (lead.state, lead.clock, lead.first_negotiation) == (State.NEGOTIATING, None, False)
    return lead


@pytest.fixture
def proposed_strategic(make_lead, haidian_officer):  # type: ignore[no-untyped-def]
    """A small lead the Haidian officer proposes as strategic: it waits for the city's confirmation."""
    lead = make_lead(haidian_officer, total_investment_cny=SMALL, strategic=True)
    return fire(lead, "submit", haidian_officer, now=T0)


# --- ruling while confirming, declining, assigning ---------------------------------------------------


def test_confirming_with_a_not_strategic_ruling_gives_the_lead_without_a_clock(
    proposed_strategic, city_officer
):
    lead = fire(
        proposed_strategic,
        "confirm",
        city_officer,
        now=T0,
        strategic=False,
        strategic_reason="仅为一般配套项目",
    )
    assert (lead.state, lead.unit.code, lead.strategic, lead.first_negotiation) == (
        State.NEGOTIATING, "haidian", False, False,
    )  # fmt: skip
    assert lead.clock is None
    record = history(lead, "confirm")
    assert record.params == {
        "strategic": False, "strategic_reason": "仅为一般配套项目", "strategic_before": True,
        "first_negotiation": False, "unit": "haidian",
    }  # fmt: skip
    assert "仅为一般配套项目" in record.rule and "§5" in record.rule


def test_confirming_without_a_ruling_keeps_the_proposal_and_records_nothing_more(
    proposed_strategic, city_officer
):
    lead = fire(proposed_strategic, "confirm", city_officer, now=T0)
    assert (lead.strategic, lead.first_negotiation, lead.clock.status) == (True, True, ClockStatus.RUNNING)
    assert history(lead, "confirm").params == {
        "unit": "haidian",
        "deadline_at": lead.clock.deadline_at.isoformat(),
    }


def test_declining_with_a_strategic_ruling_makes_a_small_lead_first_negotiation(
    make_lead, city_officer, haidian_officer
):
    lead = fire(
        make_lead(haidian_officer, total_investment_cny="100000000"), "submit", haidian_officer, now=T0
    )
    lead = fire(
        lead, "decline", city_officer, now=T0, reason="由市级统筹", strategic=True, strategic_reason="战略性"
    )
    assert (lead.state, lead.strategic, lead.first_negotiation) == (State.PENDING_ASSIGNMENT, True, True)
    assert history(lead, "decline").params["reason"] == "由市级统筹"


def test_assigning_with_a_strategic_ruling_starts_the_clock(make_lead, city_officer):
    lead = fire(
        make_lead(city_officer, source="city", total_investment_cny=SMALL), "submit", city_officer, now=T0
    )
    lead = fire(
        lead, "assign", city_officer, now=T0, unit="shunyi", strategic=True, strategic_reason="战略性"
    )
    assert (lead.first_negotiation, lead.first_negotiation_unit.code) == (True, "shunyi")
    assert lead.clock.status == ClockStatus.RUNNING


def test_assigning_with_a_not_strategic_ruling_starts_no_clock(make_lead, city_officer):
    lead = make_lead(city_officer, source="city", total_investment_cny=SMALL, strategic=True)
    lead = fire(lead, "submit", city_officer, now=T0)
    lead = fire(
        lead, "assign", city_officer, now=T0, unit="shunyi", strategic=False, strategic_reason="一般项目"
    )
    assert (lead.state, lead.first_negotiation, lead.clock) == (State.NEGOTIATING, False, None)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"strategic": True}, "strategic_reason"),  # a ruling needs its reason
        ({"strategic": False, "strategic_reason": "  "}, "strategic_reason"),
        ({"strategic_reason": "理由"}, "strategic"),  # a reason without a ruling
        ({"strategic": "maybe", "strategic_reason": "理由"}, "strategic"),
        ({"strategic": True, "strategic_reason": "x" * 2001}, "strategic_reason"),
    ],
)
def test_a_ruling_with_bad_input_is_refused_and_nothing_changes(
    proposed_strategic, city_officer, params, field
):
    before = snapshot(proposed_strategic)
    with pytest.raises(Invalid) as err:
        fire(proposed_strategic, "confirm", city_officer, now=T0, **params)
    assert set(err.value.errors) == {field}
    assert snapshot(proposed_strategic) == before


# --- ruling later: rule_strategic -------------------------------------------------------------------


def test_ruling_a_negotiating_lead_strategic_starts_its_clock_and_leaves_its_state(
    small_with_haidian, city_officer
):
    later = at("2026-12-10 09:00")
    lead = fire(small_with_haidian, "rule_strategic", city_officer, now=later, **RULE)
    assert (lead.state, lead.unit.code, lead.strategic, lead.first_negotiation) == (
        State.NEGOTIATING, "haidian", True, True,
    )  # fmt: skip
    assert (lead.first_negotiation_unit.code, lead.first_negotiation_confirmed_at) == ("haidian", later)
    assert (lead.clock.status, lead.clock.started_at) == (ClockStatus.RUNNING, later)
    record = history(lead, "rule_strategic")
    assert (record.source, record.target, record.actor.username) == (
        "negotiating",
        "negotiating",
        "city_officer",
    )
    assert record.params == {
        "strategic": True, "reason": RULE["reason"], "strategic_before": False, "first_negotiation": True,
        "first_negotiation_unit": "haidian", "deadline_at": lead.clock.deadline_at.isoformat(),
    }  # fmt: skip
    assert "§5" in record.rule and RULE["reason"] in record.rule


def test_ruling_a_lead_not_strategic_stops_its_clock_and_it_never_escalates(proposed_strategic, city_officer):
    lead = fire(proposed_strategic, "confirm", city_officer, now=T0)
    deadline = lead.clock.deadline_at
    lead = fire(
        lead,
        "rule_strategic",
        city_officer,
        now=at("2026-12-10 09:00"),
        strategic=False,
        reason="复核后不属于",
    )
    assert (lead.first_negotiation, lead.clock.status) == (False, ClockStatus.STOPPED)
    assert history(lead, "rule_strategic").params["clock_stopped"] is True
    process_due(now=deadline)
    assert Lead.objects.get(pk=lead.pk).state == State.NEGOTIATING


def test_a_big_lead_stays_first_negotiation_whatever_the_ruling(make_negotiating, city_officer):
    lead = make_negotiating(now=T0)
    clock = lead.clock.pk
    lead = fire(lead, "rule_strategic", city_officer, now=T0, strategic=False, reason="非战略性")
    assert (lead.first_negotiation, lead.clock.pk, lead.clock.status) == (True, clock, ClockStatus.RUNNING)


def test_a_lead_under_review_that_becomes_eligible_gets_its_clock_paused(small_with_haidian, haidian_officer,
                                                                         haidian_leader, city_officer):  # fmt: skip
    lead = fire(
        small_with_haidian, "report_progress", haidian_officer, now=at("2026-12-01 09:00"),
        milestone="agreement_signed", date="2026-12-01", evidence="协议",
    )  # fmt: skip
    lead = fire(lead, "rule_strategic", city_officer, now=at("2026-12-02 09:00"), **RULE)
    assert (lead.state, lead.clock.status) == (State.PROGRESS_REVIEW, ClockStatus.PAUSED)
    lead = fire(lead, "reject_progress", haidian_leader, now=at("2026-12-05 09:00"), reason="仅为意向")
    assert (lead.state, lead.clock.status) == (State.NEGOTIATING, ClockStatus.RUNNING)


def test_a_ruling_does_not_restart_the_wait_for_the_citys_confirmation(proposed_strategic, city_officer):
    """A self-loop leaves the case waiting as it was: the confirmation ladder keeps its start."""
    ladder = list(
        Clock.objects.filter(subject_id=proposed_strategic.pk, kind__startswith="lead_wait").values()
    )
    lead = fire(proposed_strategic, "rule_strategic", city_officer, now=at("2026-12-03 09:00"), **RULE)
    assert lead.state == State.PENDING_CONFIRMATION
    assert list(Clock.objects.filter(subject_id=lead.pk, kind__startswith="lead_wait").values()) == ladder
    assert len(ladder) == 2


def test_only_city_officers_rule(
    small_with_haidian, haidian_officer, haidian_leader, city_leader, shunyi_officer
):
    before = snapshot(small_with_haidian)
    for person in (haidian_officer, haidian_leader, city_leader):
        with pytest.raises(NotPermitted):
            fire(small_with_haidian, "rule_strategic", person, **RULE)
    with pytest.raises(NotFound):
        fire(small_with_haidian, "rule_strategic", shunyi_officer, **RULE)
    assert snapshot(small_with_haidian) == before


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({}, {"strategic", "reason"}),
        ({"strategic": True, "reason": "   "}, {"reason"}),
        ({"strategic": None, "reason": "x"}, {"strategic"}),
        ({"strategic": ["yes"], "reason": {"a": 1}}, {"strategic", "reason"}),
        ({"strategic": True, "reason": "x" * 2001}, {"reason"}),
    ],
)
def test_a_later_ruling_with_bad_input_is_refused_and_nothing_changes(
    small_with_haidian, city_officer, params, fields
):
    before = snapshot(small_with_haidian)
    with pytest.raises(Invalid) as err:
        fire(small_with_haidian, "rule_strategic", city_officer, **params)
    assert set(err.value.errors) == fields
    assert snapshot(small_with_haidian) == before


def test_a_closed_lead_takes_no_ruling(small_with_haidian, city_officer):
    lead = fire(small_with_haidian, "close", city_officer, reason="企业放弃")
    before = snapshot(lead)
    with pytest.raises(Conflict) as err:
        fire(lead, "rule_strategic", city_officer, **RULE)
    assert err.value.code == "wrong_state"
    assert snapshot(lead) == before


def test_the_ruling_over_the_api_and_on_the_page(small_with_haidian, city_officer):
    from django.test import Client
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(city_officer)
    body = api.get(f"/api/leads/{small_with_haidian.pk}/").json()
    assert "rule_strategic" in body["available_transitions"]
    bad = api.post(
        f"/api/leads/{small_with_haidian.pk}/transitions/rule_strategic/", {"strategic": True}, format="json"
    )
    assert bad.status_code == 400 and "reason" in bad.json()["errors"]
    page = Client(HTTP_HOST="localhost")
    page.force_login(city_officer)
    form = page.get(f"/cases/leads/{small_with_haidian.pk}/do/rule_strategic/").content.decode()
    assert 'name="strategic"' in form and 'value="false"' in form
    response = page.post(
        f"/cases/leads/{small_with_haidian.pk}/do/rule_strategic/", {"strategic": "true", "reason": "战略性"}
    )
    assert response.status_code == 302
    assert Lead.objects.get(pk=small_with_haidian.pk).first_negotiation is True
