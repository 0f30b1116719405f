"""Service requests (DESIGN §6b): raising one, who sees and works it, its SLA ladder in working days,
the escalation's audience, the pages, and bad input that leaves nothing behind."""

from typing import Any

import pytest

from cases.demo import person
from cases.majorprojects.models import MajorProject
from cases.servicerequests import services
from cases.servicerequests.machine import SERVICE_REQUEST
from cases.servicerequests.models import ServiceRequest, ServiceRequestGroupObjectPermission
from notifications.models import Notification
from notifications.texts import render
from tests.helpers import api, at, browser, fire
from workflow import engine
from workflow.due import process_due
from workflow.models import Clock, ClockStatus, TransitionRecord

REMIND, ESCALATE = SERVICE_REQUEST.wait_kinds()


@pytest.fixture
def talent_officer(db):  # type: ignore[no-untyped-def]
    return person("talent_officer")


@pytest.fixture
def lead(make_negotiating, talent_officer):  # type: ignore[no-untyped-def]
    """A Haidian lead in negotiation (and the talent bureau's officer exists to be told)."""
    return make_negotiating(now=at("2026-06-01 09:00"))


def body(lead: Any, **overrides: Any) -> dict[str, Any]:
    return {
        "lead": lead.pk,
        "kind": "talent",
        "description": "核心团队10人落户",
        "responsible_unit": "talent",
    } | overrides


def raise_(lead: Any, actor: Any, when: str = "2026-06-15 10:00", **overrides: Any) -> ServiceRequest:
    return services.service_request_raise(actor=actor, data=body(lead, **overrides), now=at(when))


def sr_fire(request: ServiceRequest, name: str, actor: Any, when: str, **params: Any) -> ServiceRequest:
    return engine.fire(SERVICE_REQUEST, pk=request.pk, name=name, actor=actor, params=params, now=at(when))


def nothing_saved() -> tuple[int, int, int]:
    return (ServiceRequest.objects.count(), Clock.objects.filter(kind__in=(REMIND, ESCALATE)).count(),
            Notification.objects.filter(kind__startswith="service_request").count())  # fmt: skip


def sla(request: ServiceRequest) -> list[tuple[str, str, Any]]:
    return list(
        Clock.objects.filter(subject_id=request.pk, kind__in=(REMIND, ESCALATE))
        .order_by("id")
        .values_list("kind", "status", "deadline_at")
    )


def told(kind: str, user: Any) -> int:
    return Notification.objects.filter(kind=kind, user=user).count()


# --- raising --------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("pinned_now")
def test_it_raises_a_request_in_open_and_tells_the_responsible_unit(lead, haidian_officer, talent_officer):
    response = api(haidian_officer).post("/api/service-requests/", body(lead), format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["state"], data["kind"], data["responsible_unit"], data["raised_by"]) == (
        "open", "talent", "talent", "haidian_officer",
    )  # fmt: skip
    assert data["available_transitions"] == []
    assert data["sla_deadline"] is not None
    assert [h["transition"] for h in data["history"]] == ["raise"]
    assert data["lead_summary"] == {
        "id": lead.pk, "name": lead.name, "company_name": lead.company_name, "sector": "integrated_circuits",
        "unit": "haidian", "total_investment_cny": "150000000.00",
    }  # fmt: skip
    note = Notification.objects.get(kind="service_request_raised", user=talent_officer)
    assert lead.name in render(note)


def test_the_assignee_the_steward_and_the_units_officers_raise_others_may_not(
    lead, haidian_officer, haidian_leader, city_officer, city_leader, shunyi_officer
):
    assert raise_(lead, haidian_officer).state == "open"  # an officer of the lead's unit
    with pytest.raises(engine.NotPermitted):
        raise_(lead, haidian_leader)  # a leader who does not hold the lead
    with pytest.raises(engine.NotPermitted):
        raise_(lead, city_officer)  # the city sees the lead, but is not its steward
    with pytest.raises(engine.Invalid):
        raise_(lead, shunyi_officer)  # cannot see the lead: no such lead for them
    fire(lead, "set_assignee", haidian_leader, username="haidian_leader")
    assert raise_(lead, haidian_leader).raised_by == haidian_leader  # now its assignee
    MajorProject.objects.create(
        lead=lead, steward=city_officer, reason="x", designated_by=city_leader,
        designated_at=at("2026-06-10 10:00"), updated_at=at("2026-06-10 10:00"),
    )  # fmt: skip
    assert raise_(lead, city_officer).raised_by == city_officer  # its steward
    assert ServiceRequest.objects.count() == 3


@pytest.mark.parametrize("state", ["draft", "closed"])
def test_it_refuses_a_lead_in_draft_or_closed_and_saves_nothing(
    make_lead, haidian_officer, haidian_leader, state
):
    lead = make_lead(haidian_officer)
    if state == "closed":
        lead = fire(lead, "close", haidian_leader, reason="x")
    response = api(haidian_officer).post("/api/service-requests/", body(lead), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "wrong_state"
    assert nothing_saved() == (0, 0, 0)


BAD_BODIES = {
    "no lead": {"lead": None},
    "no such lead": {"lead": 999_999},
    "lead not a number": {"lead": "x"},
    "unknown kind": {"kind": "visa"},
    "blank description": {"description": " "},
    "description too long": {"description": "项" * 4001},
    "the city": {"responsible_unit": "beijing"},
    "the government": {"responsible_unit": "government"},
    "a bank": {"responsible_unit": "demo_bank"},
    "no such unit": {"responsible_unit": "nowhere"},
    "unit not a slug": {"responsible_unit": "财政局"},
}


@pytest.mark.parametrize("bad", BAD_BODIES, ids=str)
def test_bad_input_is_a_400_naming_the_field_and_saves_nothing(lead, haidian_officer, bad):
    person("bank_officer")  # the demo bank exists
    data = {k: v for k, v in (body(lead) | BAD_BODIES[bad]).items() if v is not None}
    response = api(haidian_officer).post("/api/service-requests/", data, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) & {"lead", "kind", "description", "responsible_unit"}
    assert nothing_saved() == (0, 0, 0)


def test_a_district_may_be_responsible(lead, haidian_officer, shunyi_officer):
    request = raise_(lead, haidian_officer, responsible_unit="shunyi", kind="land")
    assert SERVICE_REQUEST.available(request, shunyi_officer) == ["accept"]


# --- visibility -----------------------------------------------------------------------------------------


def test_the_department_sees_the_request_and_the_leads_summary_but_not_the_lead(
    lead, haidian_officer, talent_officer
):
    request = raise_(lead, haidian_officer)
    talent = api(talent_officer)

    assert talent.get(f"/api/leads/{lead.pk}/").status_code == 404
    assert browser(talent_officer).get(f"/cases/leads/{lead.pk}/").status_code == 404
    detail = talent.get(f"/api/service-requests/{request.pk}/")
    assert detail.status_code == 200
    assert detail.json()["lead_summary"]["name"] == lead.name
    assert "contacts" not in detail.json()["lead_summary"]
    assert detail.json()["available_transitions"] == ["accept"]


def test_the_list_shows_each_caller_what_they_may_see(
    lead, haidian_officer, haidian_leader, talent_officer, city_leader, shunyi_officer, outsider
):
    request = raise_(lead, haidian_officer)
    person("finance_officer")
    seen = {
        p.username: [r["id"] for r in api(p).get("/api/service-requests/").json()["results"]]
        for p in (haidian_officer, haidian_leader, talent_officer, city_leader, shunyi_officer, outsider,
                  person("finance_officer"))
    }  # fmt: skip
    assert seen == {
        "haidian_officer": [request.pk], "haidian_leader": [request.pk], "talent_officer": [request.pk],
        "city_leader": [request.pk], "shunyi_officer": [], "outsider": [], "finance_officer": [],
    }  # fmt: skip
    page = api(talent_officer).get("/api/service-requests/?state=open,accepted&page_size=1").json()
    assert (page["count"], page["next"], page["previous"]) == (1, None, None)
    assert api(talent_officer).get("/api/service-requests/?state=closed").json()["count"] == 0
    assert api(city_leader).get(f"/api/service-requests/?lead={lead.pk}&unit=talent").json()["count"] == 1
    for bad in ("x", "²", "99999999999999999999"):  # not an id: said, not a 500
        assert api(city_leader).get(f"/api/service-requests/?lead={bad}").status_code == 400


def test_nobody_gets_a_grant_on_the_lead(lead, haidian_officer):
    from cases.models import LeadGroupObjectPermission

    before = sorted(
        LeadGroupObjectPermission.objects.filter(content_object=lead).values_list("group_id", flat=True)
    )
    raise_(lead, haidian_officer)
    after = sorted(
        LeadGroupObjectPermission.objects.filter(content_object=lead).values_list("group_id", flat=True)
    )
    assert after == before
    assert ServiceRequestGroupObjectPermission.objects.count() == 5  # talent ×2 roles (+work), haidian ×2


# --- the machine ----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("pinned_now")
def test_a_request_goes_open_accepted_resolved_closed_and_the_raiser_is_told(
    lead, haidian_officer, talent_officer
):
    request = raise_(lead, haidian_officer, when="2026-11-29 09:00")
    talent, haidian = api(talent_officer), api(haidian_officer)
    base = f"/api/service-requests/{request.pk}/transitions"

    assert talent.post(f"{base}/accept/").json()["state"] == "accepted"
    resolved = talent.post(f"{base}/resolve/", {"answer": "已纳入人才引进一事一议"}, format="json").json()
    assert (resolved["state"], resolved["answer"], resolved["sla_deadline"]) == (
        "resolved", "已纳入人才引进一事一议", None,
    )  # fmt: skip
    assert haidian.get(f"/api/service-requests/{request.pk}/").json()["available_transitions"] == [
        "confirm",
        "reopen",
    ]
    assert haidian.post(f"{base}/confirm/").json()["state"] == "closed"
    assert (
        told("service_request_accepted", haidian_officer),
        told("service_request_resolved", haidian_officer),
    ) == (1, 1)
    assert told("service_request_closed", talent_officer) == 1
    assert list(
        TransitionRecord.objects.filter(subject_id=request.pk, subject_type__model="servicerequest")
        .order_by("id")
        .values_list("transition", flat=True)
    ) == ["raise", "accept", "resolve", "confirm"]


def test_a_decline_needs_a_reason_and_a_refused_one_changes_nothing(lead, haidian_officer, talent_officer):
    request = sr_fire(raise_(lead, haidian_officer), "accept", talent_officer, "2026-06-15 11:00")
    before = ServiceRequest.objects.filter(pk=request.pk).values().get()
    response = api(talent_officer).post(
        f"/api/service-requests/{request.pk}/transitions/decline/", {"reason": ""}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]
    assert ServiceRequest.objects.filter(pk=request.pk).values().get() == before
    declined = sr_fire(request, "decline", talent_officer, "2026-06-15 12:00", reason="不属于本部门职责")
    assert (declined.state, declined.reason) == ("declined", "不属于本部门职责")
    assert told("service_request_declined", haidian_officer) == 1
    assert [status for _kind, status, _at in sla(request)] == ["stopped", "stopped"]


def test_only_the_raiser_confirms_not_a_colleague(lead, haidian_officer, talent_officer):
    colleague = person("haidian_officer2")
    request = raise_(lead, haidian_officer)
    request = sr_fire(request, "accept", talent_officer, "2026-06-15 11:00")
    request = sr_fire(request, "resolve", talent_officer, "2026-06-15 12:00", answer="x")
    assert SERVICE_REQUEST.available(request, colleague) == []
    with pytest.raises(engine.NotPermitted):
        sr_fire(request, "confirm", colleague, "2026-06-15 13:00")


# --- the SLA ladder (working days on the statutory calendar) -------------------------------------------


def test_the_sla_reminds_the_responsible_unit_at_half_time_and_escalates_at_the_deadline(
    lead, haidian_officer, haidian_leader, talent_officer, city_leader
):
    request = raise_(lead, haidian_officer, when="2026-06-15 10:00")  # a Monday; Fri 19 June is 端午
    assert [(k, at_) for k, _status, at_ in sla(request)] == [
        (REMIND, at("2026-06-23 10:00")),  # 5 working days, the holiday skipped
        (ESCALATE, at("2026-06-30 10:00")),  # 10 working days
    ]
    process_due(now=at("2026-06-23 09:59"))
    assert told("wait_reminder", talent_officer) == 0
    process_due(now=at("2026-06-23 10:00"))
    assert told("wait_reminder", talent_officer) == 1
    assert told("wait_reminder", haidian_officer) == 0
    process_due(now=at("2026-06-30 09:59"))
    assert told("wait_escalation", haidian_leader) == 0
    process_due(now=at("2026-06-30 10:00"))
    process_due(now=at("2026-07-01 10:00"))  # and once only
    assert (told("wait_escalation", haidian_leader), told("wait_escalation", city_leader)) == (1, 0)
    note = Notification.objects.get(kind="wait_escalation", user=haidian_leader)
    assert "10" in render(note) and lead.name in render(note)


def test_a_major_projects_escalation_goes_to_its_steward_and_the_city_leaders(
    lead, haidian_officer, haidian_leader, talent_officer, city_officer, city_leader
):
    MajorProject.objects.create(
        lead=lead, steward=city_officer, reason="x", designated_by=city_leader,
        designated_at=at("2026-06-10 10:00"), updated_at=at("2026-06-10 10:00"),
    )  # fmt: skip
    raise_(lead, haidian_officer, when="2026-06-15 10:00")
    process_due(now=at("2026-06-30 10:00"))
    assert (told("wait_escalation", city_officer), told("wait_escalation", city_leader)) == (1, 1)
    assert told("wait_escalation", haidian_leader) == 0
    process_due(now=at("2026-07-02 10:00"))
    assert told("wait_escalation", city_officer) == 1  # once


def test_accepting_does_not_restart_the_sla(lead, haidian_officer, talent_officer, haidian_leader):
    request = raise_(lead, haidian_officer, when="2026-06-15 10:00")
    clocks = sla(request)
    sr_fire(request, "accept", talent_officer, "2026-06-25 16:00")
    assert sla(request) == clocks  # the same two clocks, still running, the same deadlines
    process_due(now=at("2026-06-30 10:00"))
    assert told("wait_escalation", haidian_leader) == 1


def test_a_reopen_starts_a_new_sla(lead, haidian_officer, talent_officer):
    request = raise_(lead, haidian_officer, when="2026-06-15 10:00")
    sr_fire(request, "accept", talent_officer, "2026-06-15 11:00")
    sr_fire(request, "resolve", talent_officer, "2026-06-16 10:00", answer="x")
    assert [status for _k, status, _at in sla(request)] == [ClockStatus.STOPPED, ClockStatus.STOPPED]
    reopened = sr_fire(request, "reopen", haidian_officer, "2026-07-01 10:00", reason="仍未解决")
    assert (reopened.state, reopened.reason, reopened.answer) == ("accepted", "仍未解决", "")
    assert sla(request)[2:] == [
        (REMIND, ClockStatus.RUNNING, at("2026-07-08 10:00")),
        (ESCALATE, ClockStatus.RUNNING, at("2026-07-15 10:00")),
    ]
    assert told("service_request_reopened", talent_officer) == 1


def test_the_sla_follows_the_policy_parameter(lead, haidian_officer, city_leader):
    from cases import policy
    from cases.parameters.services import parameters_publish

    numbers = {name: getattr(policy.DEFAULT_PARAMETERS, name) for name in policy.PARAMETER_NAMES}
    parameters_publish(
        actor=city_leader,
        data=numbers
        | {
            "service_request_working_days": 4,
            "effective_from": "2026-06-01",
            "basis": "市政府专题会议纪要",
        },
        now=at("2026-05-20 10:00"),
    )
    request = raise_(lead, haidian_officer, when="2026-06-15 10:00")
    assert [at_ for _k, _s, at_ in sla(request)] == [at("2026-06-17 10:00"), at("2026-06-22 10:00")]


# --- pages ----------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("pinned_now")
def test_the_lead_page_lists_requests_and_raises_one(lead, haidian_officer, talent_officer):
    page = browser(haidian_officer)
    html = page.get(f"/cases/leads/{lead.pk}/").content.decode()
    assert 'id="service-requests"' in html and 'id="service-request-form"' in html

    response = page.post("/cases/servicerequests/raise/", body(lead))
    request = ServiceRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/servicerequests/{request.pk}/"
    html = page.get(f"/cases/leads/{lead.pk}/").content.decode()
    assert f'data-service-request="{request.pk}"' in html


@pytest.mark.usefixtures("pinned_now")
def test_the_raise_page_shows_what_went_wrong_and_saves_nothing(lead, haidian_officer):
    response = browser(haidian_officer).post(
        "/cases/servicerequests/raise/", body(lead, responsible_unit="beijing")
    )
    assert response.status_code == 400
    assert 'id="error"' in response.content.decode()
    assert nothing_saved() == (0, 0, 0)


@pytest.mark.usefixtures("pinned_now")
def test_the_department_works_its_queue_and_the_detail_page(lead, haidian_officer, talent_officer):
    request = raise_(lead, haidian_officer, when="2026-11-29 09:00")
    page = browser(talent_officer)
    queue = page.get("/cases/servicerequests/").content.decode()
    assert 'id="service-requests-to-answer"' in queue and f'data-service-request="{request.pk}"' in queue
    detail = page.get(f"/cases/servicerequests/{request.pk}/").content.decode()
    assert 'data-action="accept"' in detail and lead.company_name in detail
    assert page.post(f"/cases/servicerequests/{request.pk}/do/accept/").status_code == 302
    bad = page.post(f"/cases/servicerequests/{request.pk}/do/resolve/", {"answer": ""})
    assert bad.status_code == 400
    assert ServiceRequest.objects.get().state == "accepted"
    assert browser(person("shunyi_officer")).get(f"/cases/servicerequests/{request.pk}/").status_code == 404


def test_a_request_follows_its_lead_to_the_unit_the_city_assigns_it_to(
    make_lead, haidian_officer, city_officer, shunyi_officer
):
    from tests.helpers import fire

    lead = fire(make_lead(haidian_officer), "submit", haidian_officer)  # awaiting the city's confirmation
    response = api(haidian_officer).post(
        "/api/service-requests/",
        {"lead": lead.pk, "kind": "talent", "description": "人才落户", "responsible_unit": "talent"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    request_id = response.json()["id"]
    assert api(shunyi_officer).get(f"/api/service-requests/{request_id}/").status_code == 404
    fire(lead, "decline", city_officer, reason="由市级统筹")
    fire(lead, "assign", city_officer, unit="shunyi")
    # the unit now working the lead sees the request it would be escalated about
    assert api(shunyi_officer).get(f"/api/service-requests/{request_id}/").status_code == 200


def test_the_departments_notice_links_the_request_and_reaches_an_absent_officers_deputy(
    make_negotiating, haidian_officer, talent_officer
):
    from django.utils import timezone

    from cases.demo import person
    from notifications.models import Notification
    from workflow.models import Absence, OrgUnit
    from workflow.services import member_add

    colleague = person("talent_officer_b")
    member_add(user=colleague, unit=OrgUnit.objects.get(code="talent"), role="officer")
    colleague_only = person("talent_deputy")
    member_add(user=colleague_only, unit=OrgUnit.objects.get(code="talent"), role="leader")
    Absence.objects.create(
        user=talent_officer, start=timezone.localdate(), end=timezone.localdate(), deputy=colleague_only,
        created_at=timezone.now(),
    )  # fmt: skip
    lead = make_negotiating()
    response = api(haidian_officer).post(
        "/api/service-requests/",
        {"lead": lead.pk, "kind": "talent", "description": "人才落户", "responsible_unit": "talent"},
        format="json",
    )
    request_id = response.json()["id"]
    copy = Notification.objects.get(user=colleague_only, params__for_user=talent_officer.pk)
    assert copy.params["case_id"] == request_id  # the deputy sees the request, so the copy came
    mine = Notification.objects.filter(user=talent_officer, params__case_id=request_id).get()
    client = browser(talent_officer)
    assert (
        f'href="/cases/notifications/{mine.pk}/open/"' in client.get("/cases/notifications/").content.decode()
    )
    opened = client.get(f"/cases/notifications/{mine.pk}/open/")  # it leads to the request, not the lead,
    assert (
        opened.status_code == 302 and opened["Location"] == f"/cases/servicerequests/{request_id}/"
    )  # unseen


def test_a_request_to_answer_is_on_the_departments_home_page_with_the_way_to_it(
    lead, haidian_officer, talent_officer
):
    page = browser(talent_officer)
    assert 'id="awaiting-coordination"' not in page.get("/cases/queue/").content.decode()
    raise_(lead, haidian_officer)
    html = page.get("/cases/queue/").content.decode()
    assert '<li data-awaiting="servicerequests"><a href="/cases/servicerequests/">' in html
    assert 'id="awaiting-count">1<' in html
    # the raiser's unit has nothing to answer
    assert (
        'data-awaiting="servicerequests"'
        not in browser(haidian_officer).get("/cases/queue/").content.decode()
    )
