"""The city major project case type (DESIGN §6b): who sees one, who its audiences are. Its
transitions are declared on the model (cases.majorprojects.models.MajorProject)."""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from cases import audiences
from cases.majorprojects import access
from cases.majorprojects.models import LEAD_UNIT, PREVIOUS_STEWARD, STEWARD, MajorProject
from workflow.engine import Audience, CaseType, Members, register


def _lead_unit(project: Any, data: Mapping[str, Any]) -> Members | None:
    """The officers and leaders of the unit working the lead (none while the city holds it)."""
    unit_id = project.lead.unit_id
    return Members(unit_id=unit_id) if unit_id else None


AUDIENCES: dict[str, Audience] = {
    audiences.CITY_OFFICERS: audiences.COMMON[audiences.CITY_OFFICERS],
    audiences.CITY_LEADERS: audiences.COMMON[audiences.CITY_LEADERS],
    STEWARD: lambda project, data: Members(user_id=project.steward_id),
    PREVIOUS_STEWARD: lambda project, data: (
        Members(user_id=data["previous_steward_id"]) if data.get("previous_steward_id") else None
    ),
    LEAD_UNIT: _lead_unit,
}

MAJOR_PROJECT = register(
    CaseType(
        key="majorproject",
        weighty=frozenset({"end"}),  # ends, refuses or pays: last, as danger, confirmed
        model=MajorProject,
        can_view=access.can_view_project,
        not_found=_("No such major project."),
        noun=_("major project"),
        audiences=AUDIENCES,
        # no grants of its own: who sees the lead sees its designation (access.can_view_project)
        notice_refs=lambda project: {"lead_id": project.lead_id},
        notice_params=lambda project: {
            "lead_name": project.lead.name,
            "state": project.state,
            "case": "majorproject",
            "case_id": project.pk,
        },
        related=("lead", "steward"),
    )
)
