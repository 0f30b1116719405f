"""Who may do what to a financing need: guardian grants (made by the case type's `grants`) and the
city roles' model permission, judged from the same memo as every other case type's."""

from typing import Any

from cases.access import _object_perms

VIEW = "view_financingneed"
WORK = "work_financingneed"
OFFER = "offer_financingneed"
SEE_ALL = "financing.view_financingneed"  # the city roles' model permission (CITY_ROLE_PERMISSIONS)


def can_view(need: Any, user: Any) -> bool:
    return bool(getattr(user, "is_active", False)) and (
        user.has_perm(SEE_ALL) or VIEW in _object_perms(need, user)
    )


def can_work(need: Any, user: Any) -> bool:
    """The officers of the unit that raised the need publish it, accept an offer, withdraw it."""
    return WORK in _object_perms(need, user)


def can_offer(need: Any, user: Any) -> bool:
    """Bank officers, while the need is published (the grant exists only then)."""
    return OFFER in _object_perms(need, user)
