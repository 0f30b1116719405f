"""The permission matrix, generated from the case types' declarations: every case type × transition × the
states it can be fired from × persona, through the API. Each cell asserts the status code, and that a
refusal changed nothing. A new transition, source state or case type appears here by itself — and fails
until the spec below says who may fire it and how to reach its states."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from cases.demo import person
from cases.models import CommitmentApplication, RewardCase
from tests.cases.specs import SPECS
from tests.cases.test_refusals import LAND, PATHS, PROGRESS, PUSH
from tests.helpers import fire, snapshot
from workflow import engine
from workflow.due import process_due
from workflow.models import Clock, TransitionRecord

pytestmark = pytest.mark.usefixtures("pinned_now")  # the paths' milestones are dated that day

# The personas, as each case type meets them: the case belongs to "the unit".
PERSONAS = ("city_officer", "city_leader", "unit_officer", "unit_leader", "other_officer", "zone_officer",
            "no_role", "anonymous")  # fmt: skip
PEOPLE = {
    "lead": {"unit_officer": "haidian_officer", "unit_leader": "haidian_leader", "other_officer": "shunyi_officer"},
    "commitment": {"unit_officer": "huairou_officer", "unit_leader": "huairou_leader", "other_officer": "changping_officer"},
    "reward": {"unit_officer": "haidian_officer", "unit_leader": "haidian_leader", "other_officer": "shunyi_officer"},
}  # fmt: skip
COMMON = {"city_officer": "city_officer", "city_leader": "city_leader", "zone_officer": "bda_officer",
          "no_role": "outsider"}  # fmt: skip

# The spec (DESIGN §3, §5, §6): who sees a case, and who may fire each transition.
SEES = {
    "lead": {"city_officer", "city_leader", "unit_officer", "unit_leader"},
    "commitment": {"city_officer", "city_leader", "unit_officer", "unit_leader"},
    "reward": {"city_officer", "city_leader", "unit_officer", "unit_leader"},
}
MAY = {
    "lead": {
        "submit": {"unit_officer", "unit_leader"},
        "confirm": {"city_officer"},
        "decline": {"city_officer"},
        "assign": {"city_officer"},
        "report_progress": {"unit_officer", "unit_leader"},
        "approve_progress": {"unit_leader"},
        "reject_progress": {"unit_leader"},
        "request_push": {"unit_leader"},
        "confirm_push": {"city_officer"},
        "reject_push": {"city_officer"},
        "escalate": set(),  # the clock's alone
        "rule_strategic": {"city_officer"},  # the city rules on the proposal (§5), in any open state
        "reassign": {"city_officer"},
        "land": {"unit_leader"},
        "close": {"city_officer", "unit_leader"},
        # case work through endpoints of its own (DESIGN §6a): the unit's people hold the lead while
        # the unit works it, its officers (and the city) correct it, the city merges duplicates
        "set_assignee": {"unit_officer", "unit_leader"},
        "correct": {"city_officer", "unit_officer", "unit_leader"},
        "merge": {"city_officer"},
    },
    "commitment": {
        "submit": {"unit_officer"},
        "approve": {"unit_leader"},
        "reject": {"unit_leader"},
        "return": {"unit_leader"},
        "record_inspection": {"unit_officer"},
        "confirm_rectified": {"unit_leader"},
        "revoke": {"unit_leader"},
    },
    "reward": {"approve": {"unit_leader"}, "reject": {"unit_leader"}, "pay": {"unit_leader"}},
}
# The unit's leader closes a lead only while the unit holds it (it may not close one waiting on the city).
UNIT_HOLDS_LEAD = {"draft", "negotiating", "progress_review", "push_requested", "progressing"}

PARAMS: dict[str, dict[str, dict[str, Any]]] = {
    "lead": {
        "decline": {"reason": "x"}, "assign": {"unit": "bda"}, "report_progress": PROGRESS, "reject_progress": {"reason": "x"},
        "request_push": PUSH, "reject_push": {"reason": "x"}, "reassign": {"unit": "bda"}, "land": LAND, "close": {"reason": "x"},
        "rule_strategic": {"strategic": True, "reason": "x"},
    },
    "commitment": {
        "approve": {"commitments": ["容积率不低于1.0"]}, "reject": {"reason": "x"}, "return": {"reason": "x"},
        "record_inspection": {"result": "compliant"}, "revoke": {"reason": "x"},
    },
    "reward": {"reject": {"reason": "x"}},
}  # fmt: skip
PREFIX = {"lead": "leads", "commitment": "commitments", "reward": "rewards"}
# transitions fired through an endpoint of their own: method and path under the case's
OWN = {"set_assignee": ("put", "assignee/"), "correct": ("patch", ""), "merge": ("post", "merge/")}
EXTRA_PERSONAS: dict[str, tuple[str, ...]] = {}
for _spec in SPECS:  # the case types that keep their spec in a module of their own (tests/cases/specs)
    PEOPLE[_spec.key], SEES[_spec.key], MAY[_spec.key] = _spec.people, _spec.sees, _spec.may
    PARAMS[_spec.key], PREFIX[_spec.key] = _spec.params, _spec.prefix
    EXTRA_PERSONAS[_spec.key] = _spec.extra_personas
SPEC_OF = {spec.key: spec for spec in SPECS}


def personas(key: str) -> tuple[str, ...]:
    return PERSONAS + EXTRA_PERSONAS.get(key, ())


def request(key: str, persona: str, case: Any, name: str, params: dict[str, Any], make_lead: Any) -> int:
    """The status of `persona` firing `name` on `case`, through the endpoint the API has for it."""
    api = client(key, persona)
    own = SPEC_OF[key].own if key in SPEC_OF else {}
    if name in own:
        method, tail = own[name]
        return getattr(api, method)(f"/api/{PREFIX[key]}/{case.pk}/{tail}", params, format="json").status_code
    if name not in OWN:
        return api.post(
            f"/api/{PREFIX[key]}/{case.pk}/transitions/{name}/", params, format="json"
        ).status_code
    method, tail = OWN[name]
    if name == "set_assignee":  # each claims it for themself
        params = {"username": {**COMMON, **PEOPLE[key]}.get(persona, "nobody")}
    elif name == "correct":
        params = {"notes": f"核实 {persona}", "reason": "x"}
    return getattr(api, method)(f"/api/{PREFIX[key]}/{case.pk}/{tail}", params, format="json").status_code


def cells() -> list[tuple[str, str, str]]:
    """(case type, transition, source state) for every transition of every registered case type."""
    out = set()
    for key, case_type in engine.case_types().items():
        fsm_field = case_type.model._meta.get_field(case_type.field_name)
        for t in fsm_field.get_all_transitions(case_type.model):  # type: ignore[union-attr]
            out.add((key, engine.declared(t).name or t.name, t.source))
    return sorted(out)


# --- making a case in a state ----------------------------------------------------------------------------


def lead_in(make_lead: Any, state: str) -> Any:
    lead = make_lead(person("haidian_officer"))
    for name, actor, params in PATHS[state]:
        if name == "<clock>":
            process_due(now=lead.clock.deadline_at)
        else:
            lead = fire(lead, name, person(actor), **params)
    lead.refresh_from_db()
    return lead


def commitment_in(state: str, serial: int) -> Any:
    from cases.commitments import services
    from cases.commitments.machine import COMMITMENT
    from tests.cases.test_commitments import application

    services.standard_publish(
        actor=person("city_officer"), data={"zone": "huairou_science_city", "items": ["容积率不低于1.0"]}
    )
    app = services.commitment_create(actor=person("huairou_officer"), data=application(serial))
    steps = {"draft": [], "submitted": [("submit", "huairou_officer", {})]}
    steps["approved"] = steps["submitted"] + [("approve", "huairou_leader", PARAMS["commitment"]["approve"])]
    steps["rectifying"] = steps["approved"] + [
        ("record_inspection", "huairou_officer", {"result": "rectify", "findings": "x"})
    ]
    for name, actor, params in steps[state]:
        engine.fire(COMMITMENT, pk=app.pk, name=name, actor=person(actor), params=params)
    return CommitmentApplication.objects.get(pk=app.pk)


def reward_in(make_lead: Any, state: str, serial: int) -> Any:
    from cases.outcomes.machine import REWARD
    from tests.cases.test_outcomes import landed

    case = RewardCase.objects.get(lead=landed(make_lead, paid_in="6000000000", serial=serial))
    if state == "approved":
        engine.fire(REWARD, pk=case.pk, name="approve", actor=person("haidian_leader"))
    return RewardCase.objects.get(pk=case.pk)


def case_in(key: str, state: str, make_lead: Any, serial: int) -> Any:
    if key in SPEC_OF:
        return SPEC_OF[key].make(state, make_lead, serial)
    if key == "lead":
        return lead_in(make_lead, state)
    if key == "commitment":
        return commitment_in(state, serial)
    return reward_in(make_lead, state, serial)


def state_of(key: str, case: Any) -> Any:
    if key == "lead":
        return snapshot(case)
    model = type(case)
    return (
        model.objects.filter(pk=case.pk).values().get(),
        TransitionRecord.objects.filter(subject_id=case.pk).count(),
        Clock.objects.filter(subject_id=case.pk).count(),
    )


def client(key: str, persona: str) -> APIClient:
    api = APIClient()
    if persona != "anonymous":
        api.force_authenticate(person({**COMMON, **PEOPLE[key]}[persona]))
    return api


def expected(key: str, name: str, state: str, persona: str) -> int:
    if persona == "anonymous":
        return 401
    if key in SPEC_OF and SPEC_OF[key].expected is not None:
        special = SPEC_OF[key].expected(name, state, persona)  # type: ignore[misc]
        if special is not None:
            return special
    if persona not in SEES[key]:
        return 404
    allowed = set(MAY[key][name])
    if key == "lead" and name in ("close", "set_assignee", "correct") and state not in UNIT_HOLDS_LEAD:
        allowed -= {"unit_leader", "unit_officer"}
    return 200 if persona in allowed else 403


# --- the matrix ------------------------------------------------------------------------------------------


def test_the_spec_covers_every_declared_transition():
    declared = {key: set(ct.transitions) | _system(ct) for key, ct in engine.case_types().items()}
    assert declared == {key: set(may) for key, may in MAY.items()}


def _system(case_type: engine.CaseType) -> set[str]:
    fsm_field = case_type.model._meta.get_field(case_type.field_name)
    return {t.name for t in fsm_field.get_all_transitions(case_type.model) if engine.declared(t).system}  # type: ignore[union-attr]


@pytest.mark.parametrize(("key", "name", "state"), cells(), ids=lambda v: str(v))
def test_each_persona_gets_exactly_its_answer(make_lead, key, name, state):
    serial = iter(range(100, 10_000))
    case = case_in(key, state, make_lead, next(serial))
    params = PARAMS[key].get(name, {})
    if name == "merge":  # the lead that stays, made before the refusals are watched
        params = {"into": lead_in(make_lead, "negotiating").pk, "reason": "x"}
    answers, permitted = {}, []
    before = state_of(key, case)
    for persona in personas(key):
        want = expected(key, name, state, persona)
        if want == 200:
            permitted.append(persona)
            continue
        answers[persona] = request(key, persona, case, name, params, make_lead)
        assert state_of(key, case) == before, f"{persona}'s refusal changed the case"
    for persona in permitted:  # each on a case of its own, in the same state
        fresh = case if persona == permitted[0] else case_in(key, state, make_lead, next(serial))
        answers[persona] = request(key, persona, fresh, name, params, make_lead)
    assert answers == {p: expected(key, name, state, p) for p in personas(key)}
