"""Who may do what to a service request (DESIGN §6b): guardian grants made by the case type's
`grants` (cases.servicerequests.machine), the city roles' model-level permission to see them all."""

from typing import Any

from cases.access import _object_perms  # the one memo of a user's object permissions on a case

VIEW = "view_servicerequest"
WORK = "work_servicerequest"
CITY_VIEW = f"servicerequests.{VIEW}"


def can_view(request: Any, user: Any) -> bool:
    """The city roles, the responsible unit and the raising side (the lead's unit)."""
    return user.has_perm(CITY_VIEW) or VIEW in _object_perms(request, user)


def can_answer(request: Any, user: Any) -> bool:
    """The responsible unit's officers accept, resolve and decline."""
    return WORK in _object_perms(request, user)


def is_raiser(request: Any, user: Any) -> bool:
    """The person who raised it confirms the answer or reopens it, while they may still see it."""
    return request.raised_by_id == getattr(user, "pk", None) and can_view(request, user)
