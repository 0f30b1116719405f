"""Who may do what to a lead: the one set of permission functions every entry point uses.

Object rights come from django-guardian grants (made by each case type's `grants`, synced by the engine through
workflow.services.grants_sync); city rights are model-level permissions of the city role groups.
"""

from collections.abc import Sequence
from typing import Any

from guardian.core import ObjectPermissionChecker

from workflow.engine import PERM_MEMO  # the memo the engine fills as it locks a case

WORK = "work_lead"
APPROVE = "approve_lead"
VIEW = "view_lead"
DISPATCH = "cases.dispatch_lead"


def _object_perms(lead: Any, user: Any) -> set[str]:
    """The user's guardian permissions on the lead, memoised on the instance for one request.

    The memo lives on the lead object, which a service re-reads under lock before it changes
    anything, so a grant change is never judged from a stale memo.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    memo = lead.__dict__.setdefault(PERM_MEMO, {})
    if user.pk not in memo:
        memo[user.pk] = set(ObjectPermissionChecker(user).get_perms(lead))
    return memo[user.pk]


def prefetch_object_perms(objects: Sequence[Any], user: Any) -> None:
    """Read the user's guardian permissions on many objects of one model at once (a page of a list: two
    queries, not two per row) into the same memo `_object_perms` keeps, so every permission function
    judges each object as it would one by one."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return
    todo = [o for o in objects if user.pk not in o.__dict__.get(PERM_MEMO, {})]
    if not todo:
        return
    checker = ObjectPermissionChecker(user)
    # guardian reads any sequence of objects of one model (its docstring); its annotation says QuerySet
    checker.prefetch_perms(todo)  # type: ignore[arg-type]
    for obj in todo:
        obj.__dict__.setdefault(PERM_MEMO, {})[user.pk] = set(checker.get_perms(obj))


def can_view(lead: Any, user: Any) -> bool:
    return user.has_perm("cases.view_lead") or VIEW in _object_perms(lead, user)


def can_work(lead: Any, user: Any) -> bool:
    return WORK in _object_perms(lead, user)


def can_approve(lead: Any, user: Any) -> bool:
    return APPROVE in _object_perms(lead, user)


def can_dispatch(lead: Any, user: Any) -> bool:
    return bool(getattr(user, "is_active", False)) and user.has_perm(DISPATCH)


def can_hold(lead: Any, user: Any) -> bool:
    """The people of the unit working the lead keep who holds it (DESIGN §6a): officers claim and
    hand over, leaders assign anyone of the unit (the effect tells the two apart)."""
    perms = _object_perms(lead, user)
    return WORK in perms or APPROVE in perms


def can_log_activity(lead: Any, user: Any) -> bool:
    """Those who work the lead — its unit's people, city officers — log its meetings, visits, calls and
    notes (DESIGN §6a); the state is checked apart (a closed lead takes none: a conflict, not a refusal)."""
    return can_hold(lead, user) or can_dispatch(lead, user)


def can_correct(lead: Any, user: Any) -> bool:
    """The unit's officers (the registering unit's while it is a draft) and city officers correct a
    lead's facts (DESIGN §3 "Correcting a lead")."""
    return can_work(lead, user) or can_dispatch(lead, user)


def can_close(lead: Any, user: Any) -> bool:
    """The unit leader closes the unit's leads; a city officer closes any."""
    return can_dispatch(lead, user) or can_approve(lead, user)


def can_view_commitment(application: Any, user: Any) -> bool:
    return user.has_perm("cases.view_commitmentapplication") or "view_commitmentapplication" in _object_perms(
        application, user
    )


def can_work_commitment(application: Any, user: Any) -> bool:
    return "work_commitment" in _object_perms(application, user)


def can_approve_commitment(application: Any, user: Any) -> bool:
    return "approve_commitment" in _object_perms(application, user)


def can_decide_reward(reward: Any, user: Any) -> bool:
    """§15 "由所在区…给予奖励": the landing unit's leaders decide and pay the agency's reward."""
    return holds_role(reward.unit, user, "leader")


def holds_role(unit: Any, user: Any, *roles: str) -> bool:
    """The user holds one of these roles in this unit (registering commitment applications,
    maintaining the unit's capacity figures)."""
    return (
        bool(getattr(user, "is_authenticated", False))
        and unit.memberships.filter(user=user, role__in=roles).exists()
    )
