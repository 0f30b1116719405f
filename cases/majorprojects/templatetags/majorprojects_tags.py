"""What the lead page shows of its city major project (DESIGN §6b)."""

from typing import Any

from django import template

from cases.majorprojects import access, selectors
from cases.majorprojects.machine import MAJOR_PROJECT
from cases.majorprojects.models import MajorProject
from cases.majorprojects.services import NOT_FOLLOWED

register = template.Library()


@register.simple_tag
def lead_major_project(lead: Any, user: Any) -> dict[str, Any]:
    """The lead's major project and steward (whoever sees the lead sees them), the actions open to
    `user` on it, and whether `user` may designate the lead (a city leader, an open submitted lead)."""
    from cases.majorprojects.web import steward_choices  # the pages' list of city officers

    project: MajorProject | None = selectors.project_of_lead(lead=lead)
    may_designate = project is None and lead.state not in NOT_FOLLOWED and access.may_designate(user)
    return {
        "project": project,
        "actions": [(n, MAJOR_PROJECT.label(n)) for n in MAJOR_PROJECT.available(project, user)]
        if project
        else [],
        "may_designate": may_designate,
        "stewards": steward_choices() if may_designate else [],
    }
