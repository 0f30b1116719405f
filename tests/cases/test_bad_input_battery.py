"""The bad-input battery, generated from the declarations: every parameter of every transition of every
case type, given each kind of bad value a careless user or an attacker sends, is a 400 in the error
shape that names the field, and nothing changed. A new transition's parameters are covered by themselves."""

import json
from typing import Any

import pytest
from rest_framework import serializers
from rest_framework.test import APIClient

from cases.demo import person
from tests.cases.test_permissions import COMMON, MAY, OWN, PARAMS, PEOPLE, PREFIX, SPEC_OF, case_in, state_of
from workflow import engine

pytestmark = pytest.mark.usefixtures("pinned_now")  # the paths' milestones are dated that day

# a value of each kind nobody should be able to store (JSON text, as a client sends it)
BAD = {
    "nan": "NaN",
    "infinity": "Infinity",
    "huge_number": "1e400",
    "negative": "-1",
    "impossible_date": "2026-02-30",
    "ancient_date": "0001-01-01",
    "list": ["x"],
    "object": {"x": 1},
    "huge_string": "项" * 100_001,
    "nul": "a\x00b",
    "lone_surrogate": "\ud800",
    "true": True,
}


# what the other fields of a case-work request need to be right, so the bad one is what is judged
GOOD = {"correct": {"reason": "x"}, "merge": {"reason": "x", "into": 1}}


def accepts(field: serializers.Field, value: Any) -> bool:
    """Whether the field would take this value as valid (some bad values are fine for some fields:
    "-1" is a valid reason text): those cells are skipped, not asserted."""
    try:
        field.run_validation(value)
    except (serializers.ValidationError, AssertionError, TypeError, ValueError):
        return False
    return True


def transitions_with_input() -> list[tuple[str, str]]:
    return [
        (key, name)
        for key, case_type in sorted(engine.case_types().items())
        for name, t in case_type.transitions.items()
        if not engine.declared(t).system and engine.input_of(engine.declared(t)) is not None
    ]


def source_of(key: str, name: str) -> str:
    case_type = engine.case_types()[key]
    fsm_field = case_type.model._meta.get_field(case_type.field_name)
    sources = [
        t.source
        for t in fsm_field.get_all_transitions(case_type.model)  # type: ignore[union-attr]
        if (engine.declared(t).name or t.name) == name
    ]
    return "negotiating" if key == "lead" and "negotiating" in sources else sorted(sources)[0]


@pytest.mark.parametrize(("key", "name"), transitions_with_input(), ids=str)
def test_every_bad_parameter_is_a_400_naming_it_and_changes_nothing(make_lead, key, name):
    case = case_in(key, source_of(key, name), make_lead, 500)
    actor = sorted(MAY[key][name])[0]  # one who may fire it: the input is what is judged
    api = APIClient()
    api.force_authenticate(person({**COMMON, **PEOPLE[key]}[actor]))
    input_cls = engine.input_of(engine.declared(engine.case_types()[key].transitions[name]))
    assert input_cls is not None
    before = state_of(key, case)
    wrong = []
    for field_name, field in input_cls().fields.items():
        for kind, value in BAD.items():
            if accepts(field, value):
                continue
            body = json.dumps({**PARAMS[key].get(name, {}), **GOOD.get(name, {}), field_name: value})
            own = {**OWN, **(SPEC_OF[key].own if key in SPEC_OF else {})}
            method, tail = own.get(name, ("post", f"transitions/{name}/"))
            response = getattr(api, method)(
                f"/api/{PREFIX[key]}/{case.pk}/{tail}", body, content_type="application/json"
            )
            if response.status_code != 400 or field_name not in response.json().get("errors", {}):
                wrong.append((field_name, kind, response.status_code, response.content[:200]))
    assert wrong == []
    assert state_of(key, case) == before
