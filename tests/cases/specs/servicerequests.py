"""The permission matrix spec of this case type (see tests/cases/specs/__init__.py).

A Haidian officer raises a talent request for a Haidian lead: the talent bureau answers it, Haidian
(the raising side) and the city see it, nobody else does; the raiser confirms or reopens the answer."""

from typing import Any

from cases.demo import person
from tests.cases.specs import Spec

PATHS: dict[str, list[tuple[str, str, dict[str, Any]]]] = {
    "open": [],
    "accepted": [("accept", "talent_officer", {})],
}
PATHS["resolved"] = PATHS["accepted"] + [("resolve", "talent_officer", {"answer": "已协调落户指标"})]
PATHS["declined"] = PATHS["accepted"] + [("decline", "talent_officer", {"reason": "不属于本部门职责"})]
PATHS["closed"] = PATHS["resolved"] + [("confirm", "haidian_officer", {})]


def raised(make_lead: Any, serial: int, **data: Any) -> Any:
    """A negotiating Haidian lead and a talent request the Haidian officer raised for it."""
    from cases.servicerequests import services
    from tests.helpers import fire

    officer = person("haidian_officer")
    lead = fire(fire(make_lead(officer, serial=serial), "submit", officer), "confirm", person("city_officer"))
    body = {
        "lead": lead.pk,
        "kind": "talent",
        "description": "核心团队10人落户",
        "responsible_unit": "talent",
    }
    return services.service_request_raise(actor=officer, data={**body, **data})


def request_in(state: str, make_lead: Any, serial: int) -> Any:
    from cases.servicerequests.machine import SERVICE_REQUEST
    from cases.servicerequests.models import ServiceRequest
    from workflow import engine

    request = raised(make_lead, serial)
    for name, actor, params in PATHS[state]:
        engine.fire(SERVICE_REQUEST, pk=request.pk, name=name, actor=person(actor), params=params)
    return ServiceRequest.objects.get(pk=request.pk)


SPEC = Spec(
    key="service_request",
    prefix="service-requests",
    people={
        "unit_officer": "haidian_officer",  # the raiser
        "unit_leader": "haidian_leader",
        "other_officer": "shunyi_officer",
        "dept_officer": "talent_officer",  # the responsible unit's officer
        "other_dept_officer": "finance_officer",  # a department the request is not addressed to
    },
    sees={"city_officer", "city_leader", "unit_officer", "unit_leader", "dept_officer"},
    may={
        "accept": {"dept_officer"},
        "resolve": {"dept_officer"},
        "decline": {"dept_officer"},
        "confirm": {"unit_officer"},
        "reopen": {"unit_officer"},
    },
    params={"resolve": {"answer": "已协调"}, "decline": {"reason": "x"}, "reopen": {"reason": "x"}},
    make=lambda state, make_lead, serial: request_in(state, make_lead, serial),
    extra_personas=("dept_officer", "other_dept_officer"),
)
