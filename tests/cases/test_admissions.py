"""Admission support (DESIGN §6b, §14): the lead's district asks, the city leaders decide, and an
approved support is the city's recorded reason where §8 would rank the unit out."""

import json

import pytest
from django.test import Client

from cases.admissions.models import AdmissionSupport, AdmissionSupportGroupObjectPermission
from cases.demo import person
from cases.models import Lead
from notifications.models import Notification
from tests.helpers import api, fire, snapshot
from workflow.models import TransitionRecord

pytestmark = pytest.mark.usefixtures("pinned_now")

ASK = {
    "chain_leader": "京东方科技集团",
    "standard_not_met": "投资强度低于每亩800万元",
    "justification": "链主配套项目",
}


@pytest.fixture
def production(make_lead, haidian_officer):  # type: ignore[no-untyped-def]
    """A production line Haidian discovered and claims: awaiting the city (§8 ranks Haidian out)."""
    return fire(make_lead(haidian_officer, segment="production"), "submit", haidian_officer)


def ask(case, who="haidian_officer", **overrides):  # type: ignore[no-untyped-def]
    body = json.dumps({"lead": case.pk, **ASK, **overrides})  # a lone surrogate as JSON escapes it
    return api(person(who)).post("/api/admission-supports/", body, content_type="application/json")


def act(support_id, name, who, **params):  # type: ignore[no-untyped-def]
    return api(person(who)).post(
        f"/api/admission-supports/{support_id}/transitions/{name}/", params, format="json"
    )


def everything(lead):  # type: ignore[no-untyped-def]
    return (
        snapshot(lead),
        list(AdmissionSupport.objects.values()),
        AdmissionSupportGroupObjectPermission.objects.count(),
        TransitionRecord.objects.count(),
    )


@pytest.fixture
def draft(production):  # type: ignore[no-untyped-def]
    response = ask(production)
    assert response.status_code == 201, response.content
    return response.json()["id"]


@pytest.fixture
def submitted(draft):  # type: ignore[no-untyped-def]
    assert act(draft, "submit", "haidian_officer").status_code == 200
    return draft


# --- asking ---------------------------------------------------------------------------------------


def test_the_leads_district_asks_for_admission_support(production):
    response = ask(production)

    assert response.status_code == 201
    body = response.json()
    assert (body["state"], body["unit"], body["lead"], body["chain_leader"]) == (
        "draft",
        "haidian",
        production.pk,
        ASK["chain_leader"],
    )
    assert body["available_transitions"] == ["submit"] and body["history"] == []


@pytest.mark.parametrize(("who", "status"), [("shunyi_officer", 400), ("outsider", 400), ("city_officer", 403),
                                             ("city_leader", 403), ("haidian_leader", 403)])  # fmt: skip
def test_only_the_officers_of_the_leads_unit_ask(production, who, status):
    before = everything(production)
    assert ask(production, who).status_code == status
    assert everything(production) == before


def test_a_draft_lead_has_no_admission_support(make_lead, haidian_officer):
    lead = make_lead(haidian_officer)
    before = everything(lead)
    response = ask(lead)
    assert response.status_code == 409 and response.json()["code"] == "lead_not_open"
    assert everything(lead) == before


@pytest.mark.parametrize(
    "bad",
    [{"lead": None}, {"lead": -1}, {"lead": "1e400"}, {"chain_leader": ""}, {"chain_leader": "x" * 201},
     {"standard_not_met": ["x"]}, {"justification": "\ud800"}, {"justification": "a\x00b"}],
)  # fmt: skip
def test_a_bad_request_is_a_400_and_saves_nothing(production, bad):
    before = everything(production)
    response = ask(production, **bad)
    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) == set(bad)
    assert everything(production) == before


# --- the machine ----------------------------------------------------------------------------------


def test_the_district_submits_and_the_city_leaders_are_told(draft, city_leader):
    response = act(draft, "submit", "haidian_officer")
    assert response.status_code == 200 and response.json()["state"] == "submitted"
    assert response.json()["available_transitions"] == []
    told = Notification.objects.filter(kind="admission_to_decide").values_list("user__username", flat=True)
    assert list(told) == ["city_leader"]


def test_a_city_leader_approves(submitted, haidian_officer, haidian_leader):
    response = act(submitted, "approve", "city_leader")
    body = response.json()
    assert response.status_code == 200 and (body["state"], body["decided_by"]) == ("approved", "city_leader")
    assert "§8" in body["history"][-1]["rule"]
    told = set(Notification.objects.filter(kind="admission_decided").values_list("user__username", flat=True))
    assert told == {"haidian_officer", "haidian_leader"}


def test_a_city_leader_rejects_with_a_reason(submitted):
    before = AdmissionSupport.objects.values().get(pk=submitted)
    missing = act(submitted, "reject", "city_leader")
    assert missing.status_code == 400 and "reason" in missing.json()["errors"]
    assert AdmissionSupport.objects.values().get(pk=submitted) == before
    response = act(submitted, "reject", "city_leader", reason="不符合产业链定位")
    assert (response.json()["state"], response.json()["decision_reason"]) == ("rejected", "不符合产业链定位")


@pytest.mark.parametrize(("who", "status"), [("city_officer", 403), ("haidian_officer", 403), ("haidian_leader", 403),
                                             ("shunyi_officer", 404), ("outsider", 404)])  # fmt: skip
def test_only_city_leaders_decide(submitted, production, who, status):
    before = everything(production)
    assert act(submitted, "approve", who).status_code == status
    assert everything(production) == before


def test_a_submitted_support_cannot_be_submitted_again(submitted, production):
    before = everything(production)
    assert act(submitted, "submit", "haidian_officer").status_code == 409
    assert everything(production) == before


def test_a_support_cannot_be_approved_once_the_lead_is_closed(submitted, production, city_officer):
    fire(production, "close", city_officer, reason="企业放弃")
    before = AdmissionSupport.objects.values().get(pk=submitted)
    assert act(submitted, "approve", "city_leader").status_code == 409
    assert AdmissionSupport.objects.values().get(pk=submitted) == before


@pytest.mark.parametrize(("who", "sees"), [("city_officer", True), ("city_leader", True), ("haidian_officer", True),
                                           ("haidian_leader", True), ("shunyi_officer", False), ("bda_officer", False),
                                           ("outsider", False)])  # fmt: skip
def test_the_city_and_the_asking_unit_see_a_support(draft, who, sees):
    client = api(person(who))
    assert [s["id"] for s in client.get("/api/admission-supports/").json()["results"]] == (
        [draft] if sees else []
    )
    assert client.get(f"/api/admission-supports/{draft}/").status_code == (200 if sees else 404)


def test_the_list_filters_by_lead_and_state(draft, production, city_leader):
    client = api(city_leader)
    assert client.get(f"/api/admission-supports/?lead={production.pk}").json()["count"] == 1
    assert client.get(f"/api/admission-supports/?lead={production.pk + 1}").json()["count"] == 0
    assert client.get("/api/admission-supports/?lead=99999999999999999999999").status_code == 400
    assert client.get("/api/admission-supports/?lead=²").status_code == 400
    assert client.get("/api/admission-supports/?state=approved").json()["count"] == 0


# --- §8: the approved support is the override -----------------------------------------------------


def declined(lead):  # type: ignore[no-untyped-def]
    return fire(lead, "decline", person("city_officer"), reason="由市级统筹")


def test_an_approved_support_lets_the_city_assign_a_production_lead_to_a_central_district(
    production, city_officer
):
    lead = declined(production)
    before = snapshot(lead)
    refused = api(city_officer).post(
        f"/api/leads/{lead.pk}/transitions/assign/", {"unit": "haidian"}, format="json"
    )
    assert refused.status_code == 400 and refused.json()["code"] == "override_required"
    assert snapshot(lead) == before

    support = ask(lead).json()["id"]
    act(support, "submit", "haidian_officer")
    act(support, "approve", "city_leader")
    response = api(city_officer).post(
        f"/api/leads/{lead.pk}/transitions/assign/", {"unit": "haidian"}, format="json"
    )

    assert response.status_code == 200 and response.json()["state"] == "negotiating"
    row = TransitionRecord.objects.filter(subject_id=lead.pk, transition="assign").get()
    assert row.params["override"] == "§8" and row.params["admission_support"] == support
    assert f"#{support}" in row.rule


@pytest.mark.parametrize("last", ["submit", "reject"])
def test_a_support_not_approved_is_no_override(production, city_officer, last):
    lead = declined(production)
    support = ask(lead).json()["id"]
    act(support, "submit", "haidian_officer")
    if last == "reject":
        act(support, "reject", "city_leader", reason="否")
    before = snapshot(lead)
    response = api(city_officer).post(
        f"/api/leads/{lead.pk}/transitions/assign/", {"unit": "haidian"}, format="json"
    )
    assert response.status_code == 400
    assert snapshot(lead) == before


def test_a_support_for_one_unit_is_no_override_for_another(production, city_officer):
    lead = declined(production)
    support = ask(lead).json()["id"]
    act(support, "submit", "haidian_officer")
    act(support, "approve", "city_leader")
    response = api(city_officer).post(
        f"/api/leads/{lead.pk}/transitions/assign/", {"unit": "xicheng"}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "override_required"
    assert Lead.objects.get(pk=lead.pk).state == "pending_assignment"


# --- pages ----------------------------------------------------------------------------------------


def page(username: str) -> Client:
    client = Client(HTTP_HOST="localhost")
    client.force_login(person(username))
    return client


def test_the_district_asks_on_its_pages_and_the_city_leader_approves_on_theirs(production):
    officer = page("haidian_officer")
    html = officer.get(f"/cases/leads/{production.pk}/").content.decode()
    assert 'id="ask-admission"' in html
    form = officer.get(f"/cases/admissions/new/?lead={production.pk}").content.decode()
    assert 'id="admission-form"' in form
    response = officer.post("/cases/admissions/new/", {"lead": production.pk, **ASK})
    assert response.status_code == 302
    support = AdmissionSupport.objects.get()
    assert officer.post(f"/cases/admissions/{support.pk}/do/submit/").status_code == 302
    leader = page("city_leader")
    assert (
        f'data-admission="{support.pk}"' in leader.get("/cases/admissions/?state=submitted").content.decode()
    )
    assert 'data-action="approve"' in leader.get(f"/cases/admissions/{support.pk}/").content.decode()
    assert leader.post(f"/cases/admissions/{support.pk}/do/reject/", {"reason": ""}).status_code == 400
    assert leader.post(f"/cases/admissions/{support.pk}/do/approve/").status_code == 302
    html = officer.get(f"/cases/leads/{production.pk}/").content.decode()
    assert f'data-admission="{support.pk}" data-state="approved"' in html


def test_a_refused_request_on_the_page_saves_nothing(production):
    before = everything(production)
    response = page("haidian_officer").post(
        "/cases/admissions/new/", {"lead": production.pk, **ASK, "chain_leader": ""}
    )
    assert response.status_code == 400 and 'id="error"' in response.content.decode()
    assert everything(production) == before


def test_other_units_reach_no_support_page(draft):
    assert page("shunyi_officer").get(f"/cases/admissions/{draft}/").status_code == 404
    assert page("city_officer").get(f"/cases/admissions/{draft}/do/submit/").status_code == 403


def test_a_submitted_request_is_on_the_city_leaders_home_page(submitted):
    from cases.demo import person
    from tests.helpers import browser

    html = browser(person("city_leader")).get("/cases/queue/").content.decode()
    assert '<li data-awaiting="admissions"><a href="/cases/admissions/?state=submitted">' in html
    assert (
        'data-awaiting="admissions"'
        not in browser(person("city_officer")).get("/cases/queue/").content.decode()
    )
    act(submitted, "approve", "city_leader")
    assert (
        'data-awaiting="admissions"'
        not in browser(person("city_leader")).get("/cases/queue/").content.decode()
    )
