"""Every transition refuses the wrong people and the wrong states, and then nothing has changed."""

import json

import pytest

from cases.demo import person
from cases.errors import Conflict, NotFound, NotPermitted
from tests.helpers import at, fire, snapshot
from workflow.due import process_due

# The paths act at "now", pinned to 2026-11-29 (tests.fixtures.pinned_now): a milestone lies between
# its clock's start and today, so it is dated that day.
pytestmark = pytest.mark.usefixtures("pinned_now")
PROGRESS = {"milestone": "project_filed", "date": "2026-11-29", "evidence": "备案通知书"}
PUSH = {"reason": "lacks_capacity", "note": "无可用土地"}
LAND = {"landed_on": "2026-11-02", "paid_in_capital_cny": "1000"}

# The path to each state from a fresh Haidian draft: (transition, actor, params).
PATHS = {
    "draft": [],
    "pending_confirmation": [("submit", "haidian_officer", {})],
    "negotiating": [("submit", "haidian_officer", {}), ("confirm", "city_officer", {})],
}
PATHS["pending_assignment"] = PATHS["pending_confirmation"] + [("decline", "city_officer", {"reason": "x"})]
PATHS["progress_review"] = PATHS["negotiating"] + [("report_progress", "haidian_officer", PROGRESS)]
PATHS["push_requested"] = PATHS["negotiating"] + [("request_push", "haidian_leader", PUSH)]
PATHS["progressing"] = PATHS["progress_review"] + [("approve_progress", "haidian_leader", {})]
PATHS["escalated"] = PATHS["negotiating"] + [("<clock>", None, {})]

# transition → (a state it fires from, its parameters, people who may not fire it)
CASES = {
    "submit": ("draft", {}, ["shunyi_officer", "city_officer", "outsider"]),
    "confirm": ("pending_confirmation", {}, ["haidian_officer", "haidian_leader", "city_leader", "outsider"]),
    "decline": ("pending_confirmation", {"reason": "x"}, ["haidian_leader", "city_leader"]),
    "assign": ("pending_assignment", {"unit": "bda"}, ["haidian_leader", "bda_officer", "city_leader"]),
    "report_progress": (
        "negotiating",
        PROGRESS,
        ["shunyi_officer", "city_officer", "city_leader", "outsider"],
    ),
    "approve_progress": ("progress_review", {}, ["haidian_officer", "shunyi_leader", "city_officer"]),
    "reject_progress": (
        "progress_review",
        {"reason": "x"},
        ["haidian_officer", "shunyi_leader", "city_officer"],
    ),
    "request_push": ("negotiating", PUSH, ["haidian_officer", "shunyi_leader", "city_officer"]),
    "confirm_push": ("push_requested", {}, ["haidian_leader", "haidian_officer", "city_leader"]),
    "reject_push": ("push_requested", {"reason": "x"}, ["haidian_leader", "city_leader"]),
    "escalate": ("negotiating", {}, ["city_officer", "haidian_leader", "city_leader"]),
    "reassign": ("escalated", {"unit": "bda"}, ["haidian_leader", "bda_leader", "city_leader"]),
    "land": ("progressing", LAND, ["haidian_officer", "shunyi_leader", "city_officer"]),
    "close": (
        "negotiating",
        {"reason": "x"},
        ["haidian_officer", "shunyi_leader", "city_leader", "outsider"],
    ),
    "rule_strategic": (
        "negotiating",
        {"strategic": True, "reason": "x"},
        ["haidian_officer", "haidian_leader", "shunyi_officer", "city_leader", "outsider"],
    ),
}


@pytest.fixture
def lead_in(make_lead):  # type: ignore[no-untyped-def]
    def make(state):  # type: ignore[no-untyped-def]
        lead = make_lead(person("haidian_officer"))
        for name, actor, params in PATHS[state]:
            if name == "<clock>":
                process_due(now=at("2099-01-01 00:00"))
            else:
                lead = fire(lead, name, person(actor), **params)
        lead.refresh_from_db()
        assert lead.state == state
        return lead

    return make


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_wrong_people_are_refused_and_nothing_changes(lead_in, name):
    state, params, people = CASES[name]
    lead = lead_in(state)
    before = snapshot(lead)
    for username in people:
        # a person who cannot see the lead is told it does not exist; one who can, that they may not
        with pytest.raises((NotPermitted, NotFound)):
            fire(lead, name, person(username), **params)
    assert snapshot(lead) == before


WRONG_STATES = {
    "report_progress": ("progress_review", "haidian_officer", PROGRESS),
    "request_push": ("push_requested", "haidian_leader", PUSH),
    "close": (
        "draft",
        None,
        {},
    ),  # close is open from every non-terminal state; terminal ones are tested elsewhere
    "approve_progress": ("progressing", "haidian_leader", {}),
    "land": ("negotiating", "haidian_leader", LAND),
    "submit": ("pending_confirmation", "haidian_officer", {}),
}


@pytest.mark.parametrize("name", sorted(k for k, v in WRONG_STATES.items() if v[1]))
def test_the_wrong_state_is_a_conflict_and_nothing_changes(lead_in, name):
    state, actor, params = WRONG_STATES[name]
    lead = lead_in(state)
    before = snapshot(lead)
    with pytest.raises(Conflict):
        fire(lead, name, person(actor), **params)
    assert snapshot(lead) == before


GARBAGE = [
    {"reason": ["a", "b"]},
    {"unit": {"code": "bda"}},
    {"date": 20261101, "milestone": None, "evidence": 7},
    {"landed_on": "yesterday", "paid_in_capital_cny": "1e400", "actual_fdi_usd": -1},
    {"paid_in_capital_cny": "NaN", "landed_on": "2026-02-30"},
    {"note": "x" * 5000, "reason": "lacks_capacity"},
    {"strategic": "perhaps", "strategic_reason": ["x"], "override_reason": {"a": 1}},
]


@pytest.mark.parametrize("name", sorted(name for name, case in CASES.items() if case[1]))
def test_garbage_parameters_are_never_a_server_error(lead_in, name):
    from rest_framework.test import APIClient

    state, _params, _people = CASES[name]
    lead = lead_in(state)
    api = APIClient()
    for username in ("city_officer", "haidian_leader", "haidian_officer"):
        api.force_authenticate(person(username))
        for body in GARBAGE:
            response = api.post(f"/api/leads/{lead.pk}/transitions/{name}/", body, format="json")
            assert response.status_code in (200, 400, 403, 409), (username, body, response.content)
        response = api.post(
            f"/api/leads/{lead.pk}/transitions/{name}/", "{not json", content_type="application/json"
        )
        assert response.status_code in (400, 403, 409)
        assert json.loads(response.content)["detail"]


def test_a_list_where_a_text_belongs_is_refused(lead_in):
    from cases.errors import Invalid

    lead = lead_in("negotiating")
    before = snapshot(lead)
    with pytest.raises(Invalid) as err:
        fire(lead, "close", person("city_officer"), reason=["企业放弃", "另选城市"])
    assert err.value.errors["reason"][0]["code"] == "invalid"
    assert snapshot(lead) == before
