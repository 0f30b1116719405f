"""Every transition of DESIGN §3 through the one service, with its effects and its refusals."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from cases.errors import Conflict, Invalid, NotFound, NotPermitted
from cases.models import Credit, Exclusion, Lead, Milestone, State
from tests.helpers import SH, at, fire, snapshot
from workflow.models import ClockStatus, TransitionRecord

T0 = at("2026-11-30 09:00")
# a milestone lies between the day the clock started (T0) and the day it is reported
PROGRESS = {"milestone": "agreement_signed", "date": "2026-12-05", "evidence": "签署投资框架协议"}


@pytest.fixture
def draft(make_lead, haidian_officer):  # type: ignore[no-untyped-def]
    return make_lead(haidian_officer)


@pytest.fixture
def pending(draft, haidian_officer):  # type: ignore[no-untyped-def]
    return fire(draft, "submit", haidian_officer, now=T0)


@pytest.fixture
def negotiating(pending, city_officer):  # type: ignore[no-untyped-def]
    return fire(pending, "confirm", city_officer, now=T0)


@pytest.fixture
def in_review(negotiating, haidian_officer):  # type: ignore[no-untyped-def]
    return fire(negotiating, "report_progress", haidian_officer, now=at("2026-12-10 09:00"), **PROGRESS)


@pytest.fixture
def progressing(in_review, haidian_leader):  # type: ignore[no-untyped-def]
    return fire(in_review, "approve_progress", haidian_leader, now=at("2026-12-11 09:00"))


@pytest.fixture
def push_requested(negotiating, haidian_leader):  # type: ignore[no-untyped-def]
    return fire(negotiating, "request_push", haidian_leader, reason="lacks_capacity", note="无可用工业用地")


@pytest.fixture
def escalated(negotiating):  # type: ignore[no-untyped-def]
    from workflow.due import process_due

    process_due(now=negotiating.clock.deadline_at)
    return Lead.objects.get(pk=negotiating.pk)


# --- submit ---------------------------------------------------------------------------------


def test_a_district_first_negotiation_lead_is_submitted_for_confirmation(pending):
    assert pending.state == State.PENDING_CONFIRMATION
    assert pending.unit is None
    assert pending.first_negotiation is True
    record = TransitionRecord.objects.get(subject_id=pending.pk, transition="submit")
    assert (record.source, record.target, record.actor.username) == (
        "draft",
        "pending_confirmation",
        "haidian_officer",
    )
    assert "§5" in record.rule


def test_a_small_district_lead_stays_with_the_district_without_a_clock(make_lead, haidian_officer):
    lead = fire(make_lead(haidian_officer, total_investment_cny="99999999.99"), "submit", haidian_officer)
    assert (lead.state, lead.unit.code, lead.clock) == (State.NEGOTIATING, "haidian", None)


def test_a_small_strategic_district_lead_goes_to_confirmation(make_lead, haidian_officer):
    lead = fire(
        make_lead(haidian_officer, total_investment_cny="1000", strategic=True), "submit", haidian_officer
    )
    assert lead.state == State.PENDING_CONFIRMATION


def test_a_city_lead_goes_to_the_city_pool(make_lead, city_officer):
    lead = fire(make_lead(city_officer, source="city"), "submit", city_officer)
    assert lead.state == State.PENDING_ASSIGNMENT


def test_a_first_negotiation_lead_of_exactly_100_million_goes_to_confirmation(make_lead, haidian_officer):
    lead = fire(make_lead(haidian_officer, total_investment_cny="100000000.00"), "submit", haidian_officer)
    assert (lead.state, lead.first_negotiation) == (State.PENDING_CONFIRMATION, True)


def test_a_funds_tip_a_district_registers_is_the_districts_discovery(make_lead, haidian_officer):
    """§5 "各区发现招商线索的项目": routing follows the discovering unit, not the source."""
    lead = fire(
        make_lead(haidian_officer, source="fund", referrer="北京高精尖产业发展基金"),
        "submit",
        haidian_officer,
    )
    assert (lead.state, lead.unit) == (State.PENDING_CONFIRMATION, None)
    assert (lead.referrer.name, lead.referrer.kind) == ("北京高精尖产业发展基金", "fund")
    record = TransitionRecord.objects.get(subject_id=lead.pk, transition="submit")
    assert (
        "海淀区" in record.rule and record.target == "pending_confirmation"
    )  # the unit by its name, not its code


def test_a_small_agency_tip_a_district_registers_stays_with_the_district(make_lead, haidian_officer):
    lead = fire(
        make_lead(
            haidian_officer, source="agency", referrer="某招商咨询公司", total_investment_cny="99999999.99"
        ),
        "submit",
        haidian_officer,
    )
    assert (lead.state, lead.unit.code, lead.clock) == (State.NEGOTIATING, "haidian", None)


def test_a_funds_tip_the_city_registers_goes_to_the_city_pool(make_lead, city_officer):
    lead = fire(
        make_lead(city_officer, source="fund", referrer="北京高精尖产业发展基金"), "submit", city_officer
    )
    assert lead.state == State.PENDING_ASSIGNMENT


def test_another_district_cannot_submit_the_draft(draft, shunyi_officer):
    before = snapshot(draft)
    with pytest.raises(NotFound):  # it cannot see the draft: for it the lead does not exist
        fire(draft, "submit", shunyi_officer)
    assert snapshot(draft) == before


# --- confirm / decline ----------------------------------------------------------------------


def test_confirm_makes_the_discoverer_the_first_negotiation_unit_and_starts_the_clock(negotiating):
    assert negotiating.state == State.NEGOTIATING
    assert negotiating.unit.code == negotiating.first_negotiation_unit.code == "haidian"
    assert negotiating.first_negotiation_confirmed_at == T0
    # D = 2027-02-28, a Sunday (2027 not loaded: Monday–Friday assumed) → the end of Monday, March 1st
    assert negotiating.clock.deadline_at == at("2027-03-02 00:00")
    assert negotiating.clock.status == ClockStatus.RUNNING


def test_a_district_officer_cannot_confirm(pending, haidian_officer, haidian_leader):
    before = snapshot(pending)
    for person in (haidian_officer, haidian_leader):
        with pytest.raises(NotPermitted):
            fire(pending, "confirm", person)
    assert snapshot(pending) == before


def test_a_city_leader_oversees_but_does_not_confirm(pending, city_leader):
    with pytest.raises(NotPermitted):
        fire(pending, "confirm", city_leader)


def test_decline_needs_a_reason_and_sends_the_lead_to_the_city_pool(pending, city_officer):
    before = snapshot(pending)
    with pytest.raises(Invalid) as err:
        fire(pending, "decline", city_officer, reason="   ")
    assert "reason" in err.value.errors
    assert snapshot(pending) == before
    lead = fire(pending, "decline", city_officer, reason="不属于首谈范围")
    assert (lead.state, lead.unit) == (State.PENDING_ASSIGNMENT, None)
    assert TransitionRecord.objects.get(subject_id=lead.pk, transition="decline").params == {
        "reason": "不属于首谈范围"
    }


# --- assign ----------------------------------------------------------------------------------


def test_assign_gives_the_lead_to_the_unit_and_starts_the_clock(make_lead, city_officer, shunyi_officer):
    lead = fire(make_lead(city_officer, source="city"), "submit", city_officer)
    lead = fire(lead, "assign", city_officer, now=T0, unit="shunyi")
    assert (lead.state, lead.unit.code, lead.first_negotiation_unit.code) == (
        "negotiating",
        "shunyi",
        "shunyi",
    )
    assert lead.clock.deadline_at == at("2027-03-02 00:00")


@pytest.mark.parametrize(
    ("unit", "error", "code"),
    [("nowhere", Invalid, "unknown_unit"), ("beijing", Invalid, "invalid"), ("", Invalid, "invalid")],
)
def test_assign_refuses_a_unit_that_cannot_take_it(make_lead, city_officer, unit, error, code):
    lead = fire(make_lead(city_officer, source="city"), "submit", city_officer)
    before = snapshot(lead)
    with pytest.raises(error) as err:
        fire(lead, "assign", city_officer, unit=unit)
    assert err.value.code == code
    assert snapshot(lead) == before


def test_a_small_lead_assigned_by_the_city_has_no_clock(make_lead, city_officer):
    lead = fire(
        make_lead(city_officer, source="city", total_investment_cny="5000000"), "submit", city_officer
    )
    lead = fire(lead, "assign", city_officer, unit="bda")
    assert (lead.state, lead.clock) == (State.NEGOTIATING, None)


# --- progress -----------------------------------------------------------------------------------


def test_report_progress_pauses_the_clock(in_review):
    assert in_review.state == State.PROGRESS_REVIEW
    assert in_review.clock.status == ClockStatus.PAUSED
    assert Milestone.objects.get(lead=in_review).status == "pending"


def test_a_late_report_after_the_deadline_is_refused_even_before_the_clock_escalates(
    negotiating, haidian_officer
):
    """The worker was down: the deadline passed and nothing escalated the lead yet. A milestone
    reported an hour later, dated that day, must not save the unit."""
    from workflow.due import process_due

    deadline = negotiating.clock.deadline_at
    late = deadline + timedelta(hours=1)
    before = snapshot(negotiating)
    with pytest.raises(Conflict) as err:
        fire(negotiating, "report_progress", haidian_officer, now=late, **{**PROGRESS, "date": _day(late)})
    assert err.value.code == "deadline_passed"
    assert deadline.strftime("%Y-%m-%d %H:%M") in err.value.messages()["zh-hans"]
    assert snapshot(negotiating) == before
    process_due(now=late + timedelta(hours=1))  # the worker is back: the lead escalates after all
    assert Lead.objects.get(pk=negotiating.pk).state == State.ESCALATED


def test_a_report_one_second_before_the_deadline_is_accepted(negotiating, haidian_officer):
    just_in_time = negotiating.clock.deadline_at - timedelta(seconds=1)
    lead = fire(
        negotiating,
        "report_progress",
        haidian_officer,
        now=just_in_time,
        **{**PROGRESS, "date": _day(just_in_time)},
    )
    assert lead.state == State.PROGRESS_REVIEW


def _day(moment: datetime) -> str:
    return moment.astimezone(SH).date().isoformat()


@pytest.mark.parametrize(
    ("day", "ok"),
    [
        ("2019-06-01", False),
        ("2026-11-29", False),
        ("2026-11-30", True),
        ("2026-12-10", True),
        ("2026-12-11", False),
    ],
)
def test_the_milestone_date_lies_between_the_clocks_start_and_today(negotiating, haidian_officer, day, ok):
    """The clock started on 2026-11-30 (T0); the report is made on 2026-12-10."""
    before = snapshot(negotiating)
    params = {**PROGRESS, "date": day}
    if ok:
        assert fire(
            negotiating, "report_progress", haidian_officer, now=at("2026-12-10 09:00"), **params
        ).state == (State.PROGRESS_REVIEW)
        return
    with pytest.raises(Invalid) as err:
        fire(negotiating, "report_progress", haidian_officer, now=at("2026-12-10 09:00"), **params)
    assert set(err.value.errors) == {"date"}
    assert snapshot(negotiating) == before


def test_a_lead_without_a_clock_takes_milestones_from_its_registration_day(make_lead, haidian_officer):
    lead = make_lead(haidian_officer, total_investment_cny="5000000")  # registered today, kept by Haidian
    lead = fire(lead, "submit", haidian_officer)
    with pytest.raises(Invalid) as err:
        fire(lead, "report_progress", haidian_officer, **{**PROGRESS, "date": "2019-06-01"})
    assert err.value.errors["date"][0]["code"] == "before_start"


def test_report_progress_refuses_a_future_date_and_an_unknown_milestone(negotiating, haidian_officer):
    before = snapshot(negotiating)
    with pytest.raises(Invalid) as err:
        fire(
            negotiating,
            "report_progress",
            haidian_officer,
            milestone="meeting",
            date="2999-01-01",
            evidence="x",
        )
    assert set(err.value.errors) == {"milestone", "date"}
    assert snapshot(negotiating) == before


def test_a_leader_approves_progress_and_the_clock_stops_for_good(progressing):
    assert progressing.state == State.PROGRESSING
    assert progressing.clock.status == ClockStatus.STOPPED
    assert progressing.progressed_at == at("2026-12-11 09:00")
    assert Milestone.objects.get(lead=progressing).status == "approved"


def test_an_officer_cannot_approve_progress(in_review, haidian_officer):
    before = snapshot(in_review)
    with pytest.raises(NotPermitted):
        fire(in_review, "approve_progress", haidian_officer)
    assert snapshot(in_review) == before


def test_reject_progress_resumes_the_clock_with_the_pause_added(in_review, haidian_leader):
    lead = fire(
        in_review, "reject_progress", haidian_leader, now=at("2026-12-15 09:00"), reason="仅为会谈纪要"
    )
    assert lead.state == State.NEGOTIATING
    assert lead.clock.status == ClockStatus.RUNNING
    assert lead.clock.deadline_at == at("2027-03-06 00:00")  # D + 5 days of review: the end of Fri March 5th
    assert Milestone.objects.get(lead=lead).decision_reason == "仅为会谈纪要"


# --- push -----------------------------------------------------------------------------------------


def test_request_push_pauses_the_clock(push_requested):
    assert push_requested.state == State.PUSH_REQUESTED
    assert push_requested.clock.status == ClockStatus.PAUSED


def test_request_push_needs_a_known_reason_and_a_note(negotiating, haidian_leader):
    before = snapshot(negotiating)
    with pytest.raises(Invalid) as err:
        fire(negotiating, "request_push", haidian_leader, reason="too_far")
    assert set(err.value.errors) == {"reason", "note"}
    assert snapshot(negotiating) == before


def test_an_officer_cannot_push(negotiating, haidian_officer):
    with pytest.raises(NotPermitted):
        fire(negotiating, "request_push", haidian_officer, reason="lacks_capacity", note="x")


def test_confirm_push_credits_and_excludes_the_pushing_unit(push_requested, city_officer, haidian_officer):
    lead = fire(push_requested, "confirm_push", city_officer)
    assert (lead.state, lead.unit) == (State.PENDING_ASSIGNMENT, None)
    assert list(Credit.objects.filter(lead=lead).values_list("unit__code", "kind")) == [
        ("haidian", "referral")
    ]
    assert list(Exclusion.objects.filter(lead=lead).values_list("unit__code", "reason")) == [
        ("haidian", "pushed")
    ]
    assert lead.clock.status == ClockStatus.STOPPED
    with pytest.raises(Conflict) as err:
        fire(lead, "assign", city_officer, unit="haidian")
    assert err.value.code == "excluded_unit"


def test_a_unit_handing_back_a_lead_the_city_gave_it_earns_no_referral_credit(
    make_lead, city_officer, haidian_leader
):
    """§5 "视同该区项目谋划引进成果" is the discovering unit's: a city-discovered lead assigned to Haidian
    and pushed back by Haidian credits nobody, the history says why, and §16 counts no referral."""
    from datetime import date

    from cases.outcomes import selectors as outcome_selectors

    lead = fire(make_lead(city_officer, source="city"), "submit", city_officer, now=T0)
    lead = fire(lead, "assign", city_officer, now=T0, unit="haidian")
    lead = fire(
        lead, "request_push", haidian_leader, now=at("2026-12-01 09:00"), reason="lacks_capacity", note="无地"
    )
    lead = fire(lead, "confirm_push", city_officer, now=at("2026-12-02 09:00"))
    assert (lead.state, lead.unit) == (State.PENDING_ASSIGNMENT, None)
    assert not Credit.objects.filter(lead=lead).exists()
    assert list(Exclusion.objects.filter(lead=lead).values_list("unit__code", "reason")) == [
        ("haidian", "pushed")
    ]
    record = TransitionRecord.objects.get(subject_id=lead.pk, transition="confirm_push")
    assert record.params == {"pushing_unit": "haidian", "referral_credit": False}
    assert "海淀区" in record.rule and "北京市" in record.rule
    report = outcome_selectors.kpis(start=date(2026, 12, 1), end=date(2026, 12, 31))
    assert next(r for r in report["units"] if r["unit"] == "haidian")["referral_credits"] == 0


def test_the_discovering_unit_pushing_its_own_lead_earns_the_credit(push_requested, city_officer):
    lead = fire(push_requested, "confirm_push", city_officer)
    record = TransitionRecord.objects.get(subject_id=lead.pk, transition="confirm_push")
    assert record.params == {"pushing_unit": "haidian", "referral_credit": True}
    assert "视同该区项目谋划引进成果" in record.rule


def test_reject_push_returns_the_lead_and_resumes_the_clock(push_requested, city_officer):
    lead = fire(push_requested, "reject_push", city_officer, reason="区内仍有载体")
    assert (lead.state, lead.unit.code, lead.clock.status) == ("negotiating", "haidian", "running")


# --- escalate / reassign ----------------------------------------------------------------------


def test_nobody_can_escalate_by_hand(negotiating, city_officer, haidian_leader):
    before = snapshot(negotiating)
    for person in (city_officer, haidian_leader):
        with pytest.raises(NotPermitted):
            fire(negotiating, "escalate", person)
    assert snapshot(negotiating) == before


def test_the_clock_escalates_and_excludes_the_unit(escalated):
    assert (escalated.state, escalated.unit) == (State.ESCALATED, None)
    assert list(Exclusion.objects.filter(lead=escalated).values_list("unit__code", "reason")) == [
        ("haidian", "clock_expired")
    ]
    record = TransitionRecord.objects.get(subject_id=escalated.pk, transition="escalate")
    assert record.actor is None
    assert record.params["deadline_at"] == at("2027-03-02 00:00").isoformat()


def test_reassign_refuses_the_excluded_unit_and_starts_a_new_clock(escalated, city_officer):
    before = snapshot(escalated)
    with pytest.raises(Conflict):
        fire(escalated, "reassign", city_officer, unit="haidian")
    assert snapshot(escalated) == before
    lead = fire(escalated, "reassign", city_officer, now=at("2027-03-02 10:00"), unit="bda")
    assert (lead.state, lead.unit.code) == ("negotiating", "bda")
    assert lead.clock.deadline_at == at("2027-06-03 00:00")  # the end of Wed June 2nd
    assert lead.clock_id != escalated.clock_id


# --- land / close -----------------------------------------------------------------------------------


def test_landing_records_the_facts_credit_and_reward_check(progressing, haidian_leader):
    lead = fire(
        progressing,
        "land",
        haidian_leader,
        now=at("2026-12-21 09:00"),
        landed_on="2026-12-20",
        paid_in_capital_cny="6000000000",
    )
    assert lead.state == State.LANDED
    assert (lead.paid_in_capital_cny, lead.actual_fdi_usd) == (Decimal("6000000000"), Decimal(0))
    assert lead.reward_qualifies is False  # no agency served it
    assert "无第三方机构" in lead.reward_reason  # records are kept in the official language
    assert list(Credit.objects.filter(lead=lead).values_list("unit__code", "kind")) == [
        ("haidian", "landing")
    ]


def test_an_agency_served_big_landing_qualifies_for_the_reward(
    make_lead, haidian_officer, haidian_leader, city_officer
):
    lead = make_lead(haidian_officer, referrer="某招商咨询公司", total_investment_cny="8000000000")
    for name, who, params, now in [
        ("submit", haidian_officer, {}, T0), ("confirm", city_officer, {}, T0),
        ("report_progress", haidian_officer, PROGRESS, at("2026-12-10 09:00")),
        ("approve_progress", haidian_leader, {}, at("2026-12-11 09:00")),
        ("land", haidian_leader, {"landed_on": "2026-12-20", "paid_in_capital_cny": "0", "actual_fdi_usd": "500000000"},
         at("2026-12-21 09:00")),
    ]:  # fmt: skip
        lead = fire(lead, name, who, now=now, **params)
    assert lead.reward_qualifies is True
    assert lead.reward_reason.startswith("§15")


def test_close_needs_a_reason_and_stops_the_clock(negotiating, haidian_leader):
    with pytest.raises(Invalid):
        fire(negotiating, "close", haidian_leader)
    lead = fire(negotiating, "close", haidian_leader, reason="企业放弃投资")
    assert (lead.state, lead.closed_reason, lead.clock.status) == ("closed", "企业放弃投资", "stopped")


def test_the_city_closes_any_lead_but_another_district_cannot(negotiating, city_officer, shunyi_leader):
    with pytest.raises(NotFound):
        fire(negotiating, "close", shunyi_leader, reason="x")
    assert fire(negotiating, "close", city_officer, reason="重复线索").state == State.CLOSED


def test_nothing_leaves_a_terminal_state(negotiating, city_officer):
    lead = fire(negotiating, "close", city_officer, reason="x")
    before = snapshot(lead)
    with pytest.raises(Conflict) as err:
        fire(lead, "close", city_officer, reason="again")
    assert err.value.code == "wrong_state"
    assert snapshot(lead) == before


# --- wrong state ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "actor", "params"),
    [
        ("submit", "haidian_officer", {}),
        ("confirm", "city_officer", {}),
        ("decline", "city_officer", {"reason": "x"}),
        ("assign", "city_officer", {"unit": "bda"}),
        ("approve_progress", "haidian_leader", {}),
        ("reject_progress", "haidian_leader", {"reason": "x"}),
        ("confirm_push", "city_officer", {}),
        ("reject_push", "city_officer", {"reason": "x"}),
        ("reassign", "city_officer", {"unit": "bda"}),
        ("land", "haidian_leader", {"landed_on": "2026-11-01", "paid_in_capital_cny": "1"}),
    ],
)
def test_transitions_from_the_wrong_state_are_conflicts_that_change_nothing(negotiating, name, actor, params):
    from cases.demo import person

    before = snapshot(negotiating)
    with pytest.raises(Conflict) as err:
        fire(negotiating, name, person(actor), **params)
    assert err.value.code == "wrong_state"
    assert snapshot(negotiating) == before


def test_an_unknown_transition_or_lead_is_not_found(negotiating, city_officer):
    with pytest.raises(NotFound):
        fire(negotiating, "teleport", city_officer)
    with pytest.raises(NotFound):
        fire(Lead(pk=999999), "confirm", city_officer)


def test_an_outsider_can_do_nothing(negotiating, outsider):
    before = snapshot(negotiating)
    for name in ("report_progress", "close", "request_push"):
        with pytest.raises(NotFound):
            fire(negotiating, name, outsider)
    assert snapshot(negotiating) == before
