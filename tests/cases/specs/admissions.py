"""The permission matrix spec of this case type (see tests/cases/specs/__init__.py): admission
supports (DESIGN §6b, §14). Haidian asks for a production lead of its own; the city leaders decide."""

from typing import Any

from tests.cases.specs import Spec

REQUEST = {"chain_leader": "链主企业集团", "standard_not_met": "投资强度", "justification": "配套链主"}


def support_in(state: str, make_lead: Any, serial: int) -> Any:
    from cases.admissions import services
    from cases.admissions.machine import ADMISSION
    from cases.admissions.models import AdmissionSupport
    from cases.demo import person
    from tests.helpers import fire
    from workflow import engine

    lead = make_lead(person("haidian_officer"), serial=serial, segment="production")
    lead = fire(lead, "submit", person("haidian_officer"))  # awaiting the city's confirmation
    support = services.admission_create(actor=person("haidian_officer"), data={"lead": lead.pk, **REQUEST})
    steps = {"draft": [], "submitted": [("submit", "haidian_officer", {})]}
    steps["approved"] = steps["submitted"] + [("approve", "city_leader", {})]
    steps["rejected"] = steps["submitted"] + [("reject", "city_leader", {"reason": "x"})]
    for name, actor, params in steps[state]:
        engine.fire(ADMISSION, pk=support.pk, name=name, actor=person(actor), params=params)
    return AdmissionSupport.objects.get(pk=support.pk)


SPEC = Spec(
    key="admission",
    prefix="admission-supports",
    people={
        "unit_officer": "haidian_officer",
        "unit_leader": "haidian_leader",
        "other_officer": "shunyi_officer",
    },
    sees={"city_officer", "city_leader", "unit_officer", "unit_leader"},
    may={"submit": {"unit_officer"}, "approve": {"city_leader"}, "reject": {"city_leader"}},
    params={"reject": {"reason": "x"}},
    make=support_in,
)
