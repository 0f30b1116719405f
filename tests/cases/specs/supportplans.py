"""The permission matrix spec of this case type (see tests/cases/specs/__init__.py): support plans
(DESIGN §6b). The case belongs to a Haidian lead that is a city major project; the finance bureau and
the city government see a plan once it has reached them and act on it only while it waits on them."""

from typing import Any

from tests.cases.specs import Spec

PATH = {  # state → the transitions that lead there from a fresh draft, and who fires each
    "draft": [],
    "finance_review": [("submit", "city_officer", {})],
    "government_review": [("submit", "city_officer", {}), ("cosign", "finance_officer", {"opinion": "同意"})],
    "implementing": [
        ("submit", "city_officer", {}),
        ("cosign", "finance_officer", {"opinion": "同意"}),
        ("approve", "government_leader", {}),
    ],
}
REVIEWERS = {
    "finance_officer": {
        "sees": {"finance_review", "government_review", "implementing", "completed", "rejected"},
        "may": {("cosign", "finance_review"), ("return", "finance_review")},
    },
    "government_leader": {
        "sees": {"government_review", "implementing", "completed", "rejected"},
        "may": {
            ("approve", "government_review"),
            ("reject", "government_review"),
            ("return", "government_review"),
        },
    },
}


def major_project_lead(make_lead: Any, serial: int) -> Any:
    """A Haidian lead, confirmed (negotiating), that the city leaders designated a major project."""
    from django.utils import timezone

    from cases.demo import person
    from cases.majorprojects.models import MajorProject
    from tests.helpers import fire

    lead = make_lead(person("haidian_officer"), serial=serial)
    lead = fire(lead, "submit", person("haidian_officer"))
    lead = fire(lead, "confirm", person("city_officer"))
    now = timezone.now()
    MajorProject.objects.create(
        lead=lead,
        steward=person("city_officer"),
        reason="全市重点项目",
        designated_by=person("city_leader"),
        designated_at=now,
        updated_at=now,
    )
    return lead


def plan_in(state: str, make_lead: Any, serial: int) -> Any:
    return plan_for(major_project_lead(make_lead, serial), state)


def plan_for(lead: Any, state: str) -> Any:
    """A plan for this major project's lead, taken to `state` by the people whose step each is."""
    from cases.demo import person
    from cases.supportplans import services
    from cases.supportplans.machine import SUPPORT_PLAN_TYPE
    from cases.supportplans.models import SupportPlan
    from workflow import engine

    plan = services.support_plan_create(
        actor=person("city_officer"),
        data={
            "lead": lead.pk,
            "amount_cny": "5000000.00",
            "methods": ["equity"],
            "terms": "达产后年产值不低于10亿元",
        },
    )
    for name, actor, params in PATH[state]:
        engine.fire(SUPPORT_PLAN_TYPE, pk=plan.pk, name=name, actor=person(actor), params=params)
    return SupportPlan.objects.get(pk=plan.pk)


def expected(name: str, state: str, persona: str) -> int | None:
    if persona not in REVIEWERS:
        return None
    if state not in REVIEWERS[persona]["sees"]:
        return 404
    return 200 if (name, state) in REVIEWERS[persona]["may"] else 403


SPEC = Spec(
    key="support_plan",
    prefix="support-plans",
    people={
        "unit_officer": "haidian_officer",
        "unit_leader": "haidian_leader",
        "other_officer": "shunyi_officer",
        "finance_officer": "finance_officer",
        "government_leader": "government_leader",
        "talent_officer": "talent_officer",  # another city department: sees nothing
    },
    sees={"city_officer", "city_leader", "unit_officer", "unit_leader"},
    may={
        "submit": {"city_officer"},
        "cosign": {"finance_officer"},
        "return": {"finance_officer", "government_leader"},
        "approve": {"government_leader"},
        "reject": {"government_leader"},
        "record_disbursement": {"city_officer"},
        "complete": {"city_officer"},
    },
    params={
        "cosign": {"opinion": "同意"},
        "return": {"reason": "x"},
        "reject": {"reason": "x"},
        # the matrix runs at its pinned moment (2026-11-29, tests/fixtures.py): approved and paid that day
        "record_disbursement": {"amount_cny": "1000.00", "date": "2026-11-29", "note": "首笔"},
    },
    make=plan_in,
    extra_personas=("finance_officer", "government_leader", "talent_officer"),
    expected=expected,
)
