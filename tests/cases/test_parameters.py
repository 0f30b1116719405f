"""Versioned policy parameters (DESIGN §4, §8 "Additions"): city leaders publish, everyone with a role
reads, each clock keeps the version it started with, and a what-if preview shows what a change would move."""

from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cases.models import PolicyVersion
from cases.parameters import selectors, services
from tests.helpers import at, fire
from workflow.models import Clock, ClockRule

TODAY = at("2026-11-29 10:00")
V1 = {
    "no_progress_months": 2,
    "warning_days": [5, 20],
    "remind_working_days": 3,
    "escalate_working_days": 6,
    "inspection_days": 60,
    "rectification_days": 15,
    "service_request_working_days": 8,
    "effective_from": "2026-12-01",
    "basis": "市经信局 2026 年第 9 次局务会决定（示例）",
}


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture(autouse=True)
def _today():  # type: ignore[no-untyped-def]
    with time_machine.travel(TODAY, tick=False):
        yield


def publish(user: Any, **changes: Any) -> Any:
    return api(user).post("/api/policy/parameters/", {**V1, **changes}, format="json")


# --- publishing and reading ------------------------------------------------------------------------------


def test_a_city_leader_publishes_a_version(city_leader):
    response = publish(city_leader)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {k: body[k] for k in V1} == {**V1, "warning_days": [20, 5]}  # largest first
    assert (body["version"], body["published_by"]) == (1, "city_leader")
    assert publish(city_leader, effective_from="2027-01-01").json()["version"] == 2


def test_everyone_with_a_role_reads_the_versions_newest_first(city_leader, haidian_officer, bda_officer):
    publish(city_leader)
    publish(city_leader, no_progress_months=4)
    for user in (haidian_officer, bda_officer, city_leader):
        response = api(user).get("/api/policy/parameters/")
        assert response.status_code == 200
        assert [v["version"] for v in response.json()["results"]] == [2, 1]


def test_a_person_without_a_role_reads_nothing(outsider):
    response = api(outsider).get("/api/policy/parameters/")
    assert (response.status_code, response.json()["code"]) == (403, "not_permitted")


@pytest.mark.parametrize("who", ["city_officer", "haidian_leader", "haidian_officer", "outsider"])
def test_only_city_leaders_publish(who, request):
    response = publish(request.getfixturevalue(who))
    assert (response.status_code, response.json()["code"]) == (403, "not_permitted")
    assert PolicyVersion.objects.count() == 0


BAD = {
    "months-zero": {"no_progress_months": 0},
    "months-too-many": {"no_progress_months": 25},
    "months-fraction": {"no_progress_months": 3.5},
    "months-bool": {"no_progress_months": True},
    "months-text": {"no_progress_months": "three"},
    "months-huge": {"no_progress_months": 10**30},
    "warnings-not-a-list": {"warning_days": "30"},
    "warnings-twice": {"warning_days": [30, 30]},
    "warning-outside-the-period": {"no_progress_months": 1, "warning_days": [30]},
    "warning-zero": {"warning_days": [0]},
    "too-many-warnings": {"warning_days": [1, 2, 3, 4, 5, 6]},
    "escalation-before-reminder": {"remind_working_days": 5, "escalate_working_days": 5},
    "inspection-negative": {"inspection_days": -1},
    "rectification-null": {"rectification_days": None},
    "effective-in-the-past": {"effective_from": "2026-11-28"},
    "effective-after-2100": {"effective_from": "2101-01-01"},
    "effective-no-such-day": {"effective_from": "2027-02-30"},
    "effective-a-number": {"effective_from": 20270101},
    "basis-blank": {"basis": "   "},
    "basis-too-long": {"basis": "决" * 501},
    "basis-nul": {"basis": "决定\x00"},
    "basis-an-object": {"basis": {"doc": "x"}},
}


@pytest.mark.parametrize("changes", BAD.values(), ids=BAD.keys())
def test_bad_input_is_a_400_in_the_error_shape_and_nothing_is_saved(city_leader, changes):
    response = publish(city_leader, **changes)
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "invalid" and body["errors"] and body["detail"]
    assert PolicyVersion.objects.count() == 0


@pytest.mark.parametrize("missing", sorted(V1))
def test_every_field_of_a_version_is_required(city_leader, missing):
    body = {k: v for k, v in V1.items() if k != missing}
    response = api(city_leader).post("/api/policy/parameters/", body, format="json")
    assert response.status_code == 400 and missing in response.json()["errors"]
    assert PolicyVersion.objects.count() == 0


def test_a_body_that_is_not_an_object_is_refused(city_leader):
    response = api(city_leader).post("/api/policy/parameters/", [V1], format="json")
    assert response.status_code == 400 and PolicyVersion.objects.count() == 0


# --- each clock keeps the version it started with ---------------------------------------------------------


def test_a_clock_started_before_the_effective_day_keeps_the_old_numbers(city_leader, make_negotiating):
    before = make_negotiating(now=at("2026-11-29 11:00"))
    publish(city_leader)
    old = make_negotiating(now=at("2026-11-30 23:59"))  # the day before it takes effect
    new = make_negotiating(now=at("2026-12-01 00:00"))
    assert (old.clock.period, old.clock.warning_days, old.clock.policy_version) == (3, [30, 7], None)
    # 2 months: D = Mon 2027-02-01 (2027 assumed Monday–Friday) → the end of that day
    assert (new.clock.period, new.clock.warning_days, new.clock.policy_version) == (2, [20, 5], 1)
    assert new.clock.deadline_at == at("2027-02-02 00:00")
    assert Clock.objects.get(pk=before.clock_id).deadline_at == before.clock.deadline_at  # untouched


def test_the_clock_on_the_lead_names_its_version(city_leader, make_negotiating, haidian_officer):
    publish(city_leader)
    lead = make_negotiating(now=at("2026-12-02 10:00"))
    clock = api(haidian_officer).get(f"/api/leads/{lead.pk}/").json()["clock"]
    assert (clock["policy_version"], clock["note"][:22]) == (1, "Monday–Friday assumed ")


def test_the_ladder_takes_its_working_days_from_the_version(city_leader, make_lead, haidian_officer):
    publish(city_leader)
    lead = fire(make_lead(haidian_officer), "submit", haidian_officer, now=at("2026-12-01 09:00"))
    rungs = dict(Clock.objects.filter(subject_id=lead.pk).values_list("kind", "period"))
    assert rungs == {"lead_wait_remind": 3, "lead_wait_escalate": 6}
    remind = Clock.objects.get(subject_id=lead.pk, kind="lead_wait_remind")
    assert (remind.deadline_at, remind.policy_version) == (at("2026-12-04 09:00"), 1)


def test_before_any_version_the_defaults_apply(make_negotiating):
    p = selectors.parameters_at(when=TODAY)
    assert (p.version, p.no_progress_months, p.warning_days, p.remind_working_days) == (None, 3, (30, 7), 5)


# --- the what-if preview ------------------------------------------------------------------------------------


def preview(user: Any, **proposed: Any) -> Any:
    return api(user).post("/api/policy/parameters/preview/", proposed, format="json")


def test_the_preview_names_each_lead_that_would_move_from_what_to_what(
    city_leader, make_negotiating, haidian_officer
):
    early = make_negotiating(now=at("2026-07-01 10:00"))  # deadline 2026-10-09 00:00: overdue long ago
    late = make_negotiating(now=at("2026-11-02 10:00"))  # D = Tue 2027-02-02 → the end of it
    paused = make_negotiating(now=at("2026-11-02 10:00"))
    fire(paused, "report_progress", haidian_officer, now=at("2026-11-20 10:00"), milestone="agreement_signed",
         date="2026-11-20", evidence="协议")  # fmt: skip
    clocks = list(Clock.objects.values().order_by("id"))
    with time_machine.travel(at("2026-09-15 10:00"), tick=False):  # a moment when `early` still runs
        body = preview(city_leader, no_progress_months=2).json()
    assert (body["examined"], body["moved"], body["overdue_at_once"]) == (3, 3, 1)
    rows = {r["lead"]: r for r in body["results"]}
    assert rows[early.pk] | {"name": None} == {
        "lead": early.pk, "name": None, "state": "negotiating", "unit": "haidian", "paused": False,
        "from": "2026-10-09T00:00:00+08:00", "to": "2026-09-02T00:00:00+08:00", "days": -37, "overdue_at_once": True,
    }  # fmt: skip
    assert body["results"][0]["lead"] == early.pk  # the overdue ones first
    # 2 months: D = Sat 2027-01-02 → assumed rest → the end of Mon Jan 4
    assert (rows[late.pk]["from"], rows[late.pk]["to"]) == (
        "2027-02-03T00:00:00+08:00",
        "2027-01-05T00:00:00+08:00",
    )
    assert body["current"]["version"] is None and body["proposed"]["no_progress_months"] == 2
    assert list(Clock.objects.values().order_by("id")) == clocks  # nothing written
    assert PolicyVersion.objects.count() == 0


def test_a_paused_lead_is_previewed_as_if_it_resumed_now(city_leader, make_negotiating, haidian_officer):
    lead = make_negotiating(now=at("2026-11-02 10:00"))
    fire(lead, "report_progress", haidian_officer, now=at("2026-11-20 10:00"), milestone="agreement_signed",
         date="2026-11-20", evidence="协议")  # fmt: skip
    row = preview(city_leader, no_progress_months=4).json()["results"][0]
    # paused 9 days (Nov 20 10:00 → Nov 29 10:00): 3 months → D = Feb 2 + 9 = Thu Feb 11; 4 months → Thu Mar 11
    assert (row["paused"], row["from"], row["to"]) == (
        True,
        "2027-02-12T00:00:00+08:00",
        "2027-03-12T00:00:00+08:00",
    )


def test_the_same_numbers_move_nothing(city_leader, make_negotiating):
    make_negotiating(now=at("2026-11-02 10:00"))
    body = preview(city_leader).json()  # every number left out: the current ones
    assert (body["examined"], body["moved"], body["results"]) == (1, 0, [])


def test_a_clock_from_before_the_civil_code_rule_is_not_previewed_as_moving(city_leader, make_negotiating):
    # a clock started before the rule existed (migration workflow 0004: a fixed moment) keeps its deadline
    lead = make_negotiating(now=at("2026-11-02 10:00"))
    Clock.objects.filter(pk=lead.clock_id).update(rule=ClockRule.FIXED)
    body = preview(city_leader).json()
    assert (body["examined"], body["moved"], body["results"]) == (0, 0, [])


def test_the_preview_counts_the_ladders_that_would_move(city_leader, make_lead, haidian_officer):
    fire(make_lead(haidian_officer), "submit", haidian_officer, now=at("2026-11-27 09:00"))
    body = preview(city_leader, remind_working_days=1, escalate_working_days=2).json()
    # reminder Nov 30, escalation Dec 1: both would still lie ahead of TODAY (Nov 29 10:00)
    assert body["ladder"] == {"examined": 2, "moved": 2, "overdue_at_once": 0}


@pytest.mark.parametrize("who", ["city_officer", "haidian_leader", "outsider"])
def test_only_city_leaders_preview(who, request):
    response = preview(request.getfixturevalue(who), no_progress_months=2)
    assert response.status_code == 403


@pytest.mark.parametrize("changes", [{"no_progress_months": 0}, {"warning_days": ["x"]}, {"no_progress_months": 1,
                                     "warning_days": [40]}, {"remind_working_days": 20}])  # fmt: skip
def test_a_bad_proposal_is_a_400(city_leader, changes):
    response = preview(city_leader, **changes)
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_the_preview_costs_the_same_queries_for_3_or_30_leads(city_leader, make_negotiating):
    def cost() -> int:
        with CaptureQueriesContext(connection) as ctx:
            selectors.parameters_preview(user=city_leader, data={"no_progress_months": 2})
        return len(ctx.captured_queries)

    for _ in range(3):
        make_negotiating(now=at("2026-11-02 10:00"))
    few = cost()
    for _ in range(27):
        make_negotiating(now=at("2026-10-02 10:00"))
    assert cost() == few


# --- the page -----------------------------------------------------------------------------------------------


def page(user: Any) -> Client:
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def form(**changes: Any) -> dict[str, Any]:
    return {**V1, "warning_days": "20, 5", **changes}


def test_the_page_shows_the_versions_and_a_draft_to_city_leaders(city_leader):
    services.parameters_publish(actor=city_leader, data=V1)
    html = page(city_leader).get("/cases/parameters/").content.decode()
    assert "v1" in html and V1["basis"] in html and 'name="no_progress_months"' in html


@pytest.mark.parametrize("who", ["city_officer", "haidian_leader"])
def test_the_page_is_refused_to_others(who, request):
    assert page(request.getfixturevalue(who)).get("/cases/parameters/").status_code == 403


def test_the_page_previews_then_publishes(city_leader, make_negotiating):
    make_negotiating(now=at("2026-11-02 10:00"))
    shown = page(city_leader).post("/cases/parameters/", {**form(), "preview": "1"})
    assert shown.status_code == 200 and 'id="preview-result"' in shown.content.decode()
    assert PolicyVersion.objects.count() == 0
    published = page(city_leader).post("/cases/parameters/", {**form(), "publish": "1"})
    assert published.status_code == 302
    assert PolicyVersion.objects.get().warning_days == [20, 5]


def test_the_page_refuses_a_bad_draft_and_saves_nothing(city_leader):
    response = page(city_leader).post("/cases/parameters/", {**form(no_progress_months="0"), "publish": "1"})
    assert response.status_code == 400 and 'id="error"' in response.content.decode()
    assert PolicyVersion.objects.count() == 0
