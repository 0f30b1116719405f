"""The permission matrix spec of this case type (see tests/cases/specs/__init__.py): city major
projects (DESIGN §6b). The project's lead is a Haidian lead; city leaders decide everything, city
officers and the lead's unit see it, everyone else does not."""

from typing import Any

from tests.cases.specs import Spec

STEWARD = (
    "mp_steward"  # a second city officer: the project starts with them, change_steward names city_officer
)


def city_officer(username: str) -> Any:
    from cases.demo import person
    from workflow.models import OrgUnit, Role
    from workflow.services import member_add

    user = person(username)
    member_add(user=user, unit=OrgUnit.objects.get(code="beijing"), role=Role.OFFICER)
    return user


def project_in(state: str, make_lead: Any, serial: int) -> Any:
    from cases.demo import person
    from cases.majorprojects import services
    from cases.majorprojects.machine import MAJOR_PROJECT
    from cases.majorprojects.models import MajorProject
    from tests.helpers import fire

    lead = fire(make_lead(person("haidian_officer"), serial=serial), "submit", person("haidian_officer"))
    lead = fire(lead, "confirm", person("city_officer"))
    city_officer(STEWARD)
    project = services.major_project_create(
        actor=person("city_leader"), data={"lead": lead.pk, "reason": "全市重点项目", "steward": STEWARD}
    )
    if state == "ended":
        from workflow import engine

        engine.fire(
            MAJOR_PROJECT, pk=project.pk, name="end", actor=person("city_leader"), params={"reason": "x"}
        )
    return MajorProject.objects.get(pk=project.pk)


SPEC = Spec(
    key="majorproject",
    prefix="major-projects",
    people={
        "unit_officer": "haidian_officer",
        "unit_leader": "haidian_leader",
        "other_officer": "shunyi_officer",
    },
    sees={"city_officer", "city_leader", "unit_officer", "unit_leader"},
    may={"change_steward": {"city_leader"}, "end": {"city_leader"}},
    params={"change_steward": {"steward": "city_officer", "reason": "x"}, "end": {"reason": "x"}},
    make=project_in,
)
