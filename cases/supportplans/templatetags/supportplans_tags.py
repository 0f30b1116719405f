"""The lead page's support-plan section (cases/templates/cases/_lead_supportplans.html)."""

from typing import Any

from django import template

from cases.majorprojects.models import MajorProject, MajorProjectState
from cases.supportplans import access, selectors

register = template.Library()


@register.simple_tag
def lead_support_plans(lead: Any, user: Any) -> dict[str, Any]:
    """The lead's plans the person may see, and whether they may draft one (a city officer, on an
    active city major project)."""
    plans = list(selectors.plans_of_lead(user=user, lead=lead))
    major = MajorProject.objects.filter(lead_id=lead.pk, state=MajorProjectState.ACTIVE).exists()
    return {"plans": plans, "may_draft": major and access.may_draft(user), "major": major}
