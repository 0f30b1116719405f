"""The OpenAPI schema tells the truth about every write: each transition of each case type has its own
operation whose request body is exactly its input serializer, and every error answer is documented."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.cases.test_permissions import OWN, PREFIX, SPEC_OF
from workflow import engine


@pytest.fixture(scope="module")
def schema():  # type: ignore[no-untyped-def]
    return SchemaGenerator().get_schema(request=None, public=True)


def body_schema(schema, operation):  # type: ignore[no-untyped-def]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def person_transitions():  # type: ignore[no-untyped-def]
    return [
        (case_type, name)
        for case_type in engine.case_types().values()
        for name, t in case_type.transitions.items()
        if not engine.declared(t).system
    ]


def test_every_case_type_is_in_the_schema():
    assert set(engine.case_types()) == set(PREFIX)


@pytest.mark.parametrize(("case_type", "name"), person_transitions(), ids=lambda v: getattr(v, "key", v))
def test_each_transition_states_its_own_request_body(schema, case_type, name):
    own = {**OWN, **(SPEC_OF[case_type.key].own if case_type.key in SPEC_OF else {})}
    method, tail = own.get(name, ("post", f"transitions/{name}/"))  # case work has endpoints of its own
    operation = schema["paths"][f"/api/{PREFIX[case_type.key]}/{{id}}/{tail}"][method]
    input_cls = engine.input_of(engine.declared(case_type.transitions[name]))
    if input_cls is None:
        assert "requestBody" not in operation
    else:
        fields = input_cls().fields
        body = body_schema(schema, operation)
        assert set(body["properties"]) == set(fields)
        # a PATCH changes only what it is given: nothing is required
        required = set() if method == "patch" else {n for n, f in fields.items() if f.required}
        assert set(body.get("required", [])) == required
    assert {"200", "400", "401", "403", "404", "409"} <= set(operation["responses"])
    error = operation["responses"]["409"]["content"]["application/json"]["schema"]["$ref"]
    assert error.endswith("/Error")


def test_a_system_transition_is_not_offered(schema):
    assert "/api/leads/{id}/transitions/escalate/" not in schema["paths"]


def test_case_work_is_not_offered_among_the_transitions(schema):
    for name in OWN:
        assert f"/api/leads/{{id}}/transitions/{name}/" not in schema["paths"]


def test_registrations_state_their_input(schema):
    from cases.commitments.inputs import CommitmentInput
    from cases.leads.inputs import LeadInput

    for path, cls in (("/api/leads/", LeadInput), ("/api/commitments/", CommitmentInput)):
        body = body_schema(schema, schema["paths"][path]["post"])
        assert set(body["properties"]) == set(cls().fields)


def test_nullable_inputs_are_nullable(schema):
    body = body_schema(schema, schema["paths"]["/api/leads/"]["post"])
    assert body["properties"]["foreign_investment_usd"]["nullable"] is True
    assert body["properties"]["total_investment_cny"].get("nullable") is not True


def test_the_kpi_files_have_their_content_types(schema):
    content = schema["paths"]["/api/kpis/"]["get"]["responses"]["200"]["content"]
    assert {
        "application/json",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    } <= set(content)
