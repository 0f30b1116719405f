"""Case work through the API (DESIGN §3 "Correcting a lead", §6a, §7 deputies, §8 additions): who holds
a lead, corrections with their audit trail, merging duplicates, foreign investors, activities and
absences — each with its refusals, which change nothing."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases import demo
from cases.demo import lead_data
from cases.models import Activity, Credit, Lead, State
from notifications.models import Notification
from tests.cases.test_api import act, client_for, post
from tests.helpers import at, fire, snapshot
from workflow.models import Absence, ClockStatus, TransitionRecord

pytestmark = pytest.mark.usefixtures("pinned_now")


@pytest.fixture
def colleague(db):  # type: ignore[no-untyped-def]
    return demo.person("haidian_officer2")


def put(client, path, body):  # type: ignore[no-untyped-def]
    return client.put(path, body, format="json")


def patch(client, path, body):  # type: ignore[no-untyped-def]
    return client.patch(path, body, format="json")


def error_code(response):  # type: ignore[no-untyped-def]
    return response.json()["code"]


# --- who holds a lead ---------------------------------------------------------------------------------


def test_an_officer_claims_then_hands_over_and_the_history_says_so(
    make_negotiating, haidian_officer, colleague
):
    lead = make_negotiating()
    me = client_for(haidian_officer)
    claimed = put(me, f"/api/leads/{lead.pk}/assignee/", {"username": "haidian_officer"})
    assert claimed.status_code == 200, claimed.json()
    assert claimed.json()["assignee"] == "haidian_officer"
    handed = put(me, f"/api/leads/{lead.pk}/assignee/", {"username": "haidian_officer2"})
    assert handed.json()["assignee"] == "haidian_officer2"
    rows = [h for h in handed.json()["history"] if h["transition"] == "set_assignee"]
    assert [(h["params"]["assignee_before"], h["params"]["assignee"]) for h in rows] == [
        (None, "haidian_officer"),
        ("haidian_officer", "haidian_officer2"),
    ]
    # the colleague is told; the officer who claimed for themself is not
    told = Notification.objects.filter(kind="assigned_to_you")
    assert [n.user.username for n in told] == ["haidian_officer2"]
    assert "set_assignee" not in handed.json()["available_transitions"]  # its own endpoint, not an action


def test_an_officer_cannot_take_a_colleagues_lead_but_a_leader_can(
    make_negotiating, haidian_officer, haidian_leader, colleague
):
    lead = make_negotiating()
    put(client_for(colleague), f"/api/leads/{lead.pk}/assignee/", {"username": "haidian_officer2"})
    before = snapshot(lead)
    taken = put(
        client_for(haidian_officer), f"/api/leads/{lead.pk}/assignee/", {"username": "haidian_officer"}
    )
    assert taken.status_code == 403
    assert snapshot(lead) == before
    given = put(
        client_for(haidian_leader), f"/api/leads/{lead.pk}/assignee/", {"username": "haidian_officer"}
    )
    assert given.status_code == 200 and given.json()["assignee"] == "haidian_officer"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"username": "shunyi_officer"}, 400),  # not one of the unit's people
        ({"username": "nobody-at-all"}, 400),
        ({}, 400),
        ({"username": ["haidian_officer"]}, 400),
        ({"username": None}, 409),  # nobody holds it already
    ],
)
def test_a_bad_assignee_changes_nothing(make_negotiating, haidian_leader, shunyi_officer, body, status):
    lead = make_negotiating()
    before = snapshot(lead)
    response = put(client_for(haidian_leader), f"/api/leads/{lead.pk}/assignee/", body)
    assert response.status_code == status, response.json()
    assert snapshot(lead) == before


def test_another_units_lead_has_no_assignee_endpoint(make_negotiating, shunyi_officer):
    lead = make_negotiating()
    response = put(
        client_for(shunyi_officer), f"/api/leads/{lead.pk}/assignee/", {"username": "shunyi_officer"}
    )
    assert response.status_code == 404


def test_the_assignee_is_released_when_the_lead_leaves_the_unit(
    make_negotiating, haidian_officer, haidian_leader, city_officer
):
    lead = make_negotiating()
    fire(lead, "set_assignee", haidian_officer, username="haidian_officer")
    fire(lead, "request_push", haidian_leader, reason="lacks_capacity", note="无产业空间")
    lead = fire(lead, "confirm_push", city_officer)
    assert lead.assignee is None
    row = TransitionRecord.objects.filter(subject_id=lead.pk, transition="confirm_push").get()
    assert row.params["assignee_released"] == "haidian_officer"


# --- corrections ----------------------------------------------------------------------------------------


def test_a_draft_is_corrected_freely_and_each_change_is_recorded(haidian_officer):
    hd = client_for(haidian_officer)
    lead_id = post(hd, "/api/leads/", lead_data(1)).json()["id"]
    response = patch(hd, f"/api/leads/{lead_id}/", {"contacts": "王经理 13800000000", "name": "新名称"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["contacts"] == "王经理 13800000000" and body["name"] == "新名称"
    (row,) = [h for h in body["history"] if h["transition"] == "correct"]
    assert sorted((c["field"], c["old"], c["new"]) for c in row["params"]["changes"]) == [
        ("contacts", "", "王经理 13800000000"),
        ("name", "示范项目 1", "新名称"),
    ]
    assert row["actor"] == "haidian_officer" and row["from_state"] == row["to_state"] == "draft"


def test_after_submission_a_correction_needs_a_reason(make_negotiating, haidian_officer):
    lead = make_negotiating()
    hd = client_for(haidian_officer)
    before = snapshot(lead)
    refused = patch(hd, f"/api/leads/{lead.pk}/", {"contacts": "李总"})
    assert refused.status_code == 400 and "reason" in refused.json()["errors"]
    assert snapshot(lead) == before
    done = patch(hd, f"/api/leads/{lead.pk}/", {"contacts": "李总", "reason": "联系人变更"})
    assert done.status_code == 200
    (row,) = [h for h in done.json()["history"] if h["transition"] == "correct"]
    assert row["params"]["reason"] == "联系人变更"


def test_a_corrected_amount_re_runs_the_eligibility_and_the_clock_follows(make_negotiating, city_officer):
    lead = make_negotiating()
    assert lead.clock.status == ClockStatus.RUNNING
    response = patch(
        client_for(city_officer),
        f"/api/leads/{lead.pk}/",
        {"total_investment_cny": "50000000", "reason": "协议金额为5000万元"},
    )
    assert response.status_code == 200, response.json()
    lead.refresh_from_db()
    assert lead.first_negotiation is False
    assert lead.clock.status == ClockStatus.STOPPED
    (row,) = [h for h in response.json()["history"] if h["transition"] == "correct"]
    assert row["params"]["clock_stopped"] is True and row["params"]["first_negotiation"] is False


def test_a_unit_cannot_stop_or_restart_its_own_clock_by_correcting_the_amount(
    make_negotiating, haidian_officer
):
    lead = make_negotiating()
    before = snapshot(lead)
    response = patch(
        client_for(haidian_officer), f"/api/leads/{lead.pk}/", {"total_investment_cny": "1000", "reason": "x"}
    )
    assert response.status_code == 400 and "total_investment_cny" in response.json()["errors"]
    assert snapshot(lead) == before
    # an amount that keeps the lead where it is, the unit corrects itself
    ok = patch(
        client_for(haidian_officer),
        f"/api/leads/{lead.pk}/",
        {"total_investment_cny": "180000000", "reason": "协议金额更正"},
    )
    assert ok.status_code == 200


def test_a_unit_cannot_make_its_own_lead_first_negotiation(make_lead, haidian_officer):
    small = fire(make_lead(haidian_officer, total_investment_cny="20000000"), "submit", haidian_officer)
    assert small.state == State.NEGOTIATING and not small.first_negotiation
    before = snapshot(small)
    response = patch(
        client_for(haidian_officer),
        f"/api/leads/{small.pk}/",
        {"total_investment_cny": "200000000", "reason": "x"},
    )
    assert response.status_code == 400
    assert snapshot(small) == before


def test_after_submission_the_segment_is_the_citys_to_correct(
    make_negotiating, haidian_officer, city_officer
):
    lead = make_negotiating()
    body = {"segment": "production", "reason": "实为生产环节"}
    assert patch(client_for(haidian_officer), f"/api/leads/{lead.pk}/", body).status_code == 400
    assert patch(client_for(city_officer), f"/api/leads/{lead.pk}/", body).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"total_investment_cny": "-1", "reason": "x"},
        {"credit_code": "911101080000000000", "reason": "x"},  # wrong check character
        {"sector": "no-such-sector", "reason": "x"},
        {"name": "", "reason": "x"},
        {"name": "x" * 201, "reason": "x"},
        {"strategic": True, "reason": "x"},  # the city rules on it after submission
        {"credit_code": "", "reason": "外资"},  # then the home registration is needed
        {"contacts": "", "reason": "x"},  # nothing changes: the contacts are empty already
        {"reason": "nothing else"},
        ["contacts"],
    ],
)
def test_a_bad_correction_changes_nothing(make_negotiating, haidian_officer, body):
    lead = make_negotiating()
    before = snapshot(lead)
    response = patch(client_for(haidian_officer), f"/api/leads/{lead.pk}/", body)
    assert response.status_code == 400, response.json()
    assert snapshot(lead) == before


def test_a_correction_to_another_open_companys_code_is_a_conflict(
    make_lead, make_negotiating, haidian_officer
):
    lead = make_negotiating()
    other = fire(make_lead(haidian_officer, serial=77), "submit", haidian_officer)
    before = snapshot(lead)
    response = patch(
        client_for(haidian_officer),
        f"/api/leads/{lead.pk}/",
        {"credit_code": other.credit_code, "reason": "x"},
    )
    assert response.status_code == 409 and error_code(response) == "duplicate"
    assert snapshot(lead) == before


def test_only_the_units_officers_and_the_city_correct(
    make_negotiating, haidian_leader, shunyi_officer, city_officer
):
    lead = make_negotiating()
    assert (
        patch(client_for(shunyi_officer), f"/api/leads/{lead.pk}/", {"notes": "x", "reason": "y"}).status_code
        == 404
    )
    city = patch(client_for(city_officer), f"/api/leads/{lead.pk}/", {"notes": "市级核实", "reason": "核实"})
    assert city.status_code == 200


def test_corrections_are_not_among_the_transitions(make_negotiating, haidian_officer):
    lead = make_negotiating()
    response = act(client_for(haidian_officer), lead.pk, "correct", notes="x", reason="y")
    assert response.status_code == 404


# --- merging duplicates --------------------------------------------------------------------------------


def test_the_city_merges_a_duplicate_and_the_survivor_keeps_everything(
    make_lead, haidian_officer, shunyi_officer, city_officer
):
    survivor = fire(make_lead(haidian_officer, serial=5), "submit", haidian_officer)
    survivor = fire(survivor, "confirm", city_officer)
    # the same project registered by Shunyi under a mistyped credit code
    duplicate = fire(make_lead(shunyi_officer, serial=6), "submit", shunyi_officer)
    Activity.objects.create(
        lead=duplicate, kind="meeting", at=timezone.now(), summary="顺义首次洽谈", actor=shunyi_officer,
        created_at=timezone.now(),
    )  # fmt: skip
    upload = SimpleUploadedFile(
        "顺义洽谈纪要.pdf", b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    city = client_for(city_officer)
    assert (
        city.post(f"/api/leads/{duplicate.pk}/attachments/", {"file": upload}, format="multipart").status_code
        == 201
    )
    response = post(
        city, f"/api/leads/{duplicate.pk}/merge/", {"into": survivor.pk, "reason": "同一项目重复登记"}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["id"] == survivor.pk
    cases = {h["case"] for h in body["history"]}
    assert cases == {survivor.pk, duplicate.pk}  # both histories
    assert any(
        h["transition"] == "merged_in" and h["params"]["duplicate"] == duplicate.pk for h in body["history"]
    )
    duplicate.refresh_from_db()
    assert duplicate.state == State.CLOSED and duplicate.duplicate_of_id == survivor.pk
    assert "同一项目重复登记" in duplicate.closed_reason
    assert Activity.objects.get(summary="顺义首次洽谈").lead_id == survivor.pk
    files = city.get(f"/api/leads/{survivor.pk}/attachments/").json()["results"]
    assert [f["name"] for f in files] == ["顺义洽谈纪要.pdf"]
    # the history chain of both stays whole
    from workflow import history

    assert list(history.verify()) == []


def test_the_survivor_takes_the_credits_it_does_not_hold(
    make_negotiating, make_lead, haidian_officer, city_officer, haidian_leader
):
    duplicate = make_negotiating(serial=8)
    fire(duplicate, "request_push", haidian_leader, reason="lacks_capacity", note="空间不足")
    duplicate = fire(duplicate, "confirm_push", city_officer)
    assert Credit.objects.filter(lead=duplicate).count() == 1
    survivor = make_negotiating(serial=9)
    response = post(
        client_for(city_officer), f"/api/leads/{duplicate.pk}/merge/", {"into": survivor.pk, "reason": "重复"}
    )
    assert response.status_code == 200, response.json()
    assert Credit.objects.filter(lead=survivor).count() == 1


@pytest.mark.parametrize(
    ("into", "status"),
    [("self", 400), (999999, 400), ("closed", 409), ("draft", 409), ("text", 400), (None, 400)],
)
def test_a_bad_merge_changes_nothing(
    make_negotiating, make_lead, haidian_officer, city_officer, haidian_leader, into, status
):
    lead = make_negotiating(serial=20)
    other = make_negotiating(serial=21)
    if into == "closed":
        fire(other, "close", haidian_leader, reason="企业放弃")
    if into == "draft":
        other = make_lead(haidian_officer, serial=22)
    target = {"self": lead.pk, "closed": other.pk, "draft": other.pk, "text": "abc"}.get(into, into)
    before = snapshot(lead)
    response = post(
        client_for(city_officer), f"/api/leads/{lead.pk}/merge/", {"into": target, "reason": "重复"}
    )
    assert response.status_code == status, response.json()
    assert snapshot(lead) == before


def test_only_the_city_merges(make_negotiating, haidian_leader):
    lead, other = make_negotiating(serial=30), make_negotiating(serial=31)
    response = post(
        client_for(haidian_leader), f"/api/leads/{lead.pk}/merge/", {"into": other.pk, "reason": "x"}
    )
    assert response.status_code == 403


# --- foreign investors ------------------------------------------------------------------------------


def _foreign(serial, **kw):  # type: ignore[no-untyped-def]
    return lead_data(serial, credit_code="", home_registration_number="HRB 123456", home_country="DE", **kw)


def test_a_foreign_investor_registers_with_its_home_registration(haidian_officer):
    hd = client_for(haidian_officer)
    response = post(hd, "/api/leads/", _foreign(1))
    assert response.status_code == 201, response.json()
    lead_id = response.json()["id"]
    assert act(hd, lead_id, "submit").status_code == 200
    second = post(hd, "/api/leads/", _foreign(2))
    assert second.status_code == 409 and error_code(second) == "duplicate"
    other_country = post(hd, "/api/leads/", {**_foreign(3), "home_country": "FR"})
    assert other_country.status_code == 201


@pytest.mark.parametrize(
    "overrides",
    [
        {"home_country": ""},
        {"home_registration_number": ""},
        {"home_country": "CN"},
        {"home_country": "XX"},
        {"home_registration_number": "x" * 65},
    ],
)
def test_a_company_must_be_identified(haidian_officer, overrides):
    count = Lead.objects.count()
    response = post(client_for(haidian_officer), "/api/leads/", {**_foreign(1), **overrides})
    assert response.status_code == 400, response.json()
    assert Lead.objects.count() == count


# --- activities ------------------------------------------------------------------------------------------


def test_activities_are_logged_and_listed(make_negotiating, haidian_officer):
    lead = make_negotiating()
    hd = client_for(haidian_officer)
    when = (timezone.now() - timedelta(hours=2)).isoformat()
    created = post(
        hd, f"/api/leads/{lead.pk}/activities/", {"kind": "visit", "at": when, "summary": "实地考察厂房"}
    )
    assert created.status_code == 201, created.json()
    assert created.json()["actor"] == "haidian_officer" and created.json()["kind_label"]
    listed = hd.get(f"/api/leads/{lead.pk}/activities/").json()
    assert listed["count"] == 1 and listed["results"][0]["summary"] == "实地考察厂房"


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "lunch", "at": "2026-11-28T10:00:00+08:00", "summary": "x"},
        {"kind": "call", "at": "2026-13-28T10:00", "summary": "x"},
        {"kind": "call", "at": "2030-01-01T10:00:00+08:00", "summary": "future"},
        {"kind": "call", "at": "2026-11-28T10:00:00+08:00", "summary": ""},
        {"kind": "call", "at": "2026-11-28T10:00:00+08:00"},
        {"kind": "call", "at": "2026-11-28T10:00:00+08:00", "summary": "x" * 4001},
    ],
)
def test_a_bad_activity_saves_nothing(make_negotiating, haidian_officer, body):
    lead = make_negotiating()
    response = post(client_for(haidian_officer), f"/api/leads/{lead.pk}/activities/", body)
    assert response.status_code == 400, response.json()
    assert not Activity.objects.exists()


def test_another_units_activities_do_not_exist_and_a_closed_lead_takes_none(
    make_negotiating, shunyi_officer, haidian_officer, haidian_leader
):
    lead = make_negotiating()
    sy = client_for(shunyi_officer)
    assert sy.get(f"/api/leads/{lead.pk}/activities/").status_code == 404
    body = {"kind": "call", "at": "2026-11-28T10:00:00+08:00", "summary": "x"}
    assert post(sy, f"/api/leads/{lead.pk}/activities/", body).status_code == 404
    fire(lead, "close", haidian_leader, reason="企业放弃")
    assert post(client_for(haidian_officer), f"/api/leads/{lead.pk}/activities/", body).status_code == 409
    assert not Activity.objects.exists()


# --- absences and deputies -----------------------------------------------------------------------------


def test_an_absent_officers_deputy_gets_copies_and_covers_their_leads(
    make_negotiating, haidian_officer, colleague, haidian_leader
):
    lead = make_negotiating()
    hd = client_for(haidian_officer)
    away = post(
        hd, "/api/absences/", {"start": "2026-11-30", "end": "2026-12-04", "deputy": "haidian_officer2"}
    )
    assert away.status_code == 201, away.json()
    assert hd.get("/api/absences/").json()["results"][0]["deputy"] == "haidian_officer2"
    with time_machine.travel(at("2026-12-01 09:00"), tick=False):
        fire(lead, "set_assignee", haidian_leader, username="haidian_officer")
        (copy,) = Notification.objects.filter(user=colleague, kind="assigned_to_you")
        assert copy.params["for_user"] == haidian_officer.pk
        texts = [n["text"] for n in client_for(colleague).get("/api/notifications/").json()["results"]]
        assert any(lead.name in t and "haidian_officer" in t for t in texts), texts
        # the deputy hands the absent officer's lead over (here to themself), within their own role
        taken = put(
            client_for(colleague), f"/api/leads/{lead.pk}/assignee/", {"username": "haidian_officer2"}
        )
        assert taken.status_code == 200, taken.json()
        fire(lead, "set_assignee", haidian_leader, username="haidian_officer")
    with time_machine.travel(at("2026-12-10 09:00"), tick=False):
        # back: neither copies nor standing in
        fire(lead, "set_assignee", haidian_leader, username=None)
        fire(lead, "set_assignee", haidian_leader, username="haidian_officer")
        assert Notification.objects.filter(user=colleague, kind="assigned_to_you").count() == 2
        before = snapshot(lead)
        refused = put(
            client_for(colleague), f"/api/leads/{lead.pk}/assignee/", {"username": "haidian_officer2"}
        )
        assert refused.status_code == 403
        assert snapshot(lead) == before


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"start": "2026-12-05", "end": "2026-12-01", "deputy": "haidian_officer2"}, 400),
        ({"start": "2026-11-01", "end": "2026-11-05", "deputy": "haidian_officer2"}, 400),  # over already
        ({"start": "2026-12-01", "end": "2026-12-05", "deputy": "haidian_officer"}, 400),  # oneself
        ({"start": "2026-12-01", "end": "2026-12-05", "deputy": "shunyi_officer"}, 400),  # no shared unit
        ({"start": "2026-12-01", "end": "2026-12-05", "deputy": "ghost"}, 400),
        ({"start": "2026-12-01", "end": "2126-12-05", "deputy": "haidian_officer2"}, 400),
        ({"start": "2026-12-03", "end": "2026-12-08", "deputy": "haidian_officer2"}, 409),  # overlaps
    ],
)
def test_a_bad_absence_saves_nothing(haidian_officer, colleague, shunyi_officer, body, status):
    hd = client_for(haidian_officer)
    assert (
        post(
            hd, "/api/absences/", {"start": "2026-12-01", "end": "2026-12-05", "deputy": "haidian_officer2"}
        ).status_code
        == 201
    )
    response = post(hd, "/api/absences/", body)
    assert response.status_code == status, response.json()
    assert Absence.objects.count() == 1


def test_absences_are_ones_own(haidian_officer, colleague, outsider):
    hd = client_for(haidian_officer)
    absence = post(
        hd, "/api/absences/", {"start": "2026-12-01", "end": "2026-12-05", "deputy": "haidian_officer2"}
    ).json()
    other = client_for(colleague)
    assert other.get("/api/absences/").json()["count"] == 0
    assert other.delete(f"/api/absences/{absence['id']}/").status_code == 404
    assert (
        post(
            client_for(outsider),
            "/api/absences/",
            {"start": "2026-12-01", "end": "2026-12-05", "deputy": "haidian_officer"},
        ).status_code
        == 403
    )
    assert hd.delete(f"/api/absences/{absence['id']}/").status_code == 204
    assert not Absence.objects.exists()


def test_declining_the_claim_releases_the_assignee(make_lead, haidian_officer, city_officer):
    lead = make_lead(haidian_officer)
    fire(lead, "set_assignee", haidian_officer, username="haidian_officer")
    fire(lead, "submit", haidian_officer)
    lead = fire(lead, "decline", city_officer, reason="由市级统筹")
    assert lead.assignee is None


def test_a_deputy_who_may_not_see_the_lead_gets_no_copy(make_negotiating, haidian_leader, shunyi_officer):
    from workflow.models import OrgUnit
    from workflow.services import member_add

    dual = demo.person("dual_officer")
    for code in ("haidian", "shunyi"):
        member_add(user=dual, unit=OrgUnit.objects.get(code=code), role="officer")
    Absence.objects.create(
        user=dual, start=timezone.localdate(), end=timezone.localdate(), deputy=shunyi_officer,
        created_at=timezone.now(),
    )  # fmt: skip
    lead = make_negotiating()
    fire(lead, "set_assignee", haidian_leader, username="dual_officer")
    assert Notification.objects.filter(user=dual, kind="assigned_to_you").exists()
    assert not Notification.objects.filter(user=shunyi_officer).exists()  # a Haidian lead: not for Shunyi
