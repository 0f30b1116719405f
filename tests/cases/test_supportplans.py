"""Support plans (支持方案, DESIGN §6b, measures §10): drafted by a city officer for a city major project,
co-signed by the finance bureau, approved by the city government, paid out never beyond the amount."""

import functools
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from cases.demo import person
from cases.errors import CaseError
from cases.majorprojects.models import MajorProject, MajorProjectState
from cases.supportplans import services
from cases.supportplans.machine import SUPPORT_PLAN_TYPE
from cases.supportplans.models import Disbursement, SupportPlan, SupportPlanGroupObjectPermission
from notifications.models import Notification
from tests.cases.specs.supportplans import major_project_lead, plan_for, plan_in
from tests.helpers import api, at, browser
from workflow import engine
from workflow.due import process_due
from workflow.models import Clock, TransitionRecord

PLAN = {
    "amount_cny": "5000000.00",
    "methods": ["equity", "landing_reward"],
    "terms": "达产后年产值不低于10亿元",
}
TODAY = "2026-11-29"  # the pinned moment's day (tests/fixtures.py)


@pytest.fixture
def people(db):  # type: ignore[no-untyped-def]
    names = ("city_officer", "city_leader", "haidian_officer", "haidian_leader", "shunyi_officer", "finance_officer",
             "government_leader", "talent_officer", "outsider")  # fmt: skip
    return {name: person(name) for name in names}


@pytest.fixture
def lead(make_lead, people):  # type: ignore[no-untyped-def]
    return major_project_lead(make_lead, 3001)


def post(user, path, body=None):  # type: ignore[no-untyped-def]
    return api(user).post(path, body or {}, format="json")


def act(people, plan_id, name, who, **body):  # type: ignore[no-untyped-def]
    return post(people[who], f"/api/support-plans/{plan_id}/transitions/{name}/", body)


def everything(plan_id=None):  # type: ignore[no-untyped-def]
    """All a refused request must leave as it was."""
    return {
        "plans": list(SupportPlan.objects.values().order_by("id")),
        "disbursements": Disbursement.objects.count(),
        "history": TransitionRecord.objects.count(),
        "grants": SupportPlanGroupObjectPermission.objects.count(),
        "clocks": Clock.objects.count(),
        "notifications": Notification.objects.count(),
    }


def told(kind):  # type: ignore[no-untyped-def]
    return sorted(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


# --- the whole path -----------------------------------------------------------------------------------


@pytest.mark.usefixtures("pinned_now")
def test_the_whole_path_draft_cosign_approve_two_disbursements_complete(people, lead):
    created = post(people["city_officer"], "/api/support-plans/", {"lead": lead.pk, **PLAN})
    assert created.status_code == 201, created.content
    plan = created.json()
    assert (plan["state"], plan["amount_cny"], plan["methods"]) == ("draft", "5000000.00", PLAN["methods"])
    assert plan["available_transitions"] == ["submit"]
    pid = plan["id"]

    assert act(people, pid, "submit", "city_officer").json()["state"] == "finance_review"
    assert told("support_plan_to_cosign") == ["finance_officer"]
    cosigned = act(people, pid, "cosign", "finance_officer", opinion="资金来源已落实，同意")
    assert cosigned.json()["state"] == "government_review"
    assert told("support_plan_to_approve") == ["government_leader"]
    approved = act(people, pid, "approve", "government_leader").json()
    assert approved["state"] == "implementing"
    assert approved["available_transitions"] == []  # the government decides; the city pays

    first = act(
        people, pid, "record_disbursement", "city_officer", amount_cny="2000000", date=TODAY, note="首笔"
    )
    assert first.status_code == 200, first.content
    second = act(people, pid, "record_disbursement", "city_officer", amount_cny="1500000.50", date=TODAY)
    body = second.json()
    assert (body["state"], body["disbursed_cny"], body["remaining_cny"]) == (
        "implementing", "3500000.50", "1499999.50",
    )  # fmt: skip
    assert [(d["amount_cny"], d["note"], d["recorded_by"]) for d in body["disbursements"]] == [
        ("2000000.00", "首笔", "city_officer"),
        ("1500000.50", "", "city_officer"),
    ]
    done = act(people, pid, "complete", "city_officer").json()
    assert done["state"] == "completed"
    assert [h["transition"] for h in done["history"]] == [
        "submit", "cosign", "approve", "record_disbursement", "record_disbursement", "complete",
    ]  # fmt: skip
    assert done["opinions"] == [
        {"transition": "cosign", "actor": "finance_officer", "at": done["history"][1]["at"],
         "text": "资金来源已落实，同意"},
    ]  # fmt: skip
    assert done["finance_opinion"] == "资金来源已落实，同意"
    assert done["history"][4]["params"]["disbursed_cny"] == "3500000.50"


@pytest.mark.usefixtures("pinned_now")
def test_the_finance_bureau_returns_it_to_draft_with_its_reason(people, lead):
    plan = plan_for(lead, "finance_review")
    response = act(people, plan.pk, "return", "finance_officer", reason="补充资金测算")
    assert response.json()["state"] == "draft"
    assert response.json()["decision_reason"] == "补充资金测算"
    assert told("support_plan_returned") == ["city_officer"]
    # resubmitted, it waits on the finance bureau again
    assert act(people, plan.pk, "submit", "city_officer").json()["state"] == "finance_review"


@pytest.mark.usefixtures("pinned_now")
@pytest.mark.parametrize(("name", "state"), [("return", "draft"), ("reject", "rejected")])
def test_the_government_returns_or_rejects_it_with_its_reason(people, lead, name, state):
    plan = plan_for(lead, "government_review")
    response = act(people, plan.pk, name, "government_leader", reason="不符合一事一议条件")
    assert (response.json()["state"], response.json()["decision_reason"]) == (state, "不符合一事一议条件")
    assert response.json()["opinions"][-1]["text"] == "不符合一事一议条件"


# --- rules and refusals ---------------------------------------------------------------------------------


def test_a_lead_that_is_not_a_major_project_is_refused_with_409_and_nothing_saved(people, make_lead):
    plain = make_lead(people["haidian_officer"], serial=3002)
    before = everything()
    response = post(people["city_officer"], "/api/support-plans/", {"lead": plain.pk, **PLAN})
    assert (response.status_code, response.json()["code"]) == (409, "not_major_project")
    assert everything() == before


def test_a_major_project_that_ended_is_refused_too(people, lead):
    MajorProject.objects.filter(lead=lead).update(state=MajorProjectState.ENDED)
    response = post(people["city_officer"], "/api/support-plans/", {"lead": lead.pk, **PLAN})
    assert response.status_code == 409


@pytest.mark.parametrize(
    "who", ["finance_officer", "government_leader", "haidian_officer", "city_leader", "outsider"]
)
def test_only_a_city_officer_drafts(people, lead, who):
    before = everything()
    assert post(people[who], "/api/support-plans/", {"lead": lead.pk, **PLAN}).status_code == 403
    assert everything() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"methods": []}, "methods"),
        ({"methods": ["equity", "equity"]}, "methods"),
        ({"methods": ["grant"]}, "methods"),
        ({"methods": "equity"}, "methods"),
        ({"amount_cny": "0"}, "amount_cny"),
        ({"amount_cny": "-5"}, "amount_cny"),
        ({"amount_cny": "1e400"}, "amount_cny"),
        ({"amount_cny": "12345678901234567.00"}, "amount_cny"),
        ({"amount_cny": "NaN"}, "amount_cny"),
        ({"terms": ""}, "terms"),
        ({"terms": "项" * 4001}, "terms"),
        ({"lead": "abc"}, "lead"),
        ({"lead": 10**20}, "lead"),
        ({"lead": 999_999}, "lead"),  # no such lead
    ],
)
def test_bad_drafts_are_400_naming_the_field_and_nothing_is_saved(people, lead, change, field):
    before = everything()
    response = post(people["city_officer"], "/api/support-plans/", {"lead": lead.pk, **PLAN, **change})
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert everything() == before


@pytest.mark.usefixtures("pinned_now")
def test_a_disbursement_beyond_the_approved_amount_is_409_and_nothing_is_written(people, lead):
    plan = plan_for(lead, "implementing")
    act(people, plan.pk, "record_disbursement", "city_officer", amount_cny="4000000", date=TODAY)
    before = everything()
    response = act(
        people, plan.pk, "record_disbursement", "city_officer", amount_cny="1000000.01", date=TODAY
    )
    assert (response.status_code, response.json()["code"]) == (409, "over_approved")
    assert everything() == before


@pytest.mark.usefixtures("pinned_now")
def test_a_disbursement_exactly_up_to_the_approved_amount_is_accepted(people, lead):
    plan = plan_for(lead, "implementing")
    act(people, plan.pk, "record_disbursement", "city_officer", amount_cny="4000000", date=TODAY)
    response = act(
        people, plan.pk, "record_disbursement", "city_officer", amount_cny="1000000.00", date=TODAY
    )
    assert (response.status_code, response.json()["remaining_cny"]) == (200, "0.00")
    refused = act(people, plan.pk, "record_disbursement", "city_officer", amount_cny="0.01", date=TODAY)
    assert refused.status_code == 409


@pytest.mark.usefixtures("pinned_now")
@pytest.mark.parametrize(
    "body",
    [
        {"amount_cny": "100", "date": "2026-11-30"},  # tomorrow
        {"amount_cny": "100", "date": "2026-11-28"},  # before the approval
        {"amount_cny": "100", "date": "2026-02-30"},
        {"amount_cny": "0", "date": TODAY},
        {"amount_cny": "100"},
        {"date": TODAY},
    ],
)
def test_a_bad_disbursement_is_400_and_nothing_is_written(people, lead, body):
    plan = plan_for(lead, "implementing")
    before = everything()
    response = act(people, plan.pk, "record_disbursement", "city_officer", **body)
    assert response.status_code == 400, response.content
    assert everything() == before


@pytest.mark.usefixtures("pinned_now")
def test_cosign_needs_an_opinion(people, lead):
    plan = plan_for(lead, "finance_review")
    before = everything()
    response = act(people, plan.pk, "cosign", "finance_officer", opinion="  ")
    assert (response.status_code, list(response.json()["errors"])) == (400, ["opinion"])
    assert everything() == before


# --- who sees what ----------------------------------------------------------------------------------


def visible(people, who):  # type: ignore[no-untyped-def]
    response = api(people[who]).get("/api/support-plans/")
    assert response.status_code == 200
    return sorted(p["id"] for p in response.json()["results"])


@pytest.mark.usefixtures("pinned_now")
def test_each_unit_sees_the_plans_it_should(people, lead):
    plan = plan_for(lead, "draft")
    mine = [plan.pk]
    for who in ("city_officer", "city_leader", "haidian_officer", "haidian_leader"):
        assert visible(people, who) == mine, who
    for who in ("finance_officer", "government_leader", "shunyi_officer", "talent_officer", "outsider"):
        assert visible(people, who) == [], who
        assert api(people[who]).get(f"/api/support-plans/{plan.pk}/").status_code == 404

    act(people, plan.pk, "submit", "city_officer")
    assert visible(people, "finance_officer") == mine
    assert visible(people, "government_leader") == []
    act(people, plan.pk, "return", "finance_officer", reason="补充材料")
    assert visible(people, "finance_officer") == mine  # it reached them: they keep seeing it
    act(people, plan.pk, "submit", "city_officer")
    act(people, plan.pk, "cosign", "finance_officer", opinion="同意")
    assert visible(people, "government_leader") == mine
    detail = api(people["finance_officer"]).get(f"/api/support-plans/{plan.pk}/").json()
    assert detail["available_transitions"] == []  # no longer theirs to co-sign
    assert (
        api(people["haidian_officer"]).get(f"/api/support-plans/{plan.pk}/").json()["available_transitions"]
        == []
    )


@pytest.mark.usefixtures("pinned_now")
def test_the_list_filters_by_state_and_lead(people, lead, make_lead):
    draft = plan_for(lead, "draft")
    other = plan_in("finance_review", make_lead, 3003)
    officer = api(people["city_officer"])
    assert [p["id"] for p in officer.get("/api/support-plans/?state=finance_review").json()["results"]] == [
        other.pk
    ]
    assert [p["id"] for p in officer.get(f"/api/support-plans/?lead={lead.pk}").json()["results"]] == [
        draft.pk
    ]
    assert officer.get("/api/support-plans/?lead=x").status_code == 400  # not an id


# --- the ladder (DESIGN §7) ---------------------------------------------------------------------------

SUBMITTED = at("2026-12-07 09:00")  # a Monday


def test_a_plan_waiting_on_finance_reminds_its_officers_then_escalates_to_the_city_leaders(people, lead):
    plan = services.support_plan_create(actor=people["city_officer"], data={"lead": lead.pk, **PLAN})
    engine.fire(SUPPORT_PLAN_TYPE, pk=plan.pk, name="submit", actor=people["city_officer"], now=SUBMITTED)
    process_due(now=at("2026-12-14 08:59"))
    assert told("wait_reminder") == []
    process_due(now=at("2026-12-14 09:00"))  # 5 working days
    assert told("wait_reminder") == ["finance_officer"]
    process_due(now=at("2026-12-21 08:59"))
    assert told("wait_escalation") == []
    process_due(now=at("2026-12-21 09:00"))  # 10 working days
    assert told("wait_escalation") == ["city_leader"]
    note = Notification.objects.get(kind="wait_escalation")
    assert note.params == {
        "lead_name": lead.name, "case": "support_plan", "case_id": note.params["case_id"], "state": "finance_review",
        "days": 10,
    }  # fmt: skip
    assert SupportPlan.objects.filter(pk=note.params["case_id"], lead=lead).exists()


def test_the_government_review_has_a_ladder_of_its_own_and_a_decision_stops_it(people, lead):
    plan = services.support_plan_create(actor=people["city_officer"], data={"lead": lead.pk, **PLAN})
    engine.fire(SUPPORT_PLAN_TYPE, pk=plan.pk, name="submit", actor=people["city_officer"], now=SUBMITTED)
    cosigned = at("2026-12-11 09:00")  # four working days later: finance acted in time
    engine.fire(SUPPORT_PLAN_TYPE, pk=plan.pk, name="cosign", actor=people["finance_officer"],
                params={"opinion": "同意"}, now=cosigned)  # fmt: skip
    process_due(now=at("2026-12-17 09:00"))
    assert told("wait_reminder") == []  # the finance ladder stopped; the government's counts from Dec 11
    process_due(now=at("2026-12-18 09:00"))
    assert told("wait_reminder") == ["government_leader"]
    engine.fire(SUPPORT_PLAN_TYPE, pk=plan.pk, name="approve", actor=people["government_leader"],
                now=at("2026-12-18 10:00"))  # fmt: skip
    process_due(now=at("2027-01-29 09:00"))
    assert told("wait_escalation") == []
    assert not Clock.objects.filter(kind__startswith="support_plan_wait", status="running").exists()


# --- pages ------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("pinned_now")
def test_the_finance_officer_finds_the_plan_in_the_queue_and_cosigns_it_on_the_page(people, lead):
    plan = plan_for(lead, "finance_review")
    page = browser(people["finance_officer"])
    queue = page.get("/cases/supportplans/").content.decode()
    assert 'id="to-cosign"' in queue and f'data-support-plan="{plan.pk}"' in queue
    detail = page.get(f"/cases/supportplans/{plan.pk}/").content.decode()
    assert 'data-action="cosign"' in detail and 'data-action="return"' in detail
    assert page.get(f"/cases/supportplans/{plan.pk}/do/cosign/").status_code == 200
    assert browser(people["government_leader"]).get(f"/cases/supportplans/{plan.pk}/").status_code == 404
    refused = page.post(f"/cases/supportplans/{plan.pk}/do/cosign/", {"opinion": ""})
    assert refused.status_code == 400
    done = page.post(f"/cases/supportplans/{plan.pk}/do/cosign/", {"opinion": "同意"})
    assert done.status_code == 302
    assert SupportPlan.objects.get(pk=plan.pk).state == "government_review"


@pytest.mark.usefixtures("pinned_now")
def test_the_city_officer_drafts_from_the_lead_page_and_records_a_payment(people, lead):
    page = browser(people["city_officer"])
    lead_page = page.get(f"/cases/leads/{lead.pk}/").content.decode()
    assert 'id="draft-support-plan"' in lead_page
    form = page.get(f"/cases/supportplans/new/?lead={lead.pk}")
    assert form.status_code == 200
    bad = page.post("/cases/supportplans/new/", {"lead": lead.pk, "amount_cny": "100", "terms": "x"})
    assert bad.status_code == 400 and SupportPlan.objects.count() == 0
    made = page.post("/cases/supportplans/new/", {"lead": lead.pk, "amount_cny": "100", "methods": ["equity"],
                                                 "terms": "x"})  # fmt: skip
    assert made.status_code == 302
    plan = SupportPlan.objects.get()
    assert 'id="lead-support-plans"' in page.get(f"/cases/leads/{lead.pk}/").content.decode()
    for name, who, params in (("submit", "city_officer", {}), ("cosign", "finance_officer", {"opinion": "同意"}),
                              ("approve", "government_leader", {})):  # fmt: skip
        engine.fire(SUPPORT_PLAN_TYPE, pk=plan.pk, name=name, actor=people[who], params=params)
    assert page.get(f"/cases/supportplans/{plan.pk}/do/record_disbursement/").status_code == 200
    paid = page.post(
        f"/cases/supportplans/{plan.pk}/do/record_disbursement/", {"amount_cny": "60", "date": TODAY}
    )
    assert paid.status_code == 302
    detail = page.get(f"/cases/supportplans/{plan.pk}/").content.decode()
    assert 'id="disbursements"' in detail and 'id="disbursed-remaining">40万元<' in detail  # typed in 万元


def test_a_plan_page_is_404_for_those_who_may_not_see_it(people, lead):
    plan = services.support_plan_create(actor=people["city_officer"], data={"lead": lead.pk, **PLAN})
    assert browser(people["shunyi_officer"]).get(f"/cases/supportplans/{plan.pk}/").status_code == 404
    assert (
        browser(people["finance_officer"]).get(f"/cases/supportplans/{plan.pk}/do/cosign/").status_code == 404
    )


# --- races (PostgreSQL) --------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
def test_two_disbursements_at_once_never_exceed_the_approved_amount(make_lead):
    from tests.cases.test_concurrency import race

    officer = person("city_officer")
    for serial in range(10):
        plan = plan_in("implementing", make_lead, 3100 + serial)
        params = {"amount_cny": "3000000", "date": str(timezone.localdate(plan.approved_at))}
        pay = functools.partial(
            engine.fire,
            SUPPORT_PLAN_TYPE,
            pk=plan.pk,
            name="record_disbursement",
            actor=officer,
            params=params,
        )
        results = race(pay, pay)
        refused = [r for r in results if isinstance(r, CaseError)]
        assert [(r.status, r.code) for r in refused] == [(409, "over_approved")], results
        plan.refresh_from_db()
        assert plan.disbursed_cny == Decimal("3000000") == sum(d.amount_cny for d in plan.disbursements.all())


def test_a_plan_goes_no_further_once_its_project_ended(make_lead, city_leader, city_officer):
    from cases.majorprojects.machine import MAJOR_PROJECT

    plan = plan_in("draft", make_lead, 777)
    project = plan.lead.major_project
    engine.fire(
        MAJOR_PROJECT, pk=project.pk, name="end", actor=city_leader, params={"reason": "不再列为重大项目"}
    )
    before = (SupportPlan.objects.filter(pk=plan.pk).values().get(), Disbursement.objects.count())
    response = api(city_officer).post(f"/api/support-plans/{plan.pk}/transitions/submit/", {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "not_major_project"
    assert (SupportPlan.objects.filter(pk=plan.pk).values().get(), Disbursement.objects.count()) == before


def test_a_plan_awaiting_a_cosignature_or_a_decision_is_on_that_persons_home_page(people, lead):
    import re

    def card(who: str) -> dict[str, int]:
        html = browser(people[who]).get("/cases/queue/").content.decode()
        found = dict(
            re.findall(r'data-awaiting="(\w+)"><a href="[^"]+">[^<]+</a> <span class="sc-badge">(\d+)<', html)
        )
        total = int(re.search(r'id="awaiting-count">(\d+)<', html).group(1))  # type: ignore[union-attr]
        return {**{k: int(v) for k, v in found.items()}, "total": total}

    plan = services.support_plan_create(actor=people["city_officer"], data={"lead": lead.pk, **PLAN})
    assert card("finance_officer") == {"total": 0}
    engine.fire(SUPPORT_PLAN_TYPE, pk=plan.pk, name="submit", actor=people["city_officer"])
    assert card("finance_officer") == {"supportplans": 1, "total": 1} and card("government_leader") == {
        "total": 0
    }
    engine.fire(
        SUPPORT_PLAN_TYPE,
        pk=plan.pk,
        name="cosign",
        actor=people["finance_officer"],
        params={"opinion": "同意"},
    )
    assert card("finance_officer") == {"total": 0} and card("government_leader") == {
        "supportplans": 1,
        "total": 1,
    }
