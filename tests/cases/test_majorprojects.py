"""City major projects (DESIGN §6b, §2, §4): the city leaders designate a lead, name its city steward,
change the steward and end it; who sees what; bad input saves nothing; the pages."""

import pytest
from django.test import Client

from cases.demo import person
from cases.majorprojects.machine import MAJOR_PROJECT
from cases.majorprojects.models import MajorProject
from notifications.models import Notification
from tests.cases.specs.majorprojects import city_officer as make_city_officer
from tests.helpers import api, fire, snapshot
from workflow import engine
from workflow.models import TransitionRecord

pytestmark = pytest.mark.usefixtures("pinned_now")


@pytest.fixture
def lead(make_negotiating):  # type: ignore[no-untyped-def]
    return make_negotiating()


@pytest.fixture
def steward(db):  # type: ignore[no-untyped-def]
    return make_city_officer("mp_steward")


def designate(case, leader=None, **overrides):  # type: ignore[no-untyped-def]
    body = {"lead": case.pk, "reason": "全市重点产业链项目", "steward": "mp_steward"} | overrides
    return api(leader or person("city_leader")).post("/api/major-projects/", body, format="json")


def everything(lead):  # type: ignore[no-untyped-def]
    return (
        snapshot(lead),
        list(MajorProject.objects.values()),
        TransitionRecord.objects.count(),
        Notification.objects.count(),
    )


@pytest.fixture
def project(lead, steward):  # type: ignore[no-untyped-def]
    response = designate(lead)
    assert response.status_code == 201, response.content
    return MajorProject.objects.get(pk=response.json()["id"])


# --- designation ----------------------------------------------------------------------------------


def test_a_city_leader_designates_a_lead_and_names_its_steward(lead, steward, city_leader):
    response = designate(lead)

    assert response.status_code == 201
    body = response.json()
    assert (body["state"], body["steward"], body["designated_by"]) == ("active", "mp_steward", "city_leader")
    assert body["lead"]["id"] == lead.pk and body["lead"]["unit"] == "haidian"
    assert body["available_transitions"] == ["change_steward", "end"]
    assert [h["transition"] for h in body["history"]] == ["designate"]
    row = TransitionRecord.objects.filter(subject_id=lead.pk, transition="designate_major_project").get()
    assert row.params == {
        "major_project": body["id"],
        "reason": "全市重点产业链项目",
        "steward": "mp_steward",
    }
    assert row.actor == city_leader and (row.source, row.target) == ("negotiating", "negotiating")
    assert "mp_steward" in row.rule


def test_the_lead_history_row_shows_in_the_lead_api(lead, project):
    history = api(person("haidian_officer")).get(f"/api/leads/{lead.pk}/").json()["history"]
    assert history[-1]["transition"] == "designate_major_project"
    assert history[-1]["params"]["reason"] == "全市重点产业链项目"


def test_the_steward_and_the_leads_unit_are_told(lead, steward, haidian_leader):
    designate(lead)
    told = set(
        Notification.objects.filter(kind="major_project_designated").values_list("user__username", flat=True)
    )
    assert told == {"mp_steward", "haidian_officer", "haidian_leader"}
    assert Notification.objects.filter(kind="major_project_designated", lead=lead).count() == 3


@pytest.mark.parametrize("who", ["city_officer", "haidian_leader", "haidian_officer", "outsider"])
def test_only_city_leaders_designate(lead, steward, who):
    before = everything(lead)
    assert designate(lead, person(who)).status_code == 403
    assert everything(lead) == before


def test_anonymous_cannot_designate(lead):
    assert api(None).post("/api/major-projects/", {}, format="json").status_code == 401


def test_a_draft_lead_cannot_be_designated(make_lead, haidian_officer, steward):
    draft = make_lead(haidian_officer)
    before = everything(draft)
    response = designate(draft)
    assert response.status_code == 409 and response.json()["code"] == "wrong_state"
    assert everything(draft) == before


def test_a_closed_lead_cannot_be_designated(lead, steward, city_officer):
    closed = fire(lead, "close", city_officer, reason="企业放弃")
    before = everything(closed)
    assert designate(closed).status_code == 409
    assert everything(closed) == before


def test_a_lead_is_designated_once(lead, project):
    before = everything(lead)
    response = designate(lead)
    assert response.status_code == 409 and response.json()["code"] == "already_major"
    assert everything(lead) == before


@pytest.mark.parametrize("steward_name", ["haidian_officer", "city_leader", "nobody", ""])
def test_the_steward_must_be_an_active_city_officer(lead, steward_name):
    before = everything(lead)
    response = designate(lead, steward=steward_name)
    assert response.status_code == 400
    assert "steward" in response.json()["errors"]
    assert everything(lead) == before


def test_an_inactive_city_officer_cannot_be_steward(lead, steward):
    steward.is_active = False
    steward.save()
    before = everything(lead)
    assert designate(lead).status_code == 400
    assert everything(lead) == before


@pytest.mark.parametrize(
    "bad",
    [
        {"lead": None},
        {"lead": 0},
        {"lead": "x"},
        {"lead": 2**70},
        {"reason": ""},
        {"reason": "项" * 2001},
        {"reason": "a\x00b"},
        {"steward": ["mp_steward"]},
        {"steward": "x" * 151},
    ],
)
def test_bad_input_is_a_400_and_saves_nothing(lead, steward, bad):
    before = everything(lead)
    response = designate(lead, **bad)
    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) == set(bad)
    assert everything(lead) == before


def test_an_unknown_lead_is_a_400(lead, steward):
    before = everything(lead)
    response = designate(lead, lead=lead.pk + 1000)
    assert response.status_code == 400 and "lead" in response.json()["errors"]
    assert everything(lead) == before


# --- who sees what --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees"),
    [("city_officer", True), ("city_leader", True), ("haidian_officer", True), ("haidian_leader", True),
     ("shunyi_officer", False), ("bda_officer", False), ("outsider", False), ("mp_steward", True)],
)  # fmt: skip
def test_the_city_and_the_leads_unit_see_a_project_and_nobody_else(project, who, sees):
    client = api(person(who))
    listed = [p["id"] for p in client.get("/api/major-projects/").json()["results"]]
    assert listed == ([project.pk] if sees else [])
    assert client.get(f"/api/major-projects/{project.pk}/").status_code == (200 if sees else 404)


def test_the_list_filters_by_state_and_steward(project, city_leader):
    client = api(city_leader)
    assert client.get("/api/major-projects/?state=ended").json()["count"] == 0
    assert client.get("/api/major-projects/?steward=mp_steward").json()["count"] == 1
    assert client.get("/api/major-projects/?steward=city_officer").json()["count"] == 0


def test_a_unit_that_cannot_see_the_lead_gets_404_for_every_transition(project, shunyi_officer):
    before = everything(project.lead)
    client = api(shunyi_officer)
    for name in ("change_steward", "end"):
        url = f"/api/major-projects/{project.pk}/transitions/{name}/"
        assert client.post(url, {"reason": "x", "steward": "city_officer"}, format="json").status_code == 404
    assert everything(project.lead) == before


# --- change_steward, end --------------------------------------------------------------------------


def test_a_city_leader_changes_the_steward(project, city_leader, haidian_leader):
    response = api(city_leader).post(
        f"/api/major-projects/{project.pk}/transitions/change_steward/",
        {"steward": "city_officer", "reason": "工作调整"},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["steward"]) == ("active", "city_officer")
    assert body["history"][-1]["params"] == {
        "steward": "city_officer", "reason": "工作调整", "previous_steward": "mp_steward",
        "previous_steward_id": project.steward_id,
    }  # fmt: skip
    told = set(
        Notification.objects.filter(kind="major_project_steward").values_list("user__username", flat=True)
    )
    assert told == {"city_officer", "mp_steward", "haidian_officer", "haidian_leader"}
    on_lead = TransitionRecord.objects.filter(
        subject_id=project.lead_id, transition="change_major_project_steward"
    )
    assert on_lead.get().params["steward"] == "city_officer"


@pytest.mark.parametrize(
    ("params", "field"),
    [({"steward": "mp_steward", "reason": "x"}, "steward"),  # the steward already
     ({"steward": "haidian_officer", "reason": "x"}, "steward"),
     ({"steward": "city_officer"}, "reason")],
)  # fmt: skip
def test_a_bad_steward_change_is_a_400_and_changes_nothing(project, city_leader, params, field):
    before = everything(project.lead)
    response = api(city_leader).post(
        f"/api/major-projects/{project.pk}/transitions/change_steward/", params, format="json"
    )
    assert response.status_code == 400 and field in response.json()["errors"]
    assert everything(project.lead) == before


def test_a_city_officer_cannot_change_the_steward(project, city_officer):
    before = everything(project.lead)
    response = api(city_officer).post(
        f"/api/major-projects/{project.pk}/transitions/change_steward/",
        {"steward": "city_officer", "reason": "x"},
        format="json",
    )
    assert response.status_code == 403
    assert everything(project.lead) == before


def test_a_city_leader_ends_a_project_and_nothing_more_can_be_done(project, city_leader):
    response = api(city_leader).post(
        f"/api/major-projects/{project.pk}/transitions/end/", {"reason": "项目已纳入常规服务"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["ended_reason"]) == ("ended", "项目已纳入常规服务")
    assert response.json()["available_transitions"] == []
    assert TransitionRecord.objects.filter(
        subject_id=project.lead_id, transition="end_major_project"
    ).exists()
    before = everything(project.lead)
    again = api(city_leader).post(
        f"/api/major-projects/{project.pk}/transitions/change_steward/",
        {"steward": "city_officer", "reason": "x"},
        format="json",
    )
    assert again.status_code == 409
    assert designate(project.lead).status_code == 409  # designated once, ever
    assert everything(project.lead) == before


def test_ending_needs_a_reason(project, city_leader):
    before = everything(project.lead)
    response = api(city_leader).post(f"/api/major-projects/{project.pk}/transitions/end/", {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    assert everything(project.lead) == before


def test_the_engine_refuses_a_steward_change_by_the_leads_unit(project, haidian_leader):
    from cases.errors import NotPermitted

    with pytest.raises(NotPermitted):
        engine.fire(MAJOR_PROJECT, pk=project.pk, name="end", actor=haidian_leader, params={"reason": "x"})


# --- pages ----------------------------------------------------------------------------------------


def page(username: str) -> Client:
    client = Client(HTTP_HOST="localhost")
    client.force_login(person(username))
    return client


def test_the_overview_lists_every_project_for_city_roles(project):
    for who in ("city_leader", "city_officer"):
        html = page(who).get("/cases/majorprojects/").content.decode()
        assert f'data-project="{project.pk}"' in html and "mp_steward" in html
        assert "{# open requests" not in html  # the hook is a template comment


@pytest.mark.parametrize("who", ["haidian_officer", "haidian_leader", "outsider"])
def test_the_overview_is_the_citys(project, who):
    assert page(who).get("/cases/majorprojects/").status_code == 403


def test_the_overview_menu_entry_is_shown_to_city_roles_only(project):
    assert 'href="/cases/majorprojects/"' in page("city_leader").get("/cases/leads/").content.decode()
    assert 'href="/cases/majorprojects/"' not in page("haidian_officer").get("/cases/leads/").content.decode()


def test_a_city_leader_designates_on_the_lead_page(lead, steward):
    leader = page("city_leader")
    html = leader.get(f"/cases/leads/{lead.pk}/").content.decode()
    assert 'id="designate-form"' in html and 'value="mp_steward"' in html
    response = leader.post(
        "/cases/majorprojects/designate/", {"lead": lead.pk, "reason": "重点", "steward": "mp_steward"}
    )
    assert response.status_code == 302 and response["Location"] == f"/cases/leads/{lead.pk}/"
    html = page("haidian_officer").get(f"/cases/leads/{lead.pk}/").content.decode()
    assert 'id="major-steward"' in html and "mp_steward" in html and 'id="designate-form"' not in html


def test_a_designation_refused_on_the_page_saves_nothing(lead, steward):
    before = everything(lead)
    response = page("city_leader").post(
        "/cases/majorprojects/designate/", {"lead": lead.pk, "reason": "", "steward": "mp_steward"}
    )
    assert response.status_code == 400 and 'id="error"' in response.content.decode()
    assert everything(lead) == before
    assert page("city_officer").post("/cases/majorprojects/designate/", {"lead": lead.pk}).status_code == 403


def test_the_steward_is_changed_and_the_project_ended_on_its_pages(project):
    leader = page("city_leader")
    detail = leader.get(f"/cases/majorprojects/{project.pk}/").content.decode()
    assert 'data-action="change_steward"' in detail and 'data-action="end"' in detail
    url = f"/cases/majorprojects/{project.pk}/do/change_steward/"
    assert '<select name="steward"' in leader.get(url).content.decode()
    assert leader.post(url, {"steward": "city_officer", "reason": "调整"}).status_code == 302
    assert leader.post(f"/cases/majorprojects/{project.pk}/do/end/", {"reason": ""}).status_code == 400
    assert (
        leader.post(
            f"/cases/majorprojects/{project.pk}/do/end/", {"reason": "结束", "confirmed": "on"}
        ).status_code
        == 302
    )
    project = MajorProject.objects.get(pk=project.pk)
    assert (project.state, project.steward.username) == ("ended", "city_officer")


def test_the_leads_unit_sees_the_project_page_without_actions_and_others_get_404(project):
    html = page("haidian_officer").get(f"/cases/majorprojects/{project.pk}/").content.decode()
    assert 'id="major-state"' in html and "data-action=" not in html
    assert page("haidian_officer").get(f"/cases/majorprojects/{project.pk}/do/end/").status_code == 403
    assert page("shunyi_officer").get(f"/cases/majorprojects/{project.pk}/").status_code == 404


def test_the_overview_counts_each_projects_open_requests_and_plans_and_what_is_overdue(
    make_negotiating, city_leader, city_officer, haidian_officer
):
    from datetime import timedelta

    from django.test import Client
    from django.utils import timezone

    from cases.majorprojects import selectors as major_selectors
    from cases.majorprojects.models import MajorProject
    from cases.servicerequests import services as sr_services
    from cases.supportplans import services as plan_services
    from workflow.due import process_due

    lead = make_negotiating()
    now = timezone.now()
    project = MajorProject.objects.create(
        lead=lead,
        steward=city_officer,
        reason="重大",
        designated_by=city_leader,
        designated_at=now,
        updated_at=now,
    )
    sr_services.service_request_raise(
        actor=haidian_officer,
        data={"lead": lead.pk, "kind": "talent", "description": "引进人才落户", "responsible_unit": "talent"},
    )
    plan_services.support_plan_create(
        actor=city_officer,
        data={"lead": lead.pk, "amount_cny": "1000000", "methods": ["landing_reward"], "terms": "达产"},
    )
    (figures,) = major_selectors.coordination_figures([project]).values()
    assert figures == {"requests": 1, "requests_overdue": 0, "plans": 1, "plans_overdue": 0}
    later = now + timedelta(days=40)  # past the request's SLA (10 working days)
    process_due(now=later)
    (figures,) = major_selectors.coordination_figures([project], now=later).values()
    assert figures["requests_overdue"] == 1 and figures["plans_overdue"] == 0  # a draft waits on nobody
    browser = Client(HTTP_HOST="localhost")
    browser.force_login(city_leader)
    page = browser.get("/cases/majorprojects/").content.decode()
    assert 'class="major-requests" data-open="1"' in page and 'class="major-plans" data-open="1"' in page
