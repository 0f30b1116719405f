"""Who may see and decide a city major project (DESIGN §6b). City roles hold the model-level
permissions (config/settings.py CITY_ROLE_PERMISSIONS); everyone else sees a major project exactly
when they see its lead (the lead's guardian grants, which follow the lead from unit to unit)."""

from typing import Any

from cases import access as lead_access

VIEW = "majorprojects.view_majorproject"
DESIGNATE = "majorprojects.add_majorproject"  # city leaders designate …
COORDINATE = "majorprojects.change_majorproject"  # … name the steward and end the designation


def can_view_project(project: Any, user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.has_perm(VIEW) or lead_access.can_view(project.lead, user)


def can_lead_coordination(project: Any, user: Any) -> bool:
    """City leaders (§2, §4 "市级重大项目"): they designate, name the steward and end it."""
    return bool(getattr(user, "is_active", False)) and user.has_perm(COORDINATE)


def may_designate(user: Any) -> bool:
    return bool(getattr(user, "is_active", False)) and user.has_perm(DESIGNATE)


def is_city_role(user: Any) -> bool:
    """The coordination overview is the city's (city officers and leaders)."""
    return bool(getattr(user, "is_active", False)) and user.has_perm(VIEW)
